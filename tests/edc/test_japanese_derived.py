"""Derived results, drug names and routes in Japanese (issue 18): no English left.

The clinical layer gives each LLDAS / DORIS component's evidence as codes and values
(`ComponentFinding.reasons`) beside its English (`evidence`); the pages word the codes in the
reader's language (`edc.study.derived_text`). These tests generate many assessments, so that
every reason the clinical layer can give is seen, and check the Japanese wording of each one
holds no English word, and the English stays the clinical layer's, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from lupustrial.clinical import assessment, components
from lupustrial.clinical.components import ComponentFinding, CompositeResult
from lupustrial.clinical.doris import DorisInput, assess_doris_remission
from lupustrial.clinical.glucocorticoids import UNDATED_ASSESSMENT
from lupustrial.clinical.lldas import LldasInput, LldasThresholds, assess_lldas
from lupustrial.clinical.sledai2k import DESCRIPTORS, Sledai2kInput, Sledai2kResult, score_sledai2k
from lupustrial.edc.study import derived_text, labels
from lupustrial.edc.study.models import Subject
from tests.edc.clients import login
from tests.edc.test_japanese_throughout import _speaks, _visible_text

ALLOWED = {"SLEDAI", "PGA", "LLDAS", "DORIS", "EULAR", "ACR", "SLICC", "BNF", "DNA"}
"""Names every language writes in Latin letters."""

ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def english_words(text: str) -> list[str]:
    """Words of three or more Latin letters that are not an instrument's name."""
    return [word for word in ENGLISH_WORD.findall(text) if word not in ALLOWED]


CODES = [d.code for d in DESCRIPTORS]
ALL_REASON_CODES = {
    *components.PHRASES,
    "not_recorded",
    "present",
    "compared",
    "sledai_within",
    "sledai_above",
    "sledai_may_exceed",
    "major_organ_activity",
    "major_organ_not_assessed",
    "new_features",
    "no_new_feature",
    "cannot_tell_new",
    "clinical_sledai",
    "clinical_sledai_active",
    "clinical_sledai_not_assessed",
}


def _three(rnd: random.Random, yes: float = 0.3) -> bool | None:
    draw = rnd.random()
    return None if draw < 0.15 else draw < 0.15 + yes


def _sledai(rnd: random.Random, date: dt.date | None) -> Sledai2kResult:
    values: dict[str, Any] = {"date": date}
    if rnd.random() < 0.3:  # a quiet visit, every descriptor assessed
        values |= {code: rnd.random() < 0.03 for code in CODES}
        return score_sledai2k(Sledai2kInput.model_validate(values))
    for code in CODES:
        value = _three(rnd, 0.15)
        if value is not None:
            values[code] = value
    return score_sledai2k(Sledai2kInput.model_validate(values))


def _glucocorticoids(rnd: random.Random) -> dict[str, Any]:
    choice = rnd.randrange(4)
    prednisolone = {"drug": "prednisolone", "dose": {"value": 5, "unit": "mg"}}
    if choice == 0:
        return {}
    if choice == 1:
        return {"prednisolone_mg_per_day": rnd.choice([0, 5, 7.5, 8, 30])}
    if choice == 2:
        methylprednisolone = {
            "drug": "methylprednisolone",
            "dose": {"value": 4, "unit": "mg"},
            "route": "intravenous",
        }
        return {"glucocorticoids": rnd.choice([[], [prednisolone, methylprednisolone]])}
    return {
        "glucocorticoids": [
            {**prednisolone, "start_date": "2026-01-01"},
            {"drug": "prednisone", "dose": {"value": 10, "unit": "mg"}, "end_date": "2026-01-05"},
        ]
    }


def composites(n: int = 600, seed: int = 18) -> Iterator[CompositeResult]:
    """LLDAS and DORIS results of ``n`` random visits: every status of every component."""
    rnd = random.Random(seed)
    for _ in range(n):
        day = rnd.choice([None, dt.date(2026, 1, 10)])
        doses = _glucocorticoids(rnd)
        now = _sledai(rnd, day)
        before = _sledai(rnd, None) if rnd.random() < 0.7 else None
        yield assess_lldas(
            LldasInput(
                sledai2k=now,
                previous_sledai2k=before,
                haemolytic_anaemia=_three(rnd),
                gastrointestinal_activity=_three(rnd),
                previous_haemolytic_anaemia=_three(rnd),
                previous_gastrointestinal_activity=_three(rnd),
                pga=rnd.choice([None, 0, 0.5, 1, 1.2, 3]),
                maintenance_therapy_standard_and_tolerated=_three(rnd, 0.6),
                **doses,
            ),
            LldasThresholds(sledai2k_max=rnd.choice([4, 6])),
        )
        yield assess_doris_remission(
            DorisInput(
                sledai2k=now,
                pga=rnd.choice([None, 0, 0.4, 0.5]),
                maintenance_therapy_stable=_three(rnd, 0.6),
                **doses,
            )
        )


