"""A varied corpus of assessments for `lupustrial score`, the same every run (issue 19).

Records are drawn from the `Assessment` model's own fields (a field added to an input model is
drawn without touching this file) by a seeded `random.Random`, whose draws are the same on
every platform and Python version, so the corpus, and what the command prints for it, are
fixed. Values cluster around the instruments' limits (platelets near 100 10^9/L, temperature
near 38 °C, doses near 5 and 7.5 mg/day, PGA near 0.5 and 1) in every accepted unit, so both
sides of each threshold, derived lab descriptors and their discrepancies all occur. Sections,
fields and whole records go missing at random, so unknown components, missing inputs and
"not computed" are exercised too. A record the input models refuse is drawn again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
import io
import json
import random
import tempfile
import types
import typing
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError

from lupustrial.cli import main
from lupustrial.clinical.assessment import Assessment
from lupustrial.clinical.units import TEMPERATURE, Quantity

SEED = 19
FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2026, 6, 30)

CANONICAL: dict[str, tuple[float, ...]] = {
    # canonical values (the kind's canonical unit) to draw near: limits and ordinary values
    "platelets": (20.0, 99.9, 100.0, 100.1, 150.0, 250.0),
    "leukocytes": (1.5, 2.9, 3.0, 3.1, 3.99, 4.0, 6.5),
    "lymphocytes": (0.5, 0.99, 1.0, 1.49, 1.5, 2.0),
    "temperature": (36.5, 37.9, 38.0, 38.1, 38.3, 38.4, 39.5),
    "urine_protein_24h": (0.1, 0.49, 0.5, 0.51, 1.2, 3.5),
    "urine_protein_creatinine_ratio": (0.1, 0.49, 0.5, 0.51, 1.2, 3.5),
    "urine_rbc_per_hpf": (0.0, 3.0, 5.0, 6.0, 20.0),
    "urine_wbc_per_hpf": (0.0, 3.0, 5.0, 6.0, 20.0),
    "body_weight": (38.0, 52.5, 61.0, 75.2, 98.0),
    "dose": (1.0, 2.5, 4.0, 5.0, 7.5, 10.0, 20.0, 500.0),
    "count": (0.8, 1.2, 1.5, 3.5, 4.0, 5.0),
    "c3": (0.5, 0.79, 0.8, 0.9, 1.2),
    "c4": (0.05, 0.09, 0.1, 0.2),
}
PGA = (0.0, 0.2, 0.49, 0.5, 0.51, 0.8, 1.0, 1.01, 1.5, 2.0, 3.0)
TEXT = ("S-001", "week 12", "ループス W4", 'a "quoted" id', "tab\there", "x" * 40)


class Draws(random.Random):
    """The corpus's seeded draws, and how the record being drawn is drawn."""

    absent = 0.2
    """How often an optional field is left out."""
    activity = 0.1
    """How often a yes/no finding is true (a stable-therapy one false)."""


def _day(rng: Draws, start: dt.date = FIRST_DAY) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((LAST_DAY - start).days + 1))


def _quantity(rng: Draws, kind: type[Quantity], name: str) -> dict[str, Any]:
    unit = rng.choice(sorted(kind.KIND.factors))
    canonical = rng.choice(CANONICAL.get(name, (0.0, 0.5, 1.0, 2.0, 10.0)))
    if rng.random() < 0.3:
        canonical *= rng.choice((0.5, 0.97, 1.03, 2.0))
    value = kind.KIND.from_canonical(canonical, unit)
    value = round(value, rng.choice((0, 1, 2, 3))) if rng.random() < 0.7 else value
    if kind.KIND is not TEMPERATURE:
        value = abs(value)
    return {"value": value, "unit": unit}


def _value(rng: Draws, annotation: Any, metadata: list[Any], name: str) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _value(rng, inner, [*metadata, *extra], name)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _value(rng, rng.choice(options), metadata, name)
    if origin is typing.Literal:
        return rng.choice(typing.get_args(annotation))
    if origin is list:
        (item,) = typing.get_args(annotation)
        return [_value(rng, item, [], name) for _ in range(rng.choice((0, 1, 1, 2, 3)))]
    if isinstance(annotation, type) and issubclass(annotation, Quantity):
        return _quantity(rng, annotation, name)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return draw_model(rng, annotation, name)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return rng.choice([e.value for e in annotation])
    if annotation is bool:  # activity is rare in a quiet record; stable therapy common
        active = rng.random() < rng.activity
        return not active if name.startswith("maintenance") else active
    if annotation is str:
        return rng.choice(TEXT)
    if annotation is dt.date:
        return _day(rng).isoformat()
    if annotation is float:
        if name == "pga":
            return rng.choice(PGA)
        return rng.choice((0.0, 0.5, 1.0, 5.0, 7.5, 7.51, 12.0))
    if annotation is int:
        low = next(
            (m.ge for m in metadata if isinstance(m, annotated_types.Ge) and isinstance(m.ge, int)),
            0,
        )
        high = next(
            (m.le for m in metadata if isinstance(m, annotated_types.Le) and isinstance(m.le, int)),
            None,
        )
        choices = [n for n in (1, 2, 3, 30, 40, 80, 160, 320) if n >= low]
        return rng.choice([n for n in choices if high is None or n <= high] or [low])
    raise NotImplementedError(f"no value for {annotation!r}")


