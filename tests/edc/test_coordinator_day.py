"""A coordinator's day (issue 18): pages that read as forms, not as stored data."""

from __future__ import annotations

from django.urls import reverse

from lupustrial.edc.study.models import Subject
from tests.edc.clients import login


def test_the_read_only_screening_view_shows_the_form_not_a_raw_dict(demo: None) -> None:
    """Issue 18: a monitor reads the screening data as the form, every field disabled."""
    subject = Subject.objects.exclude(screening=None).order_by("pk").first()
    assert subject is not None
    page = login("monitor").get(reverse("screening", args=[subject.pk])).content.decode()
    assert "{&#x27;" not in page  # the old view printed the stored dict
    assert 'id="screening-form"' not in page
    assert "<fieldset" in page
    assert "disabled" in page
    assert "Save and decide" not in page