def findings() -> list[ComponentFinding]:
    return [c for result in composites() for c in result.components]


def test_the_generated_visits_give_every_reason_the_clinical_layer_has() -> None:
    seen = {reason.code for finding in findings() for reason in finding.reasons}
    assert seen == ALL_REASON_CODES


def test_every_component_evidence_in_japanese_has_no_english_word() -> None:
    left: dict[str, str] = {}
    with translation.override("ja"):
        for finding in findings():
            text = derived_text.component_evidence(finding)
            if english_words(text):
                left[finding.evidence] = text
    assert not left, list(left.items())[:5]


def test_the_japanese_evidence_keeps_the_values() -> None:
    lldas = assess_lldas(
        LldasInput(
            sledai2k=score_sledai2k(
                Sledai2kInput.model_validate(
                    {**dict.fromkeys(CODES, False), "proteinuria": True, "arthritis": True}
                )
            ),
            pga=0.5,
            glucocorticoids=[{"drug": "methylprednisolone", "dose": {"value": 8, "unit": "mg"}}],
        )
    )
    with translation.override("ja"):
        words = [derived_text.component_evidence(c) for c in lldas.components]
    assert words[0] == "SLEDAI-2K 8 > 4；主要臓器の活動性:蛋白尿"
    assert words[1] == "前回の評価なし"
    assert words[2] == "PGA 0.5 ≤ 1"
    assert words[3] == "プレドニゾロン換算量 10 mg/日 > 7.5 mg/日(メチルプレドニゾロン 8 mg/日)"
    assert words[4] == "維持療法が標準用量で忍容性あり:未記録"


def test_english_evidence_is_the_clinical_layers_own() -> None:
    with translation.override("en"):
        for finding in findings():
            assert derived_text.component_evidence(finding) == finding.evidence
            # The catalogue's English words the codes as the clinical layer does (names of
            # descriptors aside: the pages name them by their labels).
            for reason in finding.reasons:
                if (
                    not reason.values.get("features")
                    and reason.values.get("item") not in labels.LABELS
                ):
                    assert derived_text.reason_text(reason) == components.english(reason)


def test_the_fixed_phrases_are_the_clinical_layers_words() -> None:
    with translation.override("en"):
        assert {k: str(v) for k, v in labels.REASON_PHRASES.items()} == components.PHRASES
    with translation.override("ja"):
        for phrase in labels.REASON_PHRASES.values():
            assert not english_words(str(phrase)), phrase


def test_every_not_computed_reason_and_instrument_is_worded_in_japanese() -> None:
    reasons = {
        assessment.NO_SLEDAI2K,
        assessment.NO_GLUCOCORTICOIDS,
        assessment.NEEDS_SLEDAI2K,
        assessment.NO_SECTION,
        UNDATED_ASSESSMENT,
    }
    assert set(labels.NOT_COMPUTED_REASONS) == reasons
    with translation.override("en"):
        # What the dataset's lldas_summary says for a visit without SLEDAI-2K stays so.
        assert derived_text.not_computed_reason(assessment.NEEDS_SLEDAI2K) == "needs the SLEDAI-2K"
    result = assessment.score_assessment(
        assessment.Assessment(
            date=dt.date(2026, 1, 10),
            glucocorticoids=[
                {
                    "drug": "prednisolone",
                    "dose": {"value": 5, "unit": "mg"},
                    "start_date": "2026-01-01",
                }
            ],
        )
    ).model_copy(update={"date": None})
    undated = assessment.score_assessment(
        assessment.Assessment(
            glucocorticoids=[
                {
                    "drug": "prednisolone",
                    "dose": {"value": 5, "unit": "mg"},
                    "start_date": "2026-01-01",
                }
            ],
        )
    )
    with translation.override("ja"):
        for scored in (result, undated):
            lines = derived_text.summary_lines(scored)
            assert lines
            for line in lines:
                assert not english_words(line), line
        assert any("DORIS寛解" in line for line in derived_text.summary_lines(result))


