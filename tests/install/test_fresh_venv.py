"""A plain install runs every command a user runs first, as a user would run it.

A fresh virtual environment gets the runtime lock (`requirements/runtime.txt`, hash-checked)
and the package without extras, and then the commands run in a fresh process with nothing of
the development environment: no test tools, no Spark, no Playwright. The web demo's database
is exported (`dataset export --source database`) and the demo study reported as PDF. This
test catches a runtime dependency missing from `pyproject.toml`, a dependency that only the
development tools' pins keep working (sqlglot, issue 15), or a PDF engine that is not
installed by the runtime. pip's cache spares the downloads, yet unpacking the wheels takes
minutes on a busy machine; deselect it in a quick run with ``-m 'not install'``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"


@dataclass(frozen=True)
class FreshInstall:
    """A virtual environment holding the runtime lock and the package, and a place to work."""

    venv: Path
    work: Path

    @property
    def environment(self) -> Mapping[str, str]:
        """A user's shell: this venv first on PATH and nothing of the test session's."""
        keep = ("HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
        env = {name: os.environ[name] for name in keep if name in os.environ}
        env["PATH"] = f"{self.venv / 'bin'}:/usr/local/bin:/usr/bin:/bin"
        env["LUPUSTRIAL_DATA_DIR"] = str(self.work / "var")
        env["LUPUSTRIAL_CACHE_DIR"] = str(self.work / "cache")
        return env

    def run(self, *argv: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            list(argv),
            cwd=self.work,
            env=dict(self.environment),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        output = f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        assert done.returncode == expect, f"{' '.join(argv)} exited {done.returncode}\n{output}"
        return done

    def lupustrial(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return self.run(str(self.venv / "bin" / "lupustrial"), *argv)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> FreshInstall:
    base = tmp_path_factory.mktemp("fresh-install")
    # A copy of the package's sources, so that building it writes nothing into the checkout.
    package = base / "package"
    package.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, package / name)
    shutil.copytree(
        ROOT / "src",
        package / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"),
    )
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--quiet", "--disable-pip-version-check"]
    # No byte-compiling of every installed module: the commands compile what they import.
    install = [*pip, "install", "--no-compile"]
    subprocess.run([*install, "--require-hashes", "-r", str(RUNTIME_LOCK)], check=True)
    subprocess.run([*install, "--no-deps", str(package)], check=True)
    work = base / "work"
    work.mkdir()
    return FreshInstall(venv, work)


def test_the_runtime_carries_no_development_tool_and_no_optional_engine(
    fresh: FreshInstall,
) -> None:
    python = str(fresh.venv / "bin" / "python")
    for module in ("pytest", "playwright", "pyspark", "statsmodels", "mypy"):
        fresh.run(python, "-c", f"import {module}", expect=1)
    fresh.run(python, "-c", "import weasyprint, duckdb, ibis, django, scipy")


def test_help_and_scoring(fresh: FreshInstall) -> None:
    assert "prescreen" in fresh.lupustrial("--help").stdout
    scored = fresh.lupustrial("score", str(EXAMPLES / "assessments.jsonl")).stdout
    assert len(scored.splitlines()) == len(
        (EXAMPLES / "assessments.jsonl").read_text(encoding="utf-8").splitlines()
    )
    decided = fresh.lupustrial(
        "eligibility", str(EXAMPLES / "screening-eligible.json"), "--format", "text"
    ).stdout
    assert "eligible" in decided.lower()


def test_prescreen_on_duckdb(fresh: FreshInstall) -> None:
    fresh.lupustrial("prescreen", "synthetic", "--persons", "300", "--out", "omop")
    shown = fresh.lupustrial(
        "prescreen", "run", "--omop", "omop", "--as-of", "2026-11-25", "--out", "results"
    ).stdout
    assert "Candidates:" in shown
    assert (fresh.work / "results" / "candidates.csv").stat().st_size > 0
    # The first run sent the SQL shipped for the default configuration (`plan.SHIPPED`): the
    # installed sources and locked libraries give the key it was compiled under, so nothing
    # was compiled, and nothing kept.
    assert not (fresh.work / "cache" / "prescreen-sql").exists()


def test_web_demo_dataset_and_report(fresh: FreshInstall) -> None:
    demo = fresh.lupustrial("web", "demo", "--no-serve")
    assert "lupus-demo-2026" in demo.stdout
    assert (fresh.work / "var" / "lupustrial.sqlite3").is_file()
    fresh.lupustrial("dataset", "export", "--source", "database", "--out", "from-database")
    assert (fresh.work / "from-database" / "manifest.json").is_file()
    fresh.lupustrial("dataset", "export", "--demo", "--out", "snap")
    assert (fresh.work / "snap" / "manifest.json").is_file()
    printed = fresh.lupustrial("report", "snap", "--out", "report")
    assert "warning" not in printed.stderr, printed.stderr  # the PDF engine is in the runtime
    assert (fresh.work / "report" / "report.pdf").read_bytes().startswith(b"%PDF-")


def test_casebook_exchange_archive_and_backup_from_a_plain_install(fresh: FreshInstall) -> None:
    # The commands landed with issues 18-20 need odmlib's bundled XML Schemas, xmlschema,
    # fhir.resources and WeasyPrint from the runtime lock alone.
    fresh.lupustrial("web", "demo", "--no-serve")
    fresh.lupustrial("casebook", "TKY-001", "--out", "TKY-001.pdf", "-l", "ja")
    assert (fresh.work / "TKY-001.pdf").read_bytes().startswith(b"%PDF-")
    fresh.lupustrial("export", "odm", "--out", "study.xml")
    assert b"ODM" in (fresh.work / "study.xml").read_bytes()[:2000]
    fresh.lupustrial("export", "fhir", "--out", "bundle.json")
    assert '"resourceType": "Bundle"' in (fresh.work / "bundle.json").read_text(encoding="utf-8")
    fresh.lupustrial("export", "redcap", "--out", "redcap")
    assert (fresh.work / "redcap" / "data_dictionary.csv").is_file()
    fresh.lupustrial("archive", "--out", "closeout")
    assert "intact" in fresh.lupustrial("archive", "verify", "closeout").stdout
    fresh.lupustrial("backup", "--to", "backups")
    assert list((fresh.work / "backups").glob("lupustrial-backup-*.tar"))
