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
from lupustrial.clinical.lldas import LldasInput, assess_lldas
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
        finding.missing.append("x")  # type: ignore[attr-defined]
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


def _sledai(**entries: bool) -> Any:
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
