"""Every page of the demo study opens for the roles that may see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lupustrial.edc.study.crfs import CRFS
from lupustrial.edc.study.models import Subject, Visit
from tests.edc.clients import login


@pytest.mark.usefixtures("demo")
def test_every_page_of_an_enrolled_subject_opens_for_the_investigator() -> None:
    client = login("investigator")
    subject = Subject.objects.get(screening_number="S-001")
    w12 = Visit.objects.get(subject=subject, code="W12")
    urls = [
        reverse("home"),
        reverse("register"),
        reverse("subject", args=[subject.pk]),
        reverse("screening", args=[subject.pk]),
        reverse("audit_trail", args=[subject.pk]),
        reverse("visit", args=[w12.pk]),
        *(reverse("crf", args=[w12.pk, crf.code]) for crf in CRFS),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("visit", args=[w12.pk])).content.decode()
    assert "LLDAS" in page


@pytest.mark.usefixtures("demo")
def test_screening_pages_of_every_candidate_open() -> None:
    client = login("coordinator")
    for subject in Subject.objects.filter(site__code="TKY"):
        assert client.get(reverse("screening", args=[subject.pk])).status_code == 200
        assert client.get(reverse("subject", args=[subject.pk])).status_code == 200
