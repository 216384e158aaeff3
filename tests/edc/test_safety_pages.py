"""The safety page (rules in force, RSI, CTCAE lookup): who sees it, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.edc.clients import login

pytestmark = pytest.mark.django_db


def test_investigator_sees_the_reporting_rules_with_sources_and_notes(
    people: dict[str, Any],
) -> None:
    page = login("investigator").get("/safety/").content.decode()
    assert 'id="rule-CRB-7"' in page
    assert "7 days" in page
    assert "Art. 54" in page
    assert "Not confirmed" not in page  # every rule of the off-label table is confirmed
    assert "The 30 days some summaries give are" in page
    assert "may lead to disability" in page
    assert "Not yet confirmed by the principal investigator." in page
    assert "herpes zoster" in page


def test_the_japanese_page_shows_japanese_labels_and_english_ctcae_terms(
    people: dict[str, Any],
) -> None:
    profile = people["users"]["datamanager"].staff
    profile.language = "ja"
    profile.save()
    page = login("datamanager").get("/safety/?q=shingles").content.decode()
    assert "安全性報告" in page
    assert "障害につながるおそれのある疾病等" in page
    assert "同項第4号（承認内の医薬品等）の期限" in page
    assert "Shingles" in page  # no Japanese CTCAE names ship
    assert "10040555" in page


def test_ctcae_lookup_gives_codes_and_grade_definitions(people: dict[str, Any]) -> None:
    fragment = login("coordinator").get("/safety/ctcae/?q=anaphylaxis").content.decode()
    assert "Anaphylaxis" in fragment
    assert "10002218" in fragment
    assert "Death" in fragment  # grade 5
    other = login("coordinator").get("/safety/ctcae/?q=infections and infestations").content
    assert b"give the MedDRA code of what is specified" in other
    none = login("coordinator").get("/safety/ctcae/?q=zzzz").content.decode()
    assert "record it as free text, flagged not coded" in none


@pytest.mark.parametrize("url", ["/safety/", "/safety/ctcae/?q=rash"])
def test_roles_without_subject_access_are_refused(people: dict[str, Any], url: str) -> None:
    assert login("statistician").get(url).status_code == 403
    assert login("admin").get(url).status_code == 403


def test_the_adverse_event_form_offers_the_ctcae_lookup(demo: None) -> None:
    from lupustrial.edc.study.models import Subject, Visit

    visit = Visit.objects.filter(subject__screening_number="S-001", code="W4").get()
    subject = Subject.objects.get(screening_number="S-001")
    page = login("investigator").get(f"/subjects/{subject.pk}/adverse-events/new/").content
    text = page.decode()
    assert 'hx-get="/safety/ctcae/"' in text
    assert "837 terms with their MedDRA codes" in text
    other = login("investigator").get(f"/visits/{visit.pk}/forms/labs/").content.decode()
    assert "/safety/ctcae/" not in other
