"""The SLEDAI-2K's laboratory "derived from" notes in the reader's language (issue 18).

The clinical layer gives each laboratory judgement as a code and its values
(`DescriptorFinding.reasons`) beside its English note (`derived_from`, which the command line,
the API and the dataset print, unchanged); the pages word the codes (`edc.study.derived_text`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from lupustrial.clinical.sledai2k import Sledai2kInput, score_sledai2k
from lupustrial.edc.study import derived_text
from lupustrial.edc.study.models import Subject
from tests.edc.clients import login
from tests.edc.test_japanese_derived import english_words as _english_words
from tests.edc.test_japanese_throughout import _speaks, _visible_text

UNIT_SYMBOLS = {"hpf", "HPF", "dsDNA"}
"""Unit symbols (per high-power field) and the antibody's name are Latin in every language."""


def english_words(text: str) -> list[str]:
    return [word for word in _english_words(text) if word not in UNIT_SYMBOLS]


def _score(labs: dict[str, Any], **entered: bool) -> Any:
    return score_sledai2k(
        Sledai2kInput.model_validate({"date": dt.date(2026, 1, 5), "labs": labs, **entered})
    )


LABS: dict[str, Any] = {
    "platelets": {"value": 80000, "unit": "/µL"},
    "leukocytes": {"value": 5.2, "unit": "10^9/L"},
    "temperature": {"value": 38.4, "unit": "°C"},
    "urine_protein_creatinine_ratio": {"value": 0.1, "unit": "g/g"},
    "urine_rbc_per_hpf": {"value": 1, "unit": "/hpf"},
    "urine_wbc_per_hpf": {"value": 9, "unit": "/hpf"},
    "c3": {
        "value": {"value": 0.7, "unit": "g/L"},
        "lower_limit_of_normal": {"value": 0.86, "unit": "g/L"},
    },
    "c4": {
        "value": {"value": 0.16, "unit": "g/L"},
        "lower_limit_of_normal": {"value": 0.1, "unit": "g/L"},
    },
    "anti_dsdna": {"value": 10, "upper_limit_of_normal": 12, "unit": "IU/mL"},
}


def test_each_laboratory_note_has_its_codes_and_the_same_english() -> None:
    result = _score(LABS, hematuria=True)
    notes = {f.code: f.derived_from for f in result.findings if f.derived_from}
    assert notes == {
        "thrombocytopenia": "platelets 80000 /µL = 80 10^9/L < 100 10^9/L",
        "leukopenia": "leukocytes 5.2 10^9/L ≥ 3 10^9/L",
        "fever": "temperature 38.4 °C > 38 °C",
        "proteinuria": "urine_protein_creatinine_ratio 0.1 g/g ≤ 0.5 g/g",
        "hematuria": "urine_rbc_per_hpf 1 /hpf ≤ 5 /hpf",
        "pyuria": "urine_wbc_per_hpf 9 /hpf > 5 /hpf",
        "low_complement": "c3 0.7 g/L < lower limit 0.86 g/L; c4 0.16 g/L ≥ lower limit 0.1 g/L",
        "increased_dna_binding": "anti_dsdna 10 IU/mL ≤ upper limit 12 IU/mL",
    }
    for finding in result.findings:
        assert bool(finding.reasons) == bool(finding.derived_from), finding.code
        assert "reasons" not in finding.model_dump()  # the JSON keeps its English only
    with translation.override("en"):
        for finding in result.findings:
            assert derived_text.finding_derived_from(finding) == (finding.derived_from or "")
            assert derived_text.finding_discrepancy(finding) == (finding.discrepancy or "")


def test_the_japanese_notes_name_the_field_by_its_label_with_the_limit_and_units() -> None:
    result = _score(LABS, hematuria=True)
    with translation.override("ja"):
        words = {f.code: derived_text.finding_derived_from(f) for f in result.findings}
        discrepancy = derived_text.finding_discrepancy(result.finding("hematuria"))
    assert words["hematuria"] == "尿沈渣赤血球（/HPF） 1 /hpf ≤ 5 /hpf"
    assert words["thrombocytopenia"] == "血小板数 80000 /µL = 80 10^9/L < 100 10^9/L"
    assert "基準値下限 0.86 g/L" in words["low_complement"]
    assert words["increased_dna_binding"] == "抗dsDNA抗体 10 IU/mL ≤ 基準値上限 12 IU/mL"
    for code, text in words.items():
        assert not english_words(text), (code, text)
    assert discrepancy
    assert not english_words(discrepancy), discrepancy


@pytest.mark.usefixtures("demo")
def test_the_sledai_form_in_japanese_has_no_english_note() -> None:
    _speaks("coordinator", "ja")
    client = login("coordinator")
    subject = Subject.objects.get(screening_number="S-001")
    for code in ("W0", "W12"):
        visit = subject.visits.get(code=code)
        page = client.get(reverse("crf", args=[visit.pk, "sledai2k"])).content.decode()
        score = page.split('id="sledai-score"', 1)[1].split("</section>", 1)[0]
        text = _visible_text(score)
        assert "尿沈渣赤血球（/HPF） 1 /hpf ≤ 5 /hpf" in text, text
        assert "基準値上限 12 IU/mL" in text, text
        assert not english_words(text), (english_words(text), text)
        assert not re.search(r"urine_|anti_dsdna|lower limit|upper limit", text)
