"""Results built once and shared between assessments (issue 19) hold no mutable container: a
consumer changing one result's list or dict cannot change another result."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from tests.cli import score_corpus

from lupustrial.clinical.assessment import Assessment, AssessmentResult, score_assessment
from lupustrial.clinical.components import Component, ComponentFinding, reason
from lupustrial.clinical.doris import (
    DORIS_PUBLISHED,
    DorisInput,
    DorisThresholds,
    assess_doris_remission,
)
from lupustrial.clinical.lldas import (
    LLDAS_PUBLISHED,
    LldasInput,
    LldasThresholds,
    assess_lldas,
    low_activity_without_major_organs,
    no_new_activity,
)
from lupustrial.clinical.model import is_shared
from lupustrial.clinical.sledai2k import DESCRIPTOR_BY_CODE, Sledai2kInput, score_sledai2k

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MUTABLE = (list, dict, set, bytearray)  # exactly these types: a frozen subclass is immutable


def _mutable_containers(value: Any, found: dict[int, Any]) -> None:
    """Every mutable container reachable from ``value`` through fields and items, by id."""
    if type(value) in MUTABLE:
        found[id(value)] = value  # kept alive, so no other container reuses its id
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            _mutable_containers(item, found)
    elif isinstance(value, BaseModel):
        for item in value.__dict__.values():
            _mutable_containers(item, found)
    elif isinstance(value, dict):  # a frozen one: its items may still be mutable
        for item in value.values():
            _mutable_containers(item, found)
    elif isinstance(value, tuple | frozenset):
        for item in value:
            _mutable_containers(item, found)


def _results(tmp_path: Path) -> list[AssessmentResult]:
    lines = (EXAMPLES / "assessments.jsonl").read_text(encoding="utf-8").splitlines()
    corpus = tmp_path / "corpus.jsonl"
    score_corpus.write_corpus(corpus)
    lines += corpus.read_text(encoding="utf-8").splitlines()[:600]
    assessments = [Assessment.model_validate(json.loads(line)) for line in lines]
    return [score_assessment(a) for a in assessments * 2]  # each scored twice: equal inputs


def test_no_two_results_reach_the_same_mutable_container(tmp_path: Path) -> None:
    owner: dict[int, int] = {}
    keep: list[dict[int, Any]] = []
    shared = []
    for number, result in enumerate(_results(tmp_path)):
        found: dict[int, Any] = {}
        _mutable_containers(result, found)
        keep.append(found)
        for key, container in found.items():
            first = owner.setdefault(key, number)
            if first != number:
                shared.append((first, number, container))
    assert not shared, f"{len(shared)} mutable containers shared, e.g. {shared[:3]}"


def test_a_shared_finding_refuses_changes() -> None:
    finding = assess_lldas(
        LldasInput(
            sledai2k=score_sledai2k(Sledai2kInput()),
            maintenance_therapy_standard_and_tolerated=True,
        )
    ).components[4]
    again = assess_lldas(
        LldasInput(
            sledai2k=score_sledai2k(Sledai2kInput()),
            maintenance_therapy_standard_and_tolerated=True,
        )
    ).components[4]
    assert finding is again
    assert is_shared(finding)
    with pytest.raises(AttributeError):
        finding.missing.append("x")  # type: ignore[attr-defined]  # the point: a tuple, frozen
    with pytest.raises(TypeError):
        finding.reasons[0].values["extra"] = 1


def test_frozen_reason_values_still_copy_and_compare() -> None:
    values = reason("compared", item="pga", value=0.5).values
    assert values == {"item": "pga", "value": 0.5}
    assert dict(values) == values
    for change in (
        lambda: values.update(x=1),
        lambda: values.pop("item"),
        lambda: values.setdefault("x", 1),
        lambda: values.clear(),
        lambda: values.popitem(),
        lambda: values.__delitem__("item"),
        lambda: values.__ior__({"x": 1}),
    ):
        with pytest.raises(TypeError):
            change()
    assert copy.deepcopy(values) == values
    assert pickle.loads(pickle.dumps(values)) == values


def test_a_result_built_afresh_is_not_shared() -> None:
    finding = ComponentFinding.trusted(
        number=1, name="n", definition="d", status="met", evidence="e"
    )
    assert not is_shared(finding)


def _sledai(**entries: bool | None) -> Any:
    return score_sledai2k(Sledai2kInput(**dict.fromkeys(DESCRIPTOR_BY_CODE, False) | entries))


def test_lldas_2_met_and_doris_1_met_are_built_once_and_shared() -> None:
    """Each depends on nothing but its values (issue 19), as LLDAS 1 met does."""

    def lldas() -> Any:
        now = _sledai(low_complement=True)
        features = {"haemolytic_anaemia": False, "gastrointestinal_activity": False}
        previous = {f"previous_{name}": value for name, value in features.items()}
        return assess_lldas(
            LldasInput(sledai2k=now, previous_sledai2k=now, **features, **previous)
        ).components[1]

    def doris() -> Any:
        return assess_doris_remission(DorisInput(sledai2k=_sledai(low_complement=True))).components[
            0
        ]

    assert lldas().status == "met"
    assert lldas() is lldas()
    assert is_shared(lldas())
    assert lldas().evidence == "no new feature since the previous assessment (1 persisting)"
    assert doris().status == "met"
    assert doris() is doris()
    assert is_shared(doris())
    assert doris().evidence == "clinical SLEDAI-2K 0 (Low complement ignored)"


def test_each_part_of_the_shared_findings_keys_decides() -> None:
    """LLDAS 2 met by its count persisting; DORIS 1 met by its limits, score and serology."""
    features = {"haemolytic_anaemia": False, "gastrointestinal_activity": False}
    previous = {f"previous_{name}": value for name, value in features.items()}
    evidence = set()
    for entries in ({"low_complement": True}, {"low_complement": True, "rash": True}):
        now = _sledai(**entries)
        lldas = LldasInput(sledai2k=now, previous_sledai2k=now, **features, **previous)
        evidence.add(assess_lldas(lldas).components[1].evidence)
    assert len(evidence) == 2, evidence

    wider = DorisThresholds(clinical_sledai2k_max=2)
    found = {
        (finding.name, finding.evidence)
        for limits, entries in (
            (DORIS_PUBLISHED, {"low_complement": True}),
            (wider, {"low_complement": True}),  # the limits
            (wider, {"low_complement": True, "rash": True}),  # the score
            (wider, {"increased_dna_binding": True, "rash": True}),  # the serology
        )
        for finding in [
            assess_doris_remission(DorisInput(sledai2k=_sledai(**entries)), limits).components[0]
        ]
    }
    assert len(found) == 4, found


def test_a_component_hashes_and_compares_by_its_fields() -> None:
    """Its hash is computed once (issue 19), from the same fields as its equality."""
    first = Component(1, "n", "d", "c", 4.0)
    assert first == Component(1, "n", "d", "c", 4.0)
    assert hash(first) == hash(Component(1, "n", "d", "c", 4.0))
    assert {first: 1}[Component(1, "n", "d", "c", 4.0)] == 1
    for other in (
        Component(2, "n", "d", "c", 4.0),
        Component(1, "m", "d", "c", 4.0),
        Component(1, "n", "e", "c", 4.0),
        Component(1, "n", "d", "b", 4.0),
        Component(1, "n", "d", "c", 5.0),
    ):
        assert other != first
        assert hash(other) != hash(first)


def _lldas(
    now: dict[str, bool | None],
    before: dict[str, bool | None] | None = None,
    **features: bool | None,
) -> LldasInput:
    values: dict[str, Any] = dict.fromkeys(
        (
            "haemolytic_anaemia",
            "gastrointestinal_activity",
            "previous_haemolytic_anaemia",
            "previous_gastrointestinal_activity",
        ),
        False,
    )
    return LldasInput(
        sledai2k=_sledai(**now),
        previous_sledai2k=None if before is None else _sledai(**before),
        **values | features,
    )


def _seen(finding: ComponentFinding) -> tuple[object, ...]:
    return finding.status, finding.evidence, finding.missing


LLDAS_1_KEY_PARTS: dict[str, tuple[LldasInput, LldasInput, LldasThresholds]] = {
    "limits": (_lldas({}), _lldas({}), LldasThresholds(sledai2k_max=6)),
    "total": (_lldas({}), _lldas({"arthritis": True}), LLDAS_PUBLISHED),
    "major organ statuses": (_lldas({"rash": True}), _lldas({"pleurisy": True}), LLDAS_PUBLISHED),
    "descriptors not assessed": (
        _lldas({"rash": None}),
        _lldas({"alopecia": None}),
        LldasThresholds(sledai2k_max=0),
    ),
    "haemolytic anaemia": (_lldas({}), _lldas({}, haemolytic_anaemia=True), LLDAS_PUBLISHED),
    "gastrointestinal activity": (
        _lldas({}),
        _lldas({}, gastrointestinal_activity=True),
        LLDAS_PUBLISHED,
    ),
}


@pytest.mark.parametrize("part", LLDAS_1_KEY_PARTS)
def test_each_part_of_lldas_component_1s_key_decides(part: str) -> None:
    first, second, limits = LLDAS_1_KEY_PARTS[part]
    before = low_activity_without_major_organs(first)
    after = low_activity_without_major_organs(second, limits)
    assert _seen(before) != _seen(after)
    assert _seen(low_activity_without_major_organs(first)) == _seen(before)


def test_lldas_component_1s_maximum_is_part_of_its_key() -> None:
    """The range's top, apart from the descriptors not assessed (a result built elsewhere)."""
    first = _lldas({})
    wider = first.model_copy(
        update={"sledai2k": first.sledai2k.model_copy(update={"maximum_possible": 8})}
    )
    assert _seen(low_activity_without_major_organs(first)) != _seen(
        low_activity_without_major_organs(wider)
    )


