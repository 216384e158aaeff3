"""The study report in the reader's language (issue 18): English as it was, or Japanese.

The per-patient reasons are the dataset's English summary columns in English; in Japanese they
are worded from the structured values they are made of (`SubjectResponse.facts`). The dataset
files stay English.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from tests.commands import run

from lupustrial.analysis import report_wording
from lupustrial.analysis.endpoints import compute_endpoints
from lupustrial.analysis.report import render_report
from lupustrial.analysis.results import Category, SubjectResponse
from lupustrial.dataset.demo import demo_records
from lupustrial.dataset.snapshot import Snapshot, read_snapshot, write_snapshot

CUT = dt.datetime(2025, 3, 31, tzinfo=dt.UTC)
ALLOWED = {
    "SLEDAI",
    "PGA",
    "LLDAS",
    "DORIS",
    "CONSORT",
    "SVG",
    "DNA",
    "dsDNA",
    "CTCAE",
    "TKY",
    "OSK",
}


def english_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ALLOWED]


def _text(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    path = tmp_path_factory.mktemp("report-language") / "snap"
    write_snapshot(demo_records(), path, CUT)
    return read_snapshot(path)


def test_english_is_the_default_and_unchanged(snapshot: Snapshot) -> None:
    english = render_report(snapshot, created_at=CUT)
    assert render_report(snapshot, created_at=CUT, language="en") == english
    assert '<html lang="en">' in english
    assert "Study flow (CONSORT)" in english


def test_an_unknown_language_is_refused(snapshot: Snapshot) -> None:
    with pytest.raises(ValueError, match="language 'fr'"):
        render_report(snapshot, created_at=CUT, language="fr")


def _patients_table(html: str) -> str:
    """The per-patient table: the second table after the responders line."""
    first = html.index("<table", html.index('id="responders"'))
    start = html.index("<table", first + 1)
    return html[start : html.index("</table>", start)]


def test_the_japanese_report_words_each_patients_reason_in_japanese(snapshot: Snapshot) -> None:
    japanese = render_report(snapshot, created_at=CUT, language="ja")
    assert '<html lang="ja">' in japanese
    table = _text(_patients_table(japanese))
    for subject in snapshot.table("subjects"):  # a withdrawal's reason stays as entered
        table = table.replace(subject["withdrawal_reason"] or "\0", "")
    assert not english_words(table), (english_words(table), table)
    assert "非奏効" in table
    assert "中止" in table  # the demo's withdrawn patient
    # The headings are Japanese too.
    assert "試験の流れ(CONSORT)" in _text(japanese)
    assert "主要評価項目" in _text(japanese)


def test_every_reason_has_its_japanese_words() -> None:
    day = dt.date(2025, 3, 1)
    cases: list[tuple[Category, str | None, dict[str, Any]]] = [
        (Category.RESPONDER, "met", {"definition": "lldas", "date": day}),
        (
            Category.NOT_MET,
            "not_met",
            {
                "definition": "doris",
                "date": day,
                "sledai2k": 6,
                "pga": 1.5,
                "prednisolone_mg_per_day": 10.0,
            },
        ),
        (
            Category.UNKNOWN,
            "unknown",
            {
                "definition": "lldas",
                "date": day,
                "missing": [
                    "pga",
                    "previous_sledai2k",
                    "sledai2k.cva",
                    "maintenance_therapy_standard_and_tolerated",
                    "prednisolone_mg_per_day or glucocorticoids",
                    "date",
                ],
            },
        ),
        (
            Category.OUT_OF_WINDOW,
            "met",
            {"definition": "lldas", "date": day, "days_from_planned": 9},
        ),
        (
            Category.OUT_OF_WINDOW,
            "met",
            {"definition": "lldas", "date": day, "days_from_planned": None},
        ),
        (Category.MISSING, None, {"why": "missed", "missed_reason": "入院中"}),
        (
            Category.WITHDRAWN,
            None,
            {"why": "withdrawn", "withdrawal_date": day, "withdrawal_reason": "転居"},
        ),
        (
            Category.MISSING,
            None,
            {"why": "window_unknown", "window_end": None, "cut": day, "site": "TKY"},
        ),
        (
            Category.ONGOING,
            None,
            {"why": "not_yet_due", "window_end": day, "cut": day, "site": "TKY"},
        ),
        (
            Category.MISSING,
            None,
            {"why": "window_closed", "window_end": day, "cut": day, "site": "TKY"},
        ),
    ]
    for category, status, facts in cases:
        response = SubjectResponse(
            subject_id="S01",
            responder=category is Category.RESPONDER,
            category=category,
            reason="the English reason",
            status=status,
            facts={"visit": "W12", **facts},
        )
        words = report_wording.reason(response, "ja")
        assert not english_words(words), (category, words)
        assert "W12" in words, words
        assert report_wording.reason(response, "en") == "the English reason"
    assert "2025/03/01" in words  # dates the Japanese way


def test_the_facts_stay_out_of_the_endpoints_json(snapshot: Snapshot) -> None:
    result = compute_endpoints(snapshot)
    subject = result.primary.main.subjects[0]
    assert subject.facts
    assert "facts" not in subject.model_dump(mode="json")


def test_every_english_text_of_the_template_has_its_japanese() -> None:
    from lupustrial.analysis.report_template import TEMPLATES

    body = (TEMPLATES / "report_body.html").read_text(encoding="utf-8")
    messages = re.findall(r'_\("((?:[^"\\]|\\.)*)"', body)
    assert len(messages) > 30
    missing = [m for m in messages if m not in report_wording.JAPANESE]
    assert not missing, missing
    # Values the template words through _(): where the records came from, the methods.
    from lupustrial.analysis.intervals import Method
    from lupustrial.dataset.sources import SOURCES

    values = [*SOURCES, "unspecified", *(m.value for m in Method), "final", "interim"]
    assert [v for v in values if v not in report_wording.JAPANESE] == []


def test_the_report_command_takes_a_language(
    snapshot: Snapshot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "report", str(snapshot.path), "--out", str(tmp_path / "ja"), "--no-pdf",
        "--language", "ja",
    )  # fmt: skip
    assert code == 0, err
    page = (tmp_path / "ja" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in page
    assert "主要評価項目" in page
    code, _, err = run(
        capsys, "report", str(snapshot.path), "--out", str(tmp_path / "x"), "-l", "fr"
    )
    assert code == 2
    assert "--language 'fr': choose en or ja" in err
    assert not (tmp_path / "x").exists()
    code, out, _ = run(capsys, "report", "study", "--help")
    assert "--language" in out


def test_the_japanese_report_has_no_english_sentence_left(snapshot: Snapshot) -> None:
    """Outside what stays as recorded or named: the published trials (citations), the adverse
    events' CTCAE terms (no Japanese CTCAE ships), the manifest's table names and digests, the
    study's identifier, free text and the method's and authors' names."""
    html = render_report(snapshot, created_at=CUT, language="ja")
    html = re.sub(r'<section class="context" id="published">.*?</section>', " ", html, flags=re.S)
    manifest = html.index("<h2>スナップショットの目録</h2>")
    html = html[:manifest]
    terms = html.index("<th>事象名</th>")
    html = html[:terms] + html[html.index("</table>", terms) :]
    text = _text(html).replace(snapshot.manifest["study_id"], " ")
    for subject in snapshot.table("subjects"):
        text = text.replace(subject["withdrawal_reason"] or "\0", " ")
    names = {"lupustrial", "Clopper", "Pearson", "Wilson", "Jeffreys", "Kaplan", "Meier"}
    names |= {"protocol", "schedule"}  # the module the window is declared in
    left = [w for w in english_words(text) if w not in names]
    assert not left, left
