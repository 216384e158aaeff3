"""Japanese throughout (issue 18), eligibility and screening: no English left in what they say.

The protocol and clinical layers explain each judgement with codes and values; the web layer
words them (`edc/study/eligibility_text.py`). These tests render the eligibility panel for
candidates whose criteria are met, not met and unknown, with inputs missing, the classification
summary lines, the "not computed" reasons and every screening field's help, in Japanese, and
look for English words left in them. In English, the web's wording of every evidence line is
the protocol layer's own English, which the command line prints, word for word.
"""

from __future__ import annotations

import copy
import re
from html import unescape
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from lupustrial.clinical.assessment import Assessment, score_assessment
from lupustrial.protocol.eligibility import ScreeningDecision, decide_eligibility
from lupustrial.protocol.screening import ScreeningRecord
from tests.protocol.test_eligibility import ELIGIBLE, SLEDAI_ABSENT

# What a person typed (names, sites, reasons) is shown as typed; abbreviations and units are
# written the same way in Japanese clinical text. The glucocorticoids' names in the
# prednisolone-equivalent line are the derived lines' (`derived_text`), worded elsewhere.
TYPED = (
    "Dr Sato",
    "investigator",  # the demo's user names
    "coordinator",
    "hydroxychloroquine",
    "mycophenolate mofetil",
    "tacrolimus",
    "prednisolone",
    "methylprednisolone",
    "intravenous",
    "oral",
    "topical",
    "breast",
    "cervix",
    "Sjögren's syndrome",
    "systemic sclerosis",
    "sarcoidosis",
    "MMR",
    "influenza (inactivated)",
    "mystery vaccine",
    "lives abroad",
)
ABBREVIATIONS = {
    "SLE", "SLEDAI", "EULAR", "ACR", "SLICC", "ANA", "PGA", "LLDAS", "DORIS", "AST", "ALT",
    "HBs", "HBc", "HBV", "HCV", "DNA", "RNA", "dsDNA", "HBV-DNA", "HCV-RNA", "CH50", "HEp",
    "III", "IgA", "IgG", "IgM", "TPI", "FTA-ABS", "HPF", "BCG", "HPV", "RSV", "ANCA", "mRNA",
    "LDH", "ECG", "APL", "GPL", "MPL", "ISN", "RPS", "MRI", "mol", "kat",
}  # fmt: skip
CITATION = re.compile(r"[(（](?:[A-Z][a-z]+ )+\d{4}[)）]")  # a source, cited as published
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")


