"""Japanese throughout (issue 18): pages a Japanese-speaking user reads hold no English leftovers.

Each test signs in as a demo user whose staff.language is "ja", renders the page, and checks the
Japanese text; the English counterpart forces English with `translation.override("en")` because
Django's test client can leave Japanese active in the thread.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from lupustrial.edc.study.models import Subject
from tests.edc.clients import login

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SLASH_DATE = re.compile(r"\b\d{4}/\d{2}/\d{2}\b")


def _visible_text(html: str) -> str:
    """The text a reader sees: no tags (so no attributes, hrefs or input values), no scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _speaks(username: str, language: str) -> None:
    staff = get_user_model().objects.get(username=username).staff
    staff.language = language
    staff.save()


def _pages() -> list[str]:
    subject = Subject.objects.get(screening_number="S-001")
    return [
        reverse("home"),
        reverse("subject", args=[subject.pk]),
        reverse("visit_calendar") + "?month=2026-12",
        reverse("status_grid", args=["TKY"]),
        reverse("pharmacy"),
    ]


@pytest.mark.usefixtures("demo")
def test_dates_in_japanese_pages_are_written_the_japanese_way() -> None:
    _speaks("coordinator", "ja")
    client = login("coordinator")
    for url in _pages():
        response = client.get(url)
        assert response.status_code == 200, url
        text = _visible_text(response.content.decode())
        found = [text[max(0, m.start() - 60) : m.end()] for m in ISO_DATE.finditer(text)]
        assert not found, f"{url}: ISO dates in {found[:4]}"
    subject_page = _visible_text(client.get(_pages()[1]).content.decode())
    assert SLASH_DATE.search(subject_page)


@pytest.mark.usefixtures("demo")
def test_dates_in_english_pages_stay_iso() -> None:
    _speaks("coordinator", "en")
    client = login("coordinator")
    with translation.override("en"):
        for url in _pages():
            response = client.get(url)
            assert response.status_code == 200, url
            text = _visible_text(response.content.decode())
            assert not SLASH_DATE.findall(text), f"{url}: {SLASH_DATE.findall(text)[:3]}"
        subject_page = _visible_text(client.get(_pages()[1]).content.decode())
    assert ISO_DATE.search(subject_page)


ENGLISH_DERIVED = (
    "without major activity",
    "No new activity",
    "Standard maintenance therapy",
    "Stable maintenance therapy",
    "Prednisolone ≤",
    "Prednisolone equivalent",
    "mg/day",
    "(clinical ",
    "no descriptor",
    "not assessed:",
    "components)",
    "prednisolone equivalent",
    "maintenance therapy",
    "no new feature",
    "DORIS remission",
    " oral",
)


def _w12() -> Any:
    return Subject.objects.get(screening_number="S-001").visits.get(code="W12")


@pytest.mark.usefixtures("demo")
def test_lldas_doris_and_the_derived_lines_in_japanese() -> None:
    _speaks("coordinator", "ja")
    page = login("coordinator").get(reverse("visit", args=[_w12().pk])).content.decode()
    section = page.split('id="derived"', 1)[1].split("</section>", 1)[0]
    # The summary lines, the component names and each component's evidence (after the dash).
    derived = _visible_text(section)
    for japanese in (
        "主要臓器の活動性なし",
        "新たな疾患活動性なし",
        "標準的な維持療法",
        "安定した維持療法",
    ):
        assert japanese in derived
    assert "プレドニゾロン換算" in derived
    assert "mg/日" in derived
    left = [phrase for phrase in ENGLISH_DERIVED if phrase in derived]
    assert not left, f"English left in the derived section: {left}\n{derived}"


@pytest.mark.usefixtures("demo")
def test_lldas_doris_and_the_derived_lines_stay_english_in_english() -> None:
    _speaks("coordinator", "en")
    with translation.override("en"):
        page = login("coordinator").get(reverse("visit", args=[_w12().pk])).content.decode()
    assert "Standard maintenance therapy" in page
    assert "Prednisolone equivalent" in page
    assert "標準的な維持療法" not in page


def test_every_published_lldas_and_doris_component_has_its_words_in_the_catalogue() -> None:
    from lupustrial.clinical import doris, lldas
    from lupustrial.clinical.doris import DorisThresholds, doris_components
    from lupustrial.edc.study import labels

    strict = doris_components(
        DorisThresholds(clinical_sledai2k_max=2, prednisolone_inclusive=False)
    )
    codes = {c.code for c in (*lldas.COMPONENTS, *doris.COMPONENTS, *strict)}
    assert codes == set(labels.COMPONENT_NAMES)
    with translation.override("ja"):
        for component in (*lldas.COMPONENTS, *doris.COMPONENTS):
            assert str(labels.COMPONENT_NAMES[component.code]) != component.name


def test_the_2019_eular_acr_definitions_are_the_sources_and_in_japanese() -> None:
    from lupustrial.clinical import eular_acr_2019
    from lupustrial.edc.study import labels

    for code, item in eular_acr_2019.ITEM_BY_CODE.items():
        path = f"classification.eular_acr_2019.{code}"
        with translation.override("en"):
            assert str(labels.help_text(path)).startswith(item.definition), code
            assert "(Aringer 2019)" in str(labels.help_text(path))
        with translation.override("ja"):
            japanese = str(labels.help_text(path))
            assert japanese != str(item.definition), code
            assert "(Aringer 2019)" in japanese, code
    # The SLEDAI-2K's fever is another definition (> 38 °C, Gladman 2002).
    with translation.override("en"):
        assert "38.3" in str(labels.help_text("classification.eular_acr_2019.fever"))
        assert "38.3" not in str(labels.help_text("sledai2k.fever"))


@pytest.mark.usefixtures("demo")
def test_the_screening_form_gives_the_classification_definitions_in_japanese() -> None:
    _speaks("coordinator", "ja")
    subject = Subject.objects.get(screening_number="S-001")
    page = login("coordinator").get(reverse("screening", args=[subject.pk])).content.decode()
    assert "直接抗グロブリン" in page  # autoimmune haemolysis: the direct Coombs test
    assert "Evidence of hemolysis" not in page
    assert "observed by a clinician" not in page


def test_templates_name_a_format_setting_rather_than_a_date_pattern() -> None:
    """One place per language decides how dates read (edc/formats); ISO stays in machine values
    (URL parameters and element ids, written with single quotes in the templates)."""
    from pathlib import Path

    import lupustrial.edc

    allowed = {"SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "DATETIME_FORMAT"}
    allowed |= {"YEAR_MONTH_FORMAT", "T", "H:i:s"}
    templates = Path(lupustrial.edc.__file__).parent / "templates"
    found = {
        f"{path.name}: {pattern}"
        for path in templates.rglob("*.html")
        for pattern in re.findall(r'\|date:"([^"]*)"', path.read_text(encoding="utf-8"))
        if pattern not in allowed
    }
    assert not found, sorted(found)
