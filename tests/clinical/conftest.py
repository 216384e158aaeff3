"""Every clinical test builds its results both ways: without validation (as in use) and
validated, and they must serialise identically (`StrictModel.trusted`, issue 19).

Building each result twice makes the property tests' examples slower, and the machines the
suite runs on are shared: each example may take up to 2 s (Hypothesis's default is 200 ms,
which a busy 2-core machine exceeded at 519 ms on a single example; the profile, once loaded,
holds for the whole test session).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import settings

from lupustrial.clinical import model

settings.register_profile("clinical-checked", deadline=dt.timedelta(seconds=2))
settings.load_profile("clinical-checked")


@pytest.fixture(autouse=True)
def _check_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "CHECK_RESULTS", True)