def draw_model(rng: Draws, model: type[BaseModel], name: str = "") -> dict[str, Any]:
    """One document of ``model``: each optional field absent, null or drawn."""
    document: dict[str, Any] = {}
    absent = rng.absent
    for field_name, field in model.model_fields.items():
        if not field.is_required():
            roll = rng.random()
            if roll < absent:
                continue
            if roll < absent + 0.03:
                document[field_name] = None
                continue
        document[field_name] = _value(rng, field.annotation, list(field.metadata), field_name)
    return document


def _dated(rng: Draws, document: dict[str, Any]) -> dict[str, Any]:
    """Dates that make sense together: the previous assessment before this one, the SLEDAI-2K
    on the assessment's day, regimens around it (the models refuse other combinations)."""
    day = _day(rng, dt.date(2021, 1, 1))
    if rng.random() < 0.85:
        document["date"] = day.isoformat()
    else:
        document.pop("date", None)
    sledai = document.get("sledai2k")
    if isinstance(sledai, dict):
        if "date" in document and rng.random() < 0.5:
            sledai["date"] = document["date"]
        else:
            sledai.pop("date", None)
    previous = document.get("previous")
    if isinstance(previous, dict) and isinstance(previous.get("sledai2k"), dict):
        before = day - dt.timedelta(days=rng.choice((14, 28, 90)))
        if rng.random() < 0.8:
            previous["sledai2k"]["date"] = before.isoformat()
        else:
            previous["sledai2k"].pop("date", None)
    for regimen in document.get("glucocorticoids") or []:
        for key in ("start_date", "end_date"):
            regimen.pop(key, None)
        if rng.random() < 0.5:
            start = day + dt.timedelta(days=rng.choice((-60, -1, 0, 1)))
            regimen["start_date"] = start.isoformat()
            if rng.random() < 0.5:
                end = start + dt.timedelta(days=rng.choice((0, 1, 30)))
                regimen["end_date"] = end.isoformat()
    return document


def corpus(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` valid assessments (as JSON documents), the same for the same seed."""
    rng = Draws(seed)
    documents: list[dict[str, Any]] = []
    while len(documents) < count:
        # Some records nearly complete, others sparse; some quiet (remission), others active.
        rng.absent = rng.choice((0.0, 0.05, 0.2, 0.5))
        rng.activity = rng.choice((0.0, 0.0, 0.02, 0.1, 0.3))
        document = _dated(rng, draw_model(rng, Assessment))
        document["id"] = f"C-{len(documents):05d}"
        try:
            Assessment.model_validate(document)
        except ValidationError:
            continue
        documents.append(document)
    return documents


GOLDEN = Path(__file__).with_name("score_golden.txt")
"""What `lupustrial score` printed for `corpus(COUNT)` before its scoring was made faster
(issue 19): the corpus's own digest, the digest of the whole text output, then one line per
record, its id and the digest of its JSON line (so a difference names the record)."""
COUNT = 3000


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def write_corpus(path: Path, count: int = COUNT) -> str:
    """The corpus as JSON Lines at ``path``; returns its digest."""
    text = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in corpus(count))
    path.write_text(text, encoding="utf-8")
    return digest(text)


def printed(path: Path, output: str) -> str:
    """What `lupustrial score PATH --format OUTPUT` prints."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
        main(["score", str(path), "--format", output])
    return buffer.getvalue()


def golden_lines(path: Path) -> list[str]:
    """The golden file's lines for the corpus at ``path``, from the code checked out now."""
    text = path.read_text(encoding="utf-8")
    lines = [f"corpus {digest(text)}", f"text {digest(printed(path, 'text'))}"]
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    out = printed(path, "json").splitlines()
    assert len(out) == len(ids)
    lines.extend(f"{record} {digest(line)}" for record, line in zip(ids, out, strict=True))
    return lines


if __name__ == "__main__":
    # Regenerate only from code whose output is known right (e.g. main before a change).
    with tempfile.TemporaryDirectory() as directory:
        corpus_path = Path(directory) / "corpus.jsonl"
        write_corpus(corpus_path)
        GOLDEN.write_text("\n".join(golden_lines(corpus_path)) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