def test_drug_and_route_names_in_the_prednisolone_line() -> None:
    result = assessment.score_assessment(
        assessment.Assessment(
            glucocorticoids=[
                {"drug": "prednisolone", "dose": {"value": 10, "unit": "mg"}},
                {
                    "drug": "methylprednisolone",
                    "dose": {"value": 500, "unit": "mg"},
                    "route": "intravenous",
                },
            ]
        )
    )
    assert result.prednisolone is not None
    with translation.override("ja"):
        line = derived_text.prednisolone_line(result.prednisolone)
    assert "プレドニゾロン 10 mg/日 経口" in line
    assert "メチルプレドニゾロン 500 mg/日 静脈内" in line
    assert not english_words(line), line
    with translation.override("en"):
        english = derived_text.prednisolone_line(result.prednisolone)
    assert "prednisolone 10 mg/day oral" in english
    assert "methylprednisolone 500 mg/day intravenous" in english


def test_the_catalogue_words_every_coded_drug_and_route() -> None:
    from lupustrial.clinical.glucocorticoids import Glucocorticoid
    from lupustrial.protocol.config import IMMUNOSUPPRESSANTS_AND_IMMUNOMODULATORS
    from lupustrial.protocol.crfs import DoseUnit, Route

    drugs = [g.value for g in Glucocorticoid]
    drugs += [t.name.lower() for t in IMMUNOSUPPRESSANTS_AND_IMMUNOMODULATORS]
    assert set(drugs) <= set(labels.DRUGS)
    assert {r.value for r in Route} == set(labels.ROUTES)
    with translation.override("ja"):
        for words in (labels.DRUGS, labels.ROUTES, labels.DOSE_UNITS):
            for code, word in words.items():
                assert not english_words(str(word)), code
        assert labels.value_word("medications.0.drug", "Tacrolimus") == "タクロリムス"
        assert labels.value_word("medications.0.drug", "amlodipine") == "amlodipine"
        assert labels.value_word("medications.0.route", "subcutaneous") == "皮下"
        assert labels.value_word("medications.0.dose_unit", DoseUnit.TABLETS.value) == "錠"
        assert labels.value_word("medications.0.indication", "oral") == "oral"
    with translation.override("en"):
        assert labels.value_word("doses.0.drug", "prednisolone") == "prednisolone"


def _derived_section(page: str) -> str:
    return _visible_text(page.split('id="derived"', 1)[1].split("</section>", 1)[0])


@pytest.mark.usefixtures("demo")
def test_every_demo_visit_page_derives_in_japanese_without_english() -> None:
    _speaks("datamanager", "ja")
    client = login("datamanager")
    shown = 0
    for subject in Subject.objects.all():
        for visit in subject.visits.all():
            page = client.get(reverse("visit", args=[visit.pk])).content.decode()
            if 'id="derived"' not in page:
                continue
            section = _derived_section(page)
            assert not english_words(section), (visit.code, english_words(section), section)
            shown += 1
    assert shown >= 4
    w0 = Subject.objects.get(screening_number="S-001").visits.get(code="W0")
    section = _derived_section(client.get(reverse("visit", args=[w0.pk])).content.decode())
    assert "前回の評価なし" in section
    assert "プレドニゾロン 30 mg/日 経口" in section
    assert "DORIS寛解" in section


@pytest.mark.usefixtures("demo")
def test_the_subject_page_and_casebook_derive_in_japanese() -> None:
    _speaks("datamanager", "ja")
    client = login("datamanager")
    subject = Subject.objects.get(screening_number="S-001")
    page = client.get(reverse("subject", args=[subject.pk])).content.decode()
    cells = re.findall(r"<td>((?:<div>[^<]*</div>)+)</td>", page)
    assert cells, "no derived lines on the subject page"
    for cell in cells:
        assert not english_words(_visible_text(cell)), _visible_text(cell)
    from lupustrial.edc.study.casebook import render_casebook

    with translation.override("ja"):
        book = render_casebook(subject, exported_by="test")
    derived = re.findall(r'<ul class="derived">(.*?)</ul>', book, re.S)
    assert derived
    for block in derived:
        assert not english_words(_visible_text(block)), _visible_text(block)
    assert "プレドニゾロン" in book
    assert "経口" in book


