"""The README walked as a new user walks it: the installed command in a fresh shell.

Each command's wrong input (an unknown subject, a missing file or folder, a bad option value)
must end in one line naming the problem and exit status 2, never a traceback.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest
from tests.cli.shells import run, shell


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    data = tmp_path_factory.mktemp("var")
    done = run(["web", "demo", "--no-serve"], shell(data), data)
    assert done.returncode == 0, done.stderr
    return data, done


def test_demo_without_serving_does_not_claim_a_server_is_running(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    _, done = demo
    assert "is at http" not in done.stdout
    assert "lupustrial web serve" in done.stdout
    assert "investigator" in done.stdout


def test_every_option_of_web_demo_has_help(
    demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data, _ = demo
    env = {**shell(data), "COLUMNS": "200"}
    done = run(["web", "demo", "--help"], env, data)
    serve_line = next(line for line in done.stdout.splitlines() if "--no-serve" in line)
    assert "only" in serve_line.lower()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["casebook", "TKY-999", "--out", "x.pdf"], "no subject 'TKY-999'"),
        (["casebook", "TKY-001", "--language", "fr"], "choose en or ja"),
        (["casebook", "TKY-001", "-l", "fr"], "choose en or ja"),  # as `report periodic -l`
        (["archive", "verify", "no-such-folder"], "no such directory"),
        (["restore", "no-such.tar", "--reason", "test"], "no such file"),
        (["export", "fhir", "--source", "nowhere", "--out", "b.json"], "unknown source"),
        (["endpoints", "no-such-snapshot"], "no such directory"),
        (["safety", "due", "no-such.json"], "no such file"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_a_wrong_input_is_one_clear_line(
    demo: tuple[Path, subprocess.CompletedProcess[str]], args: list[str], says: str
) -> None:
    data, _ = demo
    done = run(args, shell(data), data)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert says in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.parametrize("kind", ["odm", "fhir"])
def test_an_export_to_a_folder_that_does_not_exist_fails_before_the_work(
    demo: tuple[Path, subprocess.CompletedProcess[str]], kind: str
) -> None:
    data, _ = demo
    done = run(["export", kind, "--out", "no-such-folder/study.out"], shell(data), data)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "lupustrial: no-such-folder/study.out: its folder no-such-folder does not exist"
    )


def test_casebook_shows_its_progress_and_refuses_a_missing_folder_before_the_export(
    demo: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    data, _ = demo
    done = run(["casebook", "TKY-001", "--out", str(tmp_path / "c.pdf")], shell(data), data)
    assert done.returncode == 0, done.stderr
    assert "printing the casebook of TKY-001" in done.stderr
    missing = tmp_path / "no-such-folder" / "c.pdf"
    done = run(["casebook", "TKY-001", "--out", str(missing)], shell(data), data)
    assert done.returncode == 2
    # Refused before the export, which the audit trail would otherwise record.
    assert "printing" not in done.stderr
    assert "does not exist" in done.stderr


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "args",
    [
        ["web", "demo", "--no-serve"],
        ["web", "add-user", "someone", "--role", "monitor", "--reason", "test"],
        ["casebook", "TKY-001"],
        ["audit", "verify"],
        ["export", "odm", "--out", "study.xml"],
        ["archive", "--out", "closeout"],
        ["safety", "due", "--source", "database"],
        ["safety", "notify"],
    ],
    ids=" ".join,
)
def test_a_database_that_does_not_answer_is_one_clear_line(tmp_path: Path, args: list[str]) -> None:
    # A new user's commonest mistake: DATABASE_URL naming a server that is not running.
    env = {**shell(tmp_path), "DATABASE_URL": f"postgresql://u@127.0.0.1:{_closed_port()}/x"}
    done = run(args, env, tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    # Progress lines ("Preparing the database…") may come first; the error is the last line.
    *_, message = done.stderr.strip().splitlines()
    assert message.startswith("lupustrial: ")
    assert "127.0.0.1" in message
