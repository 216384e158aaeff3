"""Finding 6: the API's Swagger UI comes from django-ninja's own static files (no CDN), and
the API document and its page are for signed-in users only."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("people")


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_a_stranger_is_sent_to_log_in(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_swagger_ui_is_served_by_the_application_itself() -> None:
    client = login("monitor")
    page = client.get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert "/static/ninja/swagger-ui.css" in sources
    assert all(source.startswith("/") and not source.startswith("//") for source in sources)
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert client.get("/api/openapi.json").json()["info"]["title"] == "lupustrial"