LLDAS_2_KEY_PARTS: dict[str, tuple[LldasInput, LldasInput]] = {
    "features now": (_lldas({"rash": True}, {}), _lldas({"alopecia": True}, {})),
    "statuses now": (_lldas({"rash": True}, {}), _lldas({"rash": None}, {})),
    "statuses before": (_lldas({"rash": True}, {}), _lldas({"rash": True}, {"rash": True})),
    "a previous assessment": (_lldas({"rash": True}, {}), _lldas({"rash": True})),
    "haemolytic anaemia now": (_lldas({}, {}), _lldas({}, {}, haemolytic_anaemia=True)),
    "gastrointestinal activity now": (
        _lldas({}, {}),
        _lldas({}, {}, gastrointestinal_activity=True),
    ),
    "haemolytic anaemia before": (
        _lldas({}, {}, haemolytic_anaemia=True),
        _lldas({}, {}, haemolytic_anaemia=True, previous_haemolytic_anaemia=True),
    ),
    "gastrointestinal activity before": (
        _lldas({}, {}, gastrointestinal_activity=True),
        _lldas({}, {}, gastrointestinal_activity=True, previous_gastrointestinal_activity=None),
    ),
}


@pytest.mark.parametrize("part", LLDAS_2_KEY_PARTS)
def test_each_part_of_lldas_component_2s_key_decides(part: str) -> None:
    first, second = LLDAS_2_KEY_PARTS[part]
    assert _seen(no_new_activity(first)) != _seen(no_new_activity(second))


def test_lldas_components_1_and_2_are_shared_when_unknown() -> None:
    """A first visit with descriptors not assessed: both unknown, long lists, worded once."""
    first = assess_lldas(_lldas({"rash": None, "seizure": None}))
    second = assess_lldas(_lldas({"rash": None, "seizure": None}))
    assert [c.status for c in first.components[:2]] == ["unknown", "unknown"]
    for number in (0, 1):
        assert first.components[number] is second.components[number]
        assert is_shared(first.components[number])
