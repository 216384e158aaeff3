"""The demo study's users and sites, and a logged-in client per role."""

from __future__ import annotations

from typing import Any

import pytest

from lupustrial.edc.demo import create_users, load_demo


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests hash with a fast hasher: PBKDF2's deliberate cost is 0.4 s per password here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """Two sites (TKY, OSK) and one user per role, without subjects."""
    return create_users()


@pytest.fixture
def demo(db: Any) -> None:
    """The whole demo study: enrolled subjects with visits, a screen failure, a candidate."""
    load_demo()
