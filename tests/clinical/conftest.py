"""Every clinical test builds its results both ways: without validation (as in use) and
validated, and they must serialise identically (`StrictModel.trusted`, issue 19)."""

from __future__ import annotations

import pytest

from lupustrial.clinical import model


@pytest.fixture(autouse=True)
def _check_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "CHECK_RESULTS", True)
