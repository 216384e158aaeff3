"""Counting the calls of a function a module imported, for the tests that show a kept result is
reused (nothing derived again) and that a change derives it afresh."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest


def count_calls(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str) -> list[int]:
    """``module.name`` replaced, for the test, by the same function that also appends one
    entry per call to the list returned."""
    real = getattr(module, name)
    calls: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls
