"""Issue 14, finding 3: a subject's audit page shows that subject's entries, by primary key.

An OSK user who registered a candidate under another site's subject ID (`TKY-001`) saw
TKY-001's whole trail on that candidate's audit page, because the page filtered by label.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.urls import reverse

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.study import services
from lupustrial.edc.study.identifiers import SCREENING_NUMBER, SUBJECT_ID
from lupustrial.edc.study.models import Subject
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _osaka() -> User:
    return get_user_model().objects.get(username="osaka")


def test_a_screening_number_in_the_form_of_a_subject_id_is_refused() -> None:
    with pytest.raises(services.RuleError, match="S-"):
        services.register_candidate(_osaka(), Site.objects.get(code="OSK"), "TKY-001", "X", "M1")
    response = login("osaka").post(
        reverse("register"),
        {"site": Site.objects.get(code="OSK").pk, "screening_number": "TKY-001",
         "name": "X", "medical_record_number": "M1"},
    )  # fmt: skip
    assert not Subject.objects.filter(screening_number="TKY-001").exists()
    assert "S-" in response.content.decode()


def test_the_formats_are_disjoint_and_the_demo_follows_them() -> None:
    for subject in Subject.objects.all():
        assert SCREENING_NUMBER.fullmatch(subject.screening_number)
        assert subject.subject_id is None or SUBJECT_ID.fullmatch(subject.subject_id)
        assert not SUBJECT_ID.fullmatch(subject.screening_number)
        assert subject.subject_id is None or not SCREENING_NUMBER.fullmatch(subject.subject_id)


def test_entries_name_the_subject_by_primary_key() -> None:
    subject = Subject.objects.get(subject_id="TKY-001")
    entries = AuditEntry.objects.filter(subject__in=["S-001", "TKY-001"])
    assert entries.exists()
    assert set(entries.values_list("subject_ref", flat=True)) == {subject.pk}


def test_a_candidate_whose_label_matches_another_subject_sees_only_its_own_trail() -> None:
    tky = Subject.objects.get(subject_id="TKY-001")
    candidate = services.register_candidate(
        _osaka(), Site.objects.get(code="OSK"), "S-777", "Taro Osaka", "OSK-MRN-1"
    )
    # A label collision as an older database may hold one (before the formats were checked).
    Subject.objects.filter(pk=candidate.pk).update(screening_number="TKY-001")
    page = login("osaka").get(reverse("audit_trail", args=[candidate.pk])).content.decode()
    rows = page.count("<tr") - 1
    assert rows == AuditEntry.objects.filter(subject_ref=candidate.pk).count()
    assert AuditEntry.objects.filter(subject_ref=tky.pk).count() > rows
    assert "sledai2k" not in page


def test_a_site_code_that_could_not_make_a_subject_id_is_refused() -> None:
    response = login("admin").post(
        reverse("study_admin:accounts_site_add"),
        {"code": "S", "name": "One letter", "time_zone": "Asia/Tokyo", "reason": "test"},
    )
    assert "two to ten capitals" in response.content.decode()
    assert not Site.objects.filter(code="S").exists()


def test_every_entry_about_a_subject_carries_its_key() -> None:
    about_subjects = AuditEntry.objects.exclude(subject="")
    assert about_subjects.exists()
    assert not about_subjects.filter(subject_ref__isnull=True).exists()
