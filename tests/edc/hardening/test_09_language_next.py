"""Finding 9: the language switch returns only to a page of this site (no open redirect,
no 500 on ``javascript:``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.edc.clients import login


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "javascript:alert(document.cookie)",
        "JAVASCRIPT:alert(1)",
        "http:evil.example",
        "\\\\evil.example",
        "",
    ],
)
def test_a_foreign_or_scripted_next_returns_home(people: object, target: str) -> None:
    response = login("coordinator").post(
        reverse("set_language"), {"language": "ja", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_page_of_this_site_is_returned_to(people: object) -> None:
    response = login("coordinator").post(
        reverse("set_language"), {"language": "en", "next": "/subjects/new/?x=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/subjects/new/?x=1"