def english_words(text: str) -> list[str]:
    """English words in a Japanese text, what was typed and the abbreviations aside."""
    for typed in sorted(TYPED, key=len, reverse=True):
        text = text.replace(typed, " ")
    text = CITATION.sub(" ", text)
    return [w for w in WORD.findall(text) if w.strip("-'’") not in ABBREVIATIONS]


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _record(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(ELIGIBLE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _hepatitis(**markers: Any) -> dict[str, Any]:
    return {"hbs_ag": False, "anti_hbc": False, "anti_hbs": False, "anti_hcv": False, **markers}


def _tumour(**facts: Any) -> dict[str, Any]:
    return {"site": "breast", "current": False, **facts}


def _reproduction(**facts: Any) -> dict[str, Any]:
    return {
        "childbearing_potential": True,
        "pregnant": False,
        "pregnancy_test": "negative",
        "pregnancy_test_date": "2026-09-25",
        "lactating": False,
        **facts,
    }


CANDIDATES: list[dict[str, Any]] = [
    _record(),  # eligible: every inclusion met, every exclusion not met
    _record(  # ineligible on many criteria at once
        sex="male",
        reproduction=None,
        date_of_birth="1940-01-01",
        sle_diagnosis_date="2025-01-01",
        classification={"acr_1997": {"malar_rash": True, "oral_ulcers": False}},
        prior_medications=[
            {"drug": "prednisolone", "route": "oral", "for_sle": True},
            {"drug": "hydroxychloroquine", "route": "oral", "for_sle": True},
            {"drug": "tacrolimus", "route": "topical", "for_sle": True},
            {"drug": "methylprednisolone", "route": "intravenous", "for_sle": True},
            {
                "drug": "mycophenolate mofetil",
                "route": "oral",
                "for_sle": True,
                "start_date": "2026-08-01",
            },
        ],
        screening_sledai2k={**SLEDAI_ABSENT, "date": "2026-06-01", "rash": True},
        initial_glucocorticoids=[
            {
                "drug": "methylprednisolone",
                "route": "intravenous",
                "dose": {"value": 1000, "unit": "mg"},
                "start_date": "2026-09-15",
            }
        ],
        hepatitis=_hepatitis(hbs_ag=True, anti_hbc=True, hbv_dna_detectable=True, anti_hcv=True),
        ast={"value": 150, "unit": "U/L"},
        alt={"value": 2.0, "unit": "µkat/L"},
        creatinine={"value": 250, "unit": "µmol/L"},
        active_tuberculosis=True,
        suspected_active_infection=True,
        malignancies=[_tumour(current=True), _tumour(last_evidence_date="2024-01-01")],
        other_collagen_diseases=["systemic sclerosis", "Sjögren's syndrome"],
        vaccinations=[{"vaccine": "MMR", "date": "2026-09-20"}],
        investigator_judgement={
            "unsuitable": True,
            "reason": "lives abroad",
            "investigator": "Dr Sato",
            "date": "2026-09-20",
        },
    ),
    _record(  # incomplete: each criterion unknown for its own reason
        classification={"eular_acr_2019": {"ana_titre_denominator": 320, "fever": True}},
        prior_medications=[{"drug": "hydroxychloroquine", "route": "oral"}],
        screening_sledai2k={"date": "2026-09-20", "rash": True},
        body_weight=None,
        hepatitis={"hbs_ag": False, "anti_hbc": True, "anti_hbs": True, "anti_hcv": True},
        ast=None,
        malignancies=[_tumour(site="cervix", last_evidence_date="2022-06-01")],
        reproduction=_reproduction(pregnancy_test_date="2026-06-01"),
        other_collagen_diseases=["sarcoidosis"],
        vaccinations=[
            {"vaccine": "mystery vaccine", "date": "2026-09-20"},
            {"vaccine": "influenza (inactivated)", "date": "2026-09-21"},
            {"vaccine": "MMR", "date": "2026-01-01"},
        ],
    ),
    _record(  # incomplete: whole sections not collected yet
        planned_first_dose_date=None,
        classification=None,
        prior_medications=None,
        sle_diagnosis_date=None,
        screening_sledai2k=None,
        consent=None,
        initial_glucocorticoids=None,
        hepatitis=None,
        creatinine=None,
        active_tuberculosis=None,
        malignancies=None,
        suspected_active_infection=None,
        reproduction=None,
        other_collagen_diseases=None,
        vaccinations=None,
        investigator_judgement=None,
    ),
    _record(  # the other ways through E1, E3, E7, E9, E10 and I5
        consent={"date": "2026-10-05", "form_version": "1.0", "obtained_by": "Dr Sato"},
        initial_glucocorticoids=[],
        hepatitis=_hepatitis(
            anti_hbs=True,
            anti_hbs_from_vaccination_only=True,
            anti_hcv=True,
            hcv_rna_detectable=False,
        ),
        malignancies=[
            _tumour(
                site="cervix",
                last_evidence_date="2022-06-01",
                in_situ=True,
                local_therapy_only=True,
                metastasis=False,
            ),
            _tumour(last_evidence_date="2015-01-01"),
        ],
        reproduction=_reproduction(childbearing_potential=False, lactating=True),
        prior_medications=[{"drug": "tacrolimus", "route": "oral", "for_sle": False}],
    ),
    _record(reproduction=_reproduction(pregnant=True), malignancies=[_tumour()]),
    _record(reproduction=_reproduction(pregnancy_test="positive"), vaccinations=[]),
    _record(reproduction=_reproduction(pregnancy_test=None, pregnancy_test_date=None)),
]


def decisions() -> list[ScreeningDecision]:
    return [decide_eligibility(ScreeningRecord.model_validate(c)) for c in CANDIDATES]


def test_the_candidates_cover_met_not_met_unknown_and_missing_inputs() -> None:
    results = [r for d in decisions() for r in d.criteria]
    for criterion in {r.id for r in results}:
        statuses = {r.status.value for r in results if r.id == criterion}
        assert len(statuses) >= 2, (criterion, statuses)
    assert {d.outcome.value for d in decisions()} == {"eligible", "ineligible", "incomplete"}
    assert any(r.missing for r in results)


def test_the_eligibility_panel_has_no_english_left_in_japanese() -> None:
    for decision in decisions():
        with translation.override("ja"):
            text = visible(render_to_string("edc/_decision.html", {"decision": decision}))
        left = english_words(text)
        assert not left, f"English in the Japanese panel: {sorted(set(left))}\n{text}"
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), text


def test_the_eligibility_panel_in_english_says_what_the_command_line_says() -> None:
    from lupustrial.edc.study import eligibility_text

    compared = 0
    for decision in decisions():
        for result in decision.criteria:
            with translation.override("en"):
                worded = eligibility_text.evidence_lines(result)
            assert len(worded) == len(result.evidence), result.id
            for phrase, line, english in zip(
                result.evidence_phrases, worded, result.evidence, strict=True
            ):
                if phrase.code not in eligibility_text.ENGLISH_NAMES_INPUTS:
                    assert line == english, (result.id, phrase.code)
                    compared += 1
    assert compared > 60


def test_every_missing_item_is_named_by_its_label_in_both_languages() -> None:
    from lupustrial.edc.study import eligibility_text

    for decision in decisions():
        for result in decision.criteria:
            with translation.override("en"):
                english = eligibility_text.missing_lines(result)
            with translation.override("ja"):
                japanese = eligibility_text.missing_lines(result)
            assert len(english) == len(japanese) == len(result.missing)
            # No programmer's dotted paths or field names in either language.
            for line in english + japanese:
                assert not re.search(r"[a-z]+[._][a-z]", line.replace("e.g.", "")), line
            assert not english_words(" ".join(japanese)), japanese


ASSESSMENT: dict[str, Any] = {
    "date": "2026-09-20",
    "eular_acr_2019": {"ana_titre_denominator": 320, "fever": True, "joint_involvement": True},
    "acr_1997": {"malar_rash": True, "arthritis": True, "antinuclear_antibody": True},
    "slicc_2012": {"acute_cutaneous_lupus": True, "anti_dsdna": True},
}


@pytest.mark.parametrize(
    "sections",
    [
        ASSESSMENT,
        {"date": "2026-09-20"},
        {
            "date": "2026-09-20",
            "eular_acr_2019": {"ana_titre_denominator": 40},
            "acr_1997": dict.fromkeys(("malar_rash", "discoid_rash"), False),
            "slicc_2012": {"biopsy_proven_lupus_nephritis": True, "anti_dsdna": True},
        },
        {
            "date": "2026-09-20",
            "eular_acr_2019": {
                "ana_titre_denominator": 320,
                "acute_cutaneous_lupus": True,
                "anti_dsdna_or_anti_smith": True,
                "renal_biopsy_class_iii_or_iv": True,
            },
        },
    ],
)
def test_classification_lines_and_not_computed_reasons_in_japanese(
    sections: dict[str, Any],
) -> None:
    from lupustrial.edc.study import derived_text

    result = score_assessment(Assessment.model_validate(sections))
    with translation.override("ja"):
        lines = derived_text.summary_lines(result)
    assert len(lines) == len(result.summary_lines())
    left = english_words(" ".join(lines))
    assert not left, f"English in the Japanese lines: {sorted(set(left))}\n{lines}"


def test_every_screening_field_has_its_help_from_the_catalogue_in_japanese() -> None:
    from lupustrial.edc.study import labels, views

    plan = views._screening_plan({name: [{}] for name in ("prior_medications",)})
    for path, field in plan.fields.items():
        with translation.override("ja"):
            japanese = str(field.help_text or "")
        left = english_words(japanese)
        assert not left, f"{path}: English help {japanese!r}"
        if field.help_text and labels.help_text(path) is not None:
            assert field.help_text == labels.help_text(path), path  # the catalogue's first


def test_every_protocol_term_and_classification_criterion_has_its_words() -> None:
    from lupustrial.clinical import acr_1997, slicc_2012
    from lupustrial.edc.study import classification_text, eligibility_text, labels
    from lupustrial.protocol.config import DEFAULT_PROTOCOL

    config = DEFAULT_PROTOCOL
    lists = (
        config.immunosuppressants,
        config.live_vaccines,
        config.non_live_vaccines,
        config.excluding_collagen_diseases,
        config.allowed_collagen_diseases,
    )
    terms = {term.name for terms in lists for term in terms}
    assert set(eligibility_text.PROTOCOL_TERMS) <= terms
    assert terms <= {*eligibility_text.PROTOCOL_TERMS, *labels.DRUGS}
    names = {c.name for c in (*acr_1997.CRITERIA, *slicc_2012.CRITERIA)}
    assert names == set(classification_text.CRITERION_NAMES)
    with translation.override("ja"):
        for words in (eligibility_text.PROTOCOL_TERMS, classification_text.CRITERION_NAMES):
            untranslated = [name for name, word in words.items() if english_words(str(word))]
            assert not untranslated, untranslated


@pytest.mark.usefixtures("demo")
def test_the_screening_and_subject_pages_give_the_decision_in_japanese() -> None:
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from lupustrial.edc.study import services
    from tests.edc.clients import login

    staff = get_user_model().objects.get(username="coordinator").staff
    staff.language = "ja"
    staff.save()
    client = login("coordinator")
    checked = 0
    for subject in services.visible_subjects(staff.user).exclude(screening=None):
        for page in ("screening", "subject"):
            response = client.get(reverse(page, args=[subject.pk]))
            assert response.status_code == 200, (subject.screening_number, page)
            html = response.content.decode()
            panel = visible(html.split('id="decision"', 1)[1].split("</section>", 1)[0])
            left = english_words(panel)
            assert not left, f"{subject.screening_number} {page}: {sorted(set(left))}\n{panel}"
            checked += 1
    assert checked >= 4


def test_every_phrase_the_protocol_says_has_its_wording() -> None:
    """A code the web layer does not know would show its English: each one is worded."""
    from pathlib import Path

    from lupustrial.edc.study import eligibility_text
    from lupustrial.protocol import exclusion, inclusion

    said = set()
    for module in (inclusion, exclusion):
        assert module.__file__ is not None
        said |= set(re.findall(r'said\(\s*"([a-z0-9_]+)"', Path(module.__file__).read_text()))
    worded = {*eligibility_text._FIXED, *eligibility_text._WORDED, *eligibility_text._MISSING}
    assert len(said) > 40
    assert said <= worded, sorted(said - worded)
    # The codes made from a yes/no's English (`exclusion._judged`, pregnancy) are worded too.
    for decision in decisions():
        for result in decision.criteria:
            for phrase in (*result.evidence_phrases, *result.missing_phrases):
                assert phrase.code in worded, phrase
