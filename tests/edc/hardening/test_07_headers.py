"""Finding 7: a Content-Security-Policy without inline script or style, HSTS and the HTTPS
redirect behind the documented reverse proxy, no-store on pages and API answers, and
``check --deploy`` clean under the production settings."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from lupustrial.edc.study.models import Subject
from tests.edc.clients import login

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION = {
    "LUPUSTRIAL_SECRET_KEY": secrets.token_urlsafe(50),
    "LUPUSTRIAL_ALLOWED_HOSTS": "lupustrial.example",
    "LUPUSTRIAL_SECURE_COOKIES": "1",
    "LUPUSTRIAL_COLLECTED_STATIC": "1",
}


def _django(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``python -m django`` in a fresh process with the README's production environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUPUSTRIAL_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(PRODUCTION, LUPUSTRIAL_DATA_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-m", "django", *args, "--settings", "lupustrial.edc.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )


def _pages() -> list[str]:
    subject = Subject.objects.get(screening_number="S-001")
    visit = subject.visits.get(code="W12")
    return [
        reverse("home"),
        reverse("subject", args=[subject.pk]),
        reverse("screening", args=[subject.pk]),
        reverse("visit", args=[visit.pk]),
        reverse("crf", args=[visit.pk, "sledai2k"]),
        reverse("audit_trail", args=[subject.pk]),
        "/api/docs",
    ]


def test_check_deploy_is_clean_under_the_production_settings(tmp_path: Path) -> None:
    result = _django(["check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.usefixtures("demo")
def test_every_page_has_the_policy_and_no_inline_script_or_style() -> None:
    client = login("investigator")
    for path in _pages():
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "style-src 'self';" in policy
        assert "unsafe-inline" not in policy
        html = response.content.decode()
        inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
        assert not inline_scripts, (path, inline_scripts)
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), path


@pytest.mark.usefixtures("demo")
def test_pages_and_api_answers_are_not_stored_and_static_files_are() -> None:
    client = login("investigator")
    subject = Subject.objects.get(screening_number="S-001")
    for path in [*_pages(), f"/api/subjects/{subject.pk}", "/api/openapi.json", reverse("login")]:
        assert "no-store" in client.get(path)["Cache-Control"], path
    static = client.get("/static/edc/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")


@pytest.mark.usefixtures("people")
@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_behind_the_proxy_https_is_kept_and_plain_http_redirected() -> None:
    plain = Client().get("/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/login/"
    proxied = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200  # no redirect loop behind the TLS-terminating proxy
    assert proxied["Strict-Transport-Security"] == "max-age=31536000"


def test_the_production_environment_turns_the_https_settings_on(tmp_path: Path) -> None:
    names = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER"]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = _django(["shell", "-c", code], tmp_path)
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }
