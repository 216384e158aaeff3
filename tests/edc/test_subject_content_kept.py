"""The subject page's content (`edc/_subject.html`) is rendered once per kept page (issue 19,
`views.SUBJECT_PAGES`), not on every view; each request puts its own CSRF token in it. The
page is the one the whole template gives, for every role, in English and Japanese; a page
kept under one URL prefix is not served under another; the forms it holds take this
request's token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client
from django.urls import reverse, set_script_prefix
from django.utils import timezone, translation

from lupustrial.edc.study import views
from lupustrial.edc.study.models import Subject
from tests.edc.clients import login
from tests.edc.test_dashboard_by_trail import _PER_REQUEST, _page, _subject_url

pytestmark = pytest.mark.usefixtures("demo")

_WHOLE = engines["django"].from_string(
    '{% extends "edc/base.html" %}{% block title %}{{ subject.label }}{% endblock %}'
    '{% block content %}{% include "edc/_subject.html" %}{% endblock %}'
)
"""The page as one template renders it on every request (the subject page before its
content was kept)."""


def _rendered(names: list[str], client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [t.name for t in response.templates if t.name and t.name in names]


def test_a_kept_page_renders_its_content_once() -> None:
    client = login("coordinator")
    url = _subject_url("coordinator")
    views.SUBJECT_PAGES.clear()
    assert _rendered(["edc/_subject.html"], client, url) == ["edc/_subject.html"]
    assert _rendered(["edc/_subject.html"], client, url) == []


@pytest.mark.parametrize("watcher", ["coordinator", "osaka", "monitor", "datamanager"])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_page_is_the_whole_template_s(
    monkeypatch: pytest.MonkeyPatch, watcher: str, language: str
) -> None:
    client = login(watcher, language)
    url = _subject_url(watcher)
    views.SUBJECT_PAGES.clear()
    served = [_page(client, url), _page(client, url)]  # derived, then kept
    captured: dict[str, Any] = {}
    original = views.render  # type: ignore[attr-defined]  # imported there, not re-exported

    def capture(request: HttpRequest, name: str, context: dict[str, Any]) -> HttpResponse:
        captured.update(request=request, context=context)
        response: HttpResponse = original(request, name, context)
        return response

    monkeypatch.setattr(views, "render", capture)
    _page(client, url)
    context = dict(captured["context"])
    del context["content"], context["csrf_token"]
    subject = context["subject"]
    assert isinstance(subject, Subject)
    # As the request renders it: in the reader's language and the subject's site's time.
    with translation.override(language), timezone.override(subject.site.zone):
        whole = _PER_REQUEST.sub(r'\1"', _WHOLE.render(context, captured["request"]))
    assert served == [whole, whole]
    assert views.CSRF_MARK not in whole


def test_a_page_kept_under_one_url_prefix_is_not_served_under_another() -> None:
    """Served below /edc/ (a proxy's SCRIPT_NAME; the test client leaves the prefix to us),
    the page kept at / is not the one shown: its links name /edc/."""
    client = login("coordinator")
    url = _subject_url("coordinator")
    views.SUBJECT_PAGES.clear()
    screening = reverse("screening", args=[Subject.objects.get(screening_number="S-001").pk])
    assert f'href="{screening}"' in _page(client, url)
    set_script_prefix("/edc/")
    try:
        page = _page(client, url)
    finally:
        set_script_prefix("/")
    assert f'href="/edc{screening}"' in page


def test_the_content_s_forms_take_this_request_s_token() -> None:
    """The coordinator's 'unscheduled visit' form is in the kept content: posted with the
    token the page gave, CSRF protection lets it through (a 403 otherwise)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="coordinator"))
    url = _subject_url("coordinator")
    views.SUBJECT_PAGES.clear()
    client.get(url)  # derived
    page = client.get(url).content.decode()  # kept
    form = re.search(r'<form method="post" action="([^"]*/visits/new/)".*?</form>', page, re.S)
    assert form is not None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0))
    assert token is not None
    assert token.group(1) != views.CSRF_MARK
    answer = client.post(form.group(1), {"csrfmiddlewaretoken": token.group(1), "date": ""})
    assert answer.status_code != 403
    refused = client.post(form.group(1), {"csrfmiddlewaretoken": views.CSRF_MARK, "date": ""})
    assert refused.status_code == 403


def test_the_content_renders_without_a_request() -> None:
    """`edc/_subject.html` is rendered from the kept context alone: it reads nothing the
    request's context processors give but the role's menus (`can`) and the CSRF token."""
    # The Django engine's own Template (typed as the backend-neutral one) has its source.
    source = engines["django"].engine.get_template("edc/_subject.html").source  # type: ignore[attr-defined]
    for name in ("request", "user", "profile", "messages", "perms", "LANGUAGE_CODE"):
        assert not re.search(rf"[{{%\s|:]{name}\b", source), name
