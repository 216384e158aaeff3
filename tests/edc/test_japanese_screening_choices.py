"""Japanese throughout (issue 18): the screening form's coded choices in the reader's language.

Sex and the screening pregnancy test are Literals of the screening record
(`protocol.screening`); their choices showed the stored English code on the Japanese form. They
are worded by the catalogue now, and stored as before.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from lupustrial.edc.study.models import Subject
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _options(html: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    found = re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select.group(1), re.S)
    return {value: unescape(text).strip() for value, text in found if value}


def _page(who: str, japanese: bool) -> str:
    client = login(who)
    if japanese:
        client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    subject = Subject.objects.get(screening_number="S-003")
    return client.get(reverse("screening", args=[subject.pk])).content.decode()


def test_sex_and_the_pregnancy_test_are_worded_in_japanese_and_stored_as_codes() -> None:
    japanese = _page("coordinator", japanese=True)
    assert _options(japanese, "sex") == {"female": "女性", "male": "男性"}
    assert _options(japanese, "reproduction.pregnancy_test") == {
        "negative": "陰性",
        "positive": "陽性",
    }
    english = _page("monitor", japanese=False)
    assert _options(english, "sex") == {"female": "female", "male": "male"}
    assert _options(english, "reproduction.pregnancy_test") == {
        "negative": "negative",
        "positive": "positive",
    }
