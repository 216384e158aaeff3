"""Running the `lupustrial` command in-process, as the tests of every layer do."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from lupustrial.cli import main


def exit_status(argv: Sequence[str]) -> int:
    """Run the command; return its exit status (0 when it returns normally)."""
    try:
        main(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command; return its exit status, standard output and standard error."""
    code = exit_status(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
