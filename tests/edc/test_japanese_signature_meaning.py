"""Japanese throughout (issue 18): the meaning of the enrolment signature in the reader's language.

The signature's meaning is stored and signed as one fixed English statement (the record, its
trail entry and the ODM Signature keep it: 21 CFR 11.50, 2003 guidance); the pages show that
statement in the reader's language: the page where it is given and the signature lines.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext, override

from lupustrial.edc.study import services
from lupustrial.edc.study.models import Signature, Subject
from tests.edc.clients import login
from tests.edc.test_japanese_eligibility import visible

pytestmark = pytest.mark.usefixtures("demo")


def test_the_statement_signed_reads_in_japanese_and_is_stored_in_english() -> None:
    with override("ja"):
        japanese = gettext(services.ENROLMENT_MEANING)
    assert japanese != services.ENROLMENT_MEANING
    subject = Subject.objects.get(screening_number="S-001")
    client = login("investigator", "ja")
    for url in (reverse("sign_again", args=[subject.pk]), reverse("subject", args=[subject.pk])):
        text = visible(client.get(url).content.decode())
        assert japanese in text, url
        assert services.ENROLMENT_MEANING not in text, url
    assert {s.meaning for s in Signature.objects.all()} == {services.ENROLMENT_MEANING}
    english = visible(login("monitor").get(reverse("subject", args=[subject.pk])).content.decode())
    assert services.ENROLMENT_MEANING in english
