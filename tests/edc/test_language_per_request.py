"""A user's language holds for their own request only.

The language middleware once activated the user's language and left it active in the worker
thread, so the next request or a job run in that thread (and, in the suite, the next test)
spoke Japanese to an English reader.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from tests.edc.clients import login


def test_a_japanese_users_request_leaves_the_threads_language_alone(people: Any) -> None:
    staff = get_user_model().objects.get(username="coordinator").staff
    staff.language = "ja"
    staff.save(update_fields=["language"])
    with translation.override("en"):
        response = login("coordinator").get(reverse("home"))
        assert response.headers["Content-Language"] == "ja"
        assert translation.get_language() == "en"
