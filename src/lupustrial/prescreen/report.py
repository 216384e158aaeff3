"""The pre-screen as a coordinator reads it (a text table) and as files (CSV, Parquet)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TextIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from lupustrial.edc.spreadsheet import spreadsheet_cell
from lupustrial.prescreen.arrow import scalar
from lupustrial.prescreen.criteria_ids import CRITERION_IDS
from lupustrial.prescreen.engine import PrescreenResult
from lupustrial.prescreen.wording import LABEL_WIDTH, Language, step_label, text

MARK = {"met": "+", "not_met": "-", "unknown": "?"}


def render(result: PrescreenResult, top: int = 20, language: Language = "en") -> str:
    """The funnel, then the top candidates with their statuses and what to check, in
    English or Japanese (`wording`; the warnings stay in English)."""
    lines = [text("title", language, as_of=result.as_of.isoformat(), engine=result.engine)]
    if result.scope != "all":
        lines.append(text("scope", language, scope=result.scope))
    lines += ["", text("funnel", language)]
    remaining, alone_head = text("remaining", language), text("fail_alone", language)
    lines.append(f"  {remaining:>10}  {alone_head:>10}  {text('step', language)}")
    for step in result.funnel:
        alone = "" if step.failing_alone is None else f"{step.failing_alone:,}"
        said = step_label(step.step, language)
        width = LABEL_WIDTH[language]
        label = said if len(said) <= width else said[: width - 3] + "..."
        lines.append(f"  {step.remaining:>10,}  {alone:>10}  {label}")
    shown = min(top, len(result.candidates))
    lines += ["", text("candidates", language, count=f"{len(result.candidates):,}", shown=shown)]
    if result.candidates:
        lines.append(
            f"  {text('rank', language):>4}  person_id             "
            + " ".join(
                f"{c:>5}"
                for c in (
                    c.replace("I2.recent", "I2r")
                    .replace("I2.untreated", "I2u")
                    .replace("alive", "alv")
                    for c in CRITERION_IDS
                )
            )
        )
    check = text("check", language)
    for rank, person in enumerate(result.candidates[:top], start=1):
        marks = " ".join(f"{MARK[person.statuses[c]]:>5}" for c in CRITERION_IDS)
        lines.append(f"  {rank:>4}  {person.person_id:<20}  {marks}")
        lines.append(f"        {check}: {'; '.join(c.split(':')[0] for c in person.to_check())}")
    lines.append("")
    lines.append(text("legend", language))
    if result.warnings:
        lines += ["", text("warnings", language, count=len(result.warnings))]
        lines += [f"  ! {warning}" for warning in result.warnings]
    return "\n".join(lines)


_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


_APOSTROPHE = scalar("'", "string")
_NOTHING = scalar("", "string")


def _defused(table: pa.Table) -> pa.Table:
    """``table`` with every text cell a spreadsheet would run as a formula (a start of
    ``=``, ``+``, ``-``, ``@``, tab or CR, not a plain number) behind an apostrophe, column
    by column (OWASP, "CSV Injection"; the same rule as `edc.spreadsheet.spreadsheet_cell`).
    The cells are generated, but they quote record values and vocabulary names."""
    for at, field in enumerate(table.schema):
        if not pa.types.is_string(field.type):
            continue
        column = table.column(at)
        formula = pc.and_kleene(
            pc.match_substring_regex(column, _FORMULA_START),
            pc.invert(pc.match_substring_regex(column, _PLAIN_NUMBER)),
        )
        # Arrow scalars, not Python strings: a compute function given a Python value
        # imports pandas (`arrow`).
        quoted = pc.binary_join_element_wise(_APOSTROPHE, column, _NOTHING)
        table = table.set_column(at, field, pc.if_else(formula, quoted, column))
    return table


def write_outputs(result: PrescreenResult, out: Path) -> list[Path]:
    """criteria.parquet/.csv (every person, every criterion), candidates.csv, funnel.csv,
    coverage.csv (per concept set) and run.json (the run: engine, as-of, warnings)."""
    out.mkdir(parents=True, exist_ok=True)
    written = [
        out / "criteria.parquet",
        out / "criteria.csv",
        out / "candidates.csv",
        out / "funnel.csv",
        out / "coverage.csv",
        out / "run.json",
    ]
    criteria = result.explained()
    pq.write_table(criteria, written[0])
    pacsv.write_csv(_defused(criteria), written[1])
    with written[2].open("w", newline="", encoding="utf-8") as handle:
        writer = _Writer(handle)
        writer.writerow(
            [
                "rank",
                "person_id",
                "unknown",
                "lab_sledai2k_lower_bound",
                "first_sle_diagnosis",
                "last_visit",
                *CRITERION_IDS,
                "to_check",
            ]
        )
        for rank, person in enumerate(result.candidates, start=1):
            writer.writerow(
                [
                    rank,
                    person.person_id,
                    len(person.unknown),
                    person.lab_points,
                    person.first_dx_date.isoformat(),
                    person.last_visit.isoformat() if person.last_visit else "",
                    *[person.statuses[c] for c in CRITERION_IDS],
                    " | ".join(person.to_check()),
                ]
            )
    with written[3].open("w", newline="", encoding="utf-8") as handle:
        writer = _Writer(handle)
        writer.writerow(["step", "remaining", "failing_alone"])
        for step in result.funnel:
            writer.writerow(
                [
                    step.step,
                    step.remaining,
                    "" if step.failing_alone is None else step.failing_alone,
                ]
            )
    _write_coverage(result, written[4])
    run = {
        "as_of": result.as_of.isoformat(),
        "engine": result.engine,
        "omop": result.location,
        "options": result.options,
        "criteria": result.scope,
        "warnings": result.warnings,
    }
    written[5].write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return written


class _Writer:
    """`csv.writer` with every cell passed through `spreadsheet_cell` (formula-defused)."""

    def __init__(self, handle: TextIO) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, row: list[object]) -> None:
        self._writer.writerow([spreadsheet_cell(cell) for cell in row])


def _write_coverage(result: PrescreenResult, path: Path) -> None:
    def number(value: int | None) -> object:
        return "" if value is None else value

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = _Writer(handle)
        writer.writerow(
            [
                "concept_set",
                "title",
                "concepts",
                "records",
                "lab_results",
                "without_unit",
                "warning",
            ]
        )
        for line in result.coverage:
            writer.writerow(
                [
                    line.key,
                    line.title,
                    line.concepts,
                    number(line.records),
                    number(line.lab_results),
                    number(line.without_unit),
                    line.warning or "",
                ]
            )
