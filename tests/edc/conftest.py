"""The demo study's users and sites, and a logged-in client per role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lupustrial.edc.demo import create_users, load_demo


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests hash with a fast hasher: PBKDF2's deliberate cost is 0.4 s per password here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _data_dir(
    settings: Any, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test's own data directory (apart from tmp_path): its own audit key and checkpoints."""
    settings.DATA_DIR = tmp_path_factory.mktemp("data")
    monkeypatch.delenv("LUPUSTRIAL_AUDIT_KEY", raising=False)
    monkeypatch.delenv("LUPUSTRIAL_AUDIT_OLD_KEYS", raising=False)
    return Path(settings.DATA_DIR)


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """Two sites (TKY, OSK) and one user per role, without subjects."""
    return create_users()


@pytest.fixture
def demo(db: Any) -> None:
    """The whole demo study: enrolled subjects with visits, a screen failure, a candidate."""
    load_demo()