@pytest.mark.usefixtures("demo")
def test_drug_route_and_unit_choices_and_values_in_japanese() -> None:
    _speaks("coordinator", "ja")
    client = login("coordinator")
    w0 = Subject.objects.get(screening_number="S-001").visits.get(code="W0")
    page = client.get(reverse("crf", args=[w0.pk, "glucocorticoids"])).content.decode()
    assert re.search(r'<option value="prednisolone"[^>]*>プレドニゾロン</option>', page)
    assert re.search(r'<option value="intravenous"[^>]*>静脈内</option>', page)
    page = client.get(reverse("crf", args=[w0.pk, "medications"])).content.decode()
    assert re.search(r'<option value="subcutaneous"[^>]*>皮下</option>', page)
    assert re.search(r'<option value="tablets"[^>]*>錠</option>', page)
    from lupustrial.edc.study.casebook import render_casebook

    with translation.override("ja"):
        book = _visible_text(render_casebook(w0.subject, exported_by="test"))
    assert not re.search(r"\b(prednisolone|oral)\b", book), "raw drug or route in the casebook"
    _speaks("coordinator", "en")
    with translation.override("en"):
        page = client.get(reverse("crf", args=[w0.pk, "glucocorticoids"])).content.decode()
    assert re.search(r'<option value="prednisolone"[^>]*>prednisolone</option>', page)


@pytest.mark.usefixtures("demo")
def test_the_report_page_words_the_patients_reasons_in_the_readers_language() -> None:
    _speaks("statistician", "ja")
    client = login("statistician")
    page = client.get(reverse("study_report")).content.decode()
    assert "主要評価項目" in page
    assert "非奏効" in page or "継続中" in page
    assert "not yet due" not in page
    assert "counted as non-response" not in page
    _speaks("statistician", "en")
    with translation.override("en"):
        english = client.get(reverse("study_report")).content.decode()
    assert "Primary endpoint" in english
    assert "主要評価項目" not in english


@pytest.mark.parametrize("published", [True, False])
def test_component_names_in_japanese_at_any_limits(published: bool) -> None:
    """A protocol may set other limits (ProtocolConfig.lldas / .doris); the names state them."""
    from lupustrial.clinical.doris import DORIS_PUBLISHED, DorisThresholds
    from lupustrial.clinical.lldas import LLDAS_PUBLISHED

    lldas_limits = (
        LLDAS_PUBLISHED
        if published
        else LldasThresholds(sledai2k_max=6, pga_max=1.5, prednisolone_max_mg_per_day=10)
    )
    doris_limits = (
        DORIS_PUBLISHED
        if published
        else DorisThresholds(
            clinical_sledai2k_max=2,
            pga_below=1,
            prednisolone_max_mg_per_day=7.5,
            prednisolone_inclusive=False,
        )
    )
    quiet = score_sledai2k(Sledai2kInput.model_validate(dict.fromkeys(CODES, False)))
    results = [
        assess_lldas(LldasInput(sledai2k=quiet), lldas_limits),
        assess_doris_remission(DorisInput(sledai2k=quiet), doris_limits),
    ]
    for finding in (c for r in results for c in r.components):
        with translation.override("en"):
            assert derived_text.component_name(finding) == finding.name
        with translation.override("ja"):
            japanese = derived_text.component_name(finding)
        assert not english_words(japanese), japanese
        for limit in re.findall(r"\d+(?:\.\d+)?", finding.name.replace("SLEDAI-2K", "")):
            assert limit in japanese, (finding.name, japanese)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("code", ["infusion", "disease_activity", "pregnancy_test"])
def test_the_treatment_and_disease_activity_forms_in_japanese(code: str) -> None:
    """Their help (from the model's descriptions until now) and coded choices in Japanese."""
    _speaks("coordinator", "ja")
    w4 = Subject.objects.get(screening_number="S-001").visits.get(code="W4")
    page = login("coordinator").get(reverse("crf", args=[w4.pk, code])).content.decode()
    form = _visible_text("<main" + page.split("<main", 1)[1])
    # Names every language writes in Latin letters: the sources cited, the time zone, units,
    # and who saved the form (a user name).
    names = {"Franklyn", "van", "Vollenhoven", "JST", "mcg", "coordinator", "TKY"}
    left = [w for w in english_words(form) if w not in names]
    assert not left, left
