"""`lupustrial import odm`: the round trip on the demo study, as a user runs it (issue 20).

demo (changed as studies change) → `export odm` → a fresh, empty data directory →
`import odm` → the dataset snapshot's tables are byte for byte the original's, the imported
trail verifies, and exporting the imported study again gives every change with the same
user, time, reason and value. The demo is made once per session (`conftest.demo_dir`) and
copied; each command runs in its own process, as a user's shell would.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from tests.cli.shells import run, shell

from lupustrial.edc.odm_import import ImportRefusedError, check_file
from lupustrial.interop.odm.reader import Change, read

ROOT = Path(__file__).resolve().parents[2]

CHANGE_THE_STUDY = """
import datetime as dt
from lupustrial.edc import setup
setup()
from lupustrial.edc.demo import DEMO_PASSWORD
from lupustrial.edc.study import not_done, services
from lupustrial.edc.study.models import Query, Subject
from tests.edc.test_odm_export import _change_the_study, _user
_change_the_study()  # corrections, rows, an adverse event, a query, U1, a missed visit
from lupustrial.edc.accounts import services as accounts
from lupustrial.edc.accounts.models import Site
osk = Site.objects.get(code="OSK")  # a site renamed and moved to another zone, midway,
before = {"code": osk.code, "name": osk.name, "time_zone": osk.time_zone}
osk.name, osk.time_zone = "Osaka General Hospital (new wing)", "Asia/Seoul"
osk.save()  # as the administration site saves it, then records it through the service
accounts.record_site_change(_user("admin"), osk, before, "renamed by the hospital")
subject = Subject.objects.get(screening_number="S-001")
screening = dict(subject.screening)
born = dt.date.fromisoformat(screening["date_of_birth"]) + dt.timedelta(days=1)
screening["date_of_birth"] = born.isoformat()
services.save_screening(
    _user("coordinator"), subject, screening, subject.screening_version, reason="typo"
)  # voids the enrolment signature...
services.sign_again(_user("investigator"), subject, DEMO_PASSWORD)  # ...signed again
query = Query.objects.exclude(text__startswith=services.AUTOMATIC_QUERY_MARK).get()
services.answer_query(_user("coordinator"), query, "g/L で正しいです")
services.close_query(_user("monitor"), Query.objects.get(pk=query.pk))
u1 = subject.visits.get(code="U1")  # forms declared not done, and one of them undone
not_done.set_form_not_done(_user("coordinator"), u1, "labs", "検体採取なし (no sample)", 0)
not_done.set_form_not_done(_user("coordinator"), u1, "disease_activity", "not assessed", 0)
not_done.set_form_not_done(
    _user("coordinator"), u1, "disease_activity", "assessed after all", 1, not_done=False
)
from lupustrial.edc.study import adverse_events
from lupustrial.edc.study.models import FormData
osaka = Subject.objects.get(screening_number="S-101")
labs = FormData.objects.get(visit__subject=osaka, visit__code="W0", crf="labs")
services.verify_form(_user("monitor"), labs, labs.version)  # source data verified
event = adverse_events.find_adverse_event(subject, "AE-001")
adverse_events.verify_adverse_event(_user("monitor"), event, event.version)
from lupustrial.edc.deviations import services as deviations
deviation = deviations.record_deviation(  # a deviation recorded, changed and closed
    _user("coordinator"), subject, category="visit_window",
    occurred_on=subject.site.today() - dt.timedelta(days=3),
    description="W8 done a day late", serious=False,
)
deviation = deviations.update_deviation(
    _user("coordinator"), deviation, deviation.version, "the patient was away",
    description="W8 done a day late: the patient was away", corrective_action="reminder call",
)
deviations.close_deviation(_user("investigator"), deviation, deviation.version)
w8 = osaka.visits.get(code="W8")  # a second suggestion: a visit missed
services.mark_missed(_user("osaka"), w8, "the patient moved away")
keys = {s.key.rpartition(":")[2]: s.key for s in deviations.pending(_user("monitor"))}
deviations.confirm_suggestion(_user("monitor"), keys["W4"], serious=False)  # decisions on
deviations.dismiss_suggestion(_user("monitor"), keys["W8"], "the visit was held")  # suggestions
services.set_casebook_lock(_user("datamanager"), osaka, True, "data cleaned")
from lupustrial.edc.safety import services as safety  # a serious event's reports:
tky = subject.site.today()
pneumonia = adverse_events.record_adverse_event(_user("coordinator"), subject, {
    "term": "pneumonia", "ctcae_code": 10021881, "specified_code": 10035664,
    "onset": (tky - dt.timedelta(days=5)).isoformat(),
    "aware_date": (tky - dt.timedelta(days=3)).isoformat(), "grade": 3, "serious": True,
    "seriousness_criteria": ["hospitalisation"], "related": "probable",
    "outcome": "recovering", "action_taken": "drug interrupted", "infection": True,
})  # fmt: skip
RULE = "CRB-15-unexpected-serious"
first = safety.generate_event_report(_user("investigator"), pneumonia, RULE)  # frozen
safety.record_download(_user("investigator"), first, "pdf")  # not a change: not replayed
safety.record_submission(_user("investigator"), first, "認定臨床研究審査委員会", tky)
pneumonia = adverse_events.find_adverse_event(subject, pneumonia.label)
adverse_events.update_adverse_event(
    _user("coordinator"), pneumonia, {**pneumonia.data, "outcome": "recovered",
    "end_date": tky.isoformat()}, pneumonia.version, "discharged",
)  # fmt: skip
pneumonia = adverse_events.find_adverse_event(subject, pneumonia.label)
follow_up = safety.generate_event_report(_user("investigator"), pneumonia, RULE, follows=first)
safety.record_submission(_user("investigator"), follow_up, "the review board", tky)
from lupustrial.edc.monitoring import services as monitoring  # a monitoring visit:
visit = monitoring.log_visit(
    _user("monitor"), subject.site, visited_on=tky, kind="on_site",
    summary="同意書と原資料を確認 (consent and source checked)",
    follow_up="file the consent copy", subjects=[subject],
)  # fmt: skip
monitoring.add_finding(_user("monitor"), visit, text="Binder tidy.", action="note")
monitoring.add_finding(
    _user("monitor"), visit, text="Consent copy not filed.", action="note", subject=subject
)
vitals = FormData.objects.get(visit__subject=subject, visit__code="W4", crf="vitals")
found = monitoring.add_finding(  # a finding raised as a query, answered and closed
    _user("monitor"), visit, text="Weight differs from the source.", action="query",
    subject=subject, form=vitals,
)  # fmt: skip
services.answer_query(_user("coordinator"), Query.objects.get(pk=found.query_id), "corrected")
services.close_query(_user("monitor"), Query.objects.get(pk=found.query_id))
monitoring.add_finding(  # a finding recorded as a deviation
    _user("monitor"), visit, text="W4 labs drawn after the infusion.", action="deviation",
    subject=subject, category="dosing", occurred_on=tky - dt.timedelta(days=20),
    serious=False,
)  # fmt: skip
# The Osaka investigator, who entered data and marked a visit missed, becomes a monitor of
# both sites, then leaves the study: their account is deactivated (as the administration
# site does: the account saved, then the change recorded through the service).
osaka_user = _user("osaka")
before = accounts.account_state(osaka_user.pk)
osaka_user.staff.role = "monitor"
osaka_user.staff.save()
osaka_user.staff.sites.set(Site.objects.filter(code__in=["OSK", "TKY"]))
accounts.record_account_change(_user("admin"), osaka_user, before, "now monitors the study")
before = accounts.account_state(osaka_user.pk)
osaka_user.is_active = False
osaka_user.save()
accounts.record_account_change(_user("admin"), osaka_user, before, "left the study")
"""


def _python(script: str, data_dir: Path) -> None:
    env = shell(data_dir)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])]
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def _ok(args: list[str], data_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = run(args, shell(data_dir), cwd)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


class RoundTrip:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.original, self.imported = work / "original", work / "imported"
        self.file = work / "study.xml"
        self.again = work / "again.xml"
        self.result: subprocess.CompletedProcess[str] | None = None

    def snapshot(self, data_dir: Path, name: str, cut: str) -> Path:
        out = self.work / name
        _ok(["dataset", "export", "--source", "database", "--data-cut", cut, "--out", str(out)],
            data_dir, self.work)  # fmt: skip
        return out

    def rows(self, data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
        connection = sqlite3.connect(data_dir / "lupustrial.sqlite3")
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()


@pytest.fixture(scope="module")
def trip(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> RoundTrip:
    trip = RoundTrip(tmp_path_factory.mktemp("round-trip"))
    shutil.copytree(demo_dir, trip.original)
    _python(CHANGE_THE_STUDY, trip.original)
    _ok(["export", "odm", "--out", str(trip.file)], trip.original, trip.work)
    trip.imported.mkdir()
    trip.result = _ok(["import", "odm", str(trip.file)], trip.imported, trip.work)
    _ok(["export", "odm", "--out", str(trip.again)], trip.imported, trip.work)
    return trip


def test_the_import_reports_what_it_did(trip: RoundTrip) -> None:
    done = trip.result
    assert done is not None
    assert "checking study.xml against the ODM 1.3.2 XML Schema" in done.stderr  # progress
    assert "audit trail verified" in done.stdout
    assert "4 subjects" in done.stdout
    assert "inactive accounts for the original users" in done.stdout


def test_the_snapshot_tables_are_the_originals_byte_for_byte(trip: RoundTrip) -> None:
    # After the safety reports' deadlines (day 15 of an event known three days ago).
    cut = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).strftime("%Y-%m-%dT00:00:00Z")
    first = trip.snapshot(trip.original, "snapshot-original", cut)
    second = trip.snapshot(trip.imported, "snapshot-imported", cut)
    files = sorted(p.name for p in first.iterdir())
    assert files == sorted(p.name for p in second.iterdir())
    different = [n for n in files if (first / n).read_bytes() != (second / n).read_bytes()]
    assert different == ["manifest.json"]  # its creation time only:
    manifests = [json.loads((d / "manifest.json").read_text("utf-8")) for d in (first, second)]
    assert manifests[0].pop("created_at") != manifests[1].pop("created_at")
    assert manifests[0] == manifests[1]  # every table's SHA-256 and row count included
    assert manifests[0]["tables"]["adverse_event_versions"]["rows"] >= 1


def _same(change: Change) -> tuple[Any, ...]:
    """A change without its trail entry's number and hash (the imported trail has its own);
    with the visit an adverse event's version was entered at. A registration's identity seal
    is not compared: the identity is not in the file, so it is blank after the import."""
    value = None if change.field == "identity" else change.value
    return (
        change.form, change.field, change.kind, value, change.user, change.location,
        change.at, change.reason, change.source.partition(" at visit ")[2],
    )  # fmt: skip


def test_every_change_is_replayed_with_its_user_time_reason_and_value(trip: RoundTrip) -> None:
    original, again = read(trip.file), read(trip.again)
    assert [_same(c) for c in again.changes] == [_same(c) for c in original.changes]
    for replay in (original, again):
        assert len(replay.signatures) == 2 + 1  # two enrolments, S-001 signed again
    strip = [{k: v for k, v in s.items() if k != "id"} for s in original.signatures]
    assert [{k: v for k, v in s.items() if k != "id"} for s in again.signatures] == strip


def test_the_imported_trail_verifies_and_names_the_import(trip: RoundTrip) -> None:
    done = _ok(["audit", "verify"], trip.imported, trip.work)
    assert "audit trail intact" in done.stdout
    imported = trip.rows(
        trip.imported, "SELECT DISTINCT import_id, imported_by FROM audit_auditentry"
    )
    assert len(imported) == 1
    import_id, importer = imported[0]
    assert import_id.startswith("odm-")
    assert importer.startswith("console:")
    # The original actors and times: the data changes of the original trail, entry by entry
    # (a registration's identity seal is not in the file: the identity is blank here).
    sql = (
        "SELECT actor, at, form, field, {value}, reason FROM audit_auditentry "
        "WHERE action IN ('create', 'update') AND subject != '' ORDER BY seq"
    )
    value = "CASE WHEN form = 'registration' THEN '' ELSE new_value END"
    imported_rows = trip.rows(trip.imported, sql.format(value=value))
    assert imported_rows == trip.rows(trip.original, sql.format(value=value))
    assert len(imported_rows) > 600


def test_form_versions_are_the_originals(trip: RoundTrip) -> None:
    sql = (
        "SELECT v.kind, v.number, v.data, v.saved_at, v.reason, u.username "
        "FROM study_recordversion v JOIN auth_user u ON u.id = v.saved_by_id "
        "ORDER BY v.saved_at, v.kind, v.number"
    )
    assert trip.rows(trip.imported, sql) == trip.rows(trip.original, sql)


def test_verifications_and_locks_are_the_originals(trip: RoundTrip) -> None:
    forms = (
        "SELECT s.screening_number, v.code, f.crf, f.version, f.verified_at IS NOT NULL, f.locked "
        "FROM study_formdata f JOIN study_visit v ON v.id = f.visit_id "
        "JOIN study_subject s ON s.id = v.subject_id ORDER BY 1, 2, 3"
    )
    assert trip.rows(trip.imported, forms) == trip.rows(trip.original, forms)
    assert (True, True) in {row[4:] for row in trip.rows(trip.imported, forms)}
    others = (
        "SELECT 'casebook', screening_number, casebook_locked FROM study_subject UNION ALL "
        "SELECT 'event', number, verified_at IS NOT NULL FROM study_adverseevent ORDER BY 1, 2"
    )
    assert trip.rows(trip.imported, others) == trip.rows(trip.original, others)
    assert ("event", 1, 1) in trip.rows(trip.imported, others)


def test_deviations_and_decisions_on_suggestions_are_the_originals(trip: RoundTrip) -> None:
    deviations = (
        "SELECT d.number, d.category, d.occurred_on, d.description, d.serious, "
        "d.corrective_action, d.suggestion_key, d.recorded_at, r.username, d.closed_at, "
        "d.version FROM deviations_deviation d JOIN auth_user r ON r.id = d.recorded_by_id "
        "ORDER BY d.number"
    )
    rows = trip.rows(trip.original, deviations)
    assert len(rows) == 3  # the third from a monitoring finding
    assert trip.rows(trip.imported, deviations) == rows
    decisions = (
        "SELECT s.key, s.status, s.reason, s.description, s.code, s.params, s.decided_at, "
        "u.username "
        "FROM deviations_suggestiondecision s JOIN auth_user u ON u.id = s.decided_by_id "
        "ORDER BY s.key"
    )
    rows = trip.rows(trip.original, decisions)
    assert {row[1] for row in rows} == {"confirmed", "dismissed"}
    assert {row[4] for row in rows} == {"visit_missed"}  # the finding's code and values kept
    assert all(json.loads(row[5])["visit"] in ("W4", "W8") for row in rows)
    assert trip.rows(trip.imported, decisions) == rows


def test_safety_reports_and_their_frozen_documents_are_the_originals(trip: RoundTrip) -> None:
    sql = (
        "SELECT r.number, r.event_key, r.rule, f.number, r.document, r.generated_at, g.username, "
        "r.submitted_to, r.submitted_on, s.username FROM safety_safetyreport r "
        "LEFT JOIN safety_safetyreport f ON f.id = r.follows_id "
        "JOIN auth_user g ON g.id = r.generated_by_id "
        "LEFT JOIN auth_user s ON s.id = r.submitted_by_id ORDER BY r.number"
    )
    rows = trip.rows(trip.original, sql)
    assert [(row[0].rpartition("/")[2], row[3] is None, row[8] is None) for row in rows] == [
        ("1", True, False),
        ("2", False, False),
    ]  # a first report and its follow-up, both submitted
    # The documents as JSON values: SQLite keeps a JSON field's text in the order it was
    # given, the file's notes are written with sorted keys (PostgreSQL's jsonb keeps neither).
    assert [(*row[:4], json.loads(row[4]), *row[5:]) for row in trip.rows(trip.imported, sql)] == [
        (*row[:4], json.loads(row[4]), *row[5:]) for row in rows
    ]
    kinds = [json.loads(row[4])["report"]["kind"] for row in rows]
    assert kinds == ["first", "follow-up"]


def test_monitoring_visits_and_findings_are_the_originals(trip: RoundTrip) -> None:
    visits = (
        "SELECT v.id, s.code, v.visited_on, v.kind, m.username, v.summary, v.follow_up, "
        "v.recorded_at FROM monitoring_monitoringvisit v JOIN accounts_site s ON s.id = v.site_id "
        "JOIN auth_user m ON m.id = v.monitor_id ORDER BY v.id"
    )
    rows = trip.rows(trip.original, visits)
    assert len(rows) == 1
    assert trip.rows(trip.imported, visits) == rows
    reviewed = (
        "SELECT v.monitoringvisit_id, s.screening_number "
        "FROM monitoring_monitoringvisit_subjects v "
        "JOIN study_subject s ON s.id = v.subject_id ORDER BY 1, 2"
    )
    assert trip.rows(trip.imported, reviewed) == trip.rows(trip.original, reviewed) != []
    findings = (
        "SELECT f.visit_id, s.screening_number, f.text, f.action, q.text, q.status, d.number, "
        "f.recorded_at, u.username FROM monitoring_monitoringfinding f "
        "LEFT JOIN study_subject s ON s.id = f.subject_id "
        "LEFT JOIN study_query q ON q.id = f.query_id "
        "LEFT JOIN deviations_deviation d ON d.id = f.deviation_id "
        "JOIN auth_user u ON u.id = f.recorded_by_id ORDER BY f.id"
    )
    rows = trip.rows(trip.original, findings)
    assert [(row[1], row[3], row[5]) for row in rows] == [
        (None, "note", None),
        ("S-001", "note", None),
        ("S-001", "query", "closed"),
        ("S-001", "deviation", None),
    ]
    assert trip.rows(trip.imported, findings) == rows


def _notes(replay: Any) -> list[dict[str, Any]]:
    """Every entry that is no value (subject and study-level notes), without its trail number
    and hash, in the trail's order."""
    texts = [text for _, text in replay.notes] + list(replay.study_notes)
    notes = sorted((json.loads(text) for text in texts), key=lambda note: note["seq"])
    return [{k: v for k, v in note.items() if k not in ("seq", "hash")} for note in notes]


def test_every_entry_that_is_no_value_comes_back_as_it_was(trip: RoundTrip) -> None:
    """The notes (queries, verifications, locks, signature voids, deviations, safety reports,
    the monitoring log, drug lots), re-exported: the same user, time, reason and value. Not
    compared: downloads (not changes: not replayed) and signing (an imported signature says
    so in its reason); the site and account entries have their own test below."""
    forms = ("safety_report", "monitoring_visit", "monitoring_finding", "deviation")
    original, again = _notes(read(trip.file)), _notes(read(trip.again))

    def kept(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            n
            for n in notes
            if n["action"] not in ("export", "sign") and n["form"] not in ("site", "account")
        ]  # the site and account entries: `test_account_and_site_changes_come_back_...`

    assert {n["form"] for n in kept(original)} >= set(forms)
    assert {"query", "verify", "signature_void", "lock"} <= {n["action"] for n in kept(original)}
    documents = [
        n["document"] for n in original if n["form"] == "safety_report" and "document" in n
    ]
    assert len(documents) == 2  # the frozen documents themselves, not only their digests
    assert kept(again) == kept(original)
    downloads = [
        [n for n in notes if n["form"] == "safety_report" and n["action"] == "export"]
        for notes in (original, again)
    ]
    assert [len(d) for d in downloads] == [1, 0]  # a download is not a change: not replayed


def test_account_and_site_changes_come_back_in_sequence(trip: RoundTrip) -> None:
    """Every site and account entry (created, renamed, moved to another time zone, a role and
    sites changed, deactivated, passwords) is replayed in the trail's order, by its original
    actor at its time with its reason and value; the importer's own entries come last: each
    imported account held inactive, without a password sign-in."""
    original, again = _notes(read(trip.file)), _notes(read(trip.again))

    def administration(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [n for n in notes if n["form"] in ("site", "account")]

    replayed = [n for n in administration(again) if not n["actor"].startswith("console:")]
    assert replayed == administration(original)
    fields = {(n["actor"], n["field"], json.dumps(n["new"])) for n in replayed}
    assert ("admin", "2.time_zone", '"Asia/Seoul"') in fields  # the site changed midway
    assert ("admin", "osaka.role", '"monitor"') in fields
    assert ("admin", "osaka.active", "false") in fields
    closing = [n for n in administration(again) if n["actor"].startswith("console:")]
    assert closing == [n for n in again if n["actor"].startswith("console:")][: len(closing)]
    users = {n["field"].partition(".")[0] for n in original if n["form"] == "account"}
    assert {n["field"] for n in closing} == {f"{u}.password" for u in users} | {
        f"{u}.active"
        for u in users - {"osaka"}  # osaka was deactivated in the file already
    }
    assert {json.dumps(n["new"]) for n in closing} == {"false", '"password sign-in disabled"'}


def test_each_change_is_replayed_with_the_role_its_actor_had_then(trip: RoundTrip) -> None:
    """The Osaka investigator's changes, made before they became a monitor, are replayed (and
    checked) as an investigator's. (An enrolment signature's reason says it was imported.)"""
    sql = (
        "SELECT actor, role, at, action, subject, visit, form, field, "
        "CASE WHEN action = 'sign' THEN '' ELSE reason END "
        "FROM audit_auditentry WHERE actor IN ('osaka', 'admin') ORDER BY at, seq"
    )
    rows = trip.rows(trip.original, sql)
    assert {row[1] for row in rows if row[0] == "osaka"} == {"investigator"}
    assert trip.rows(trip.imported, sql) == rows


def test_the_enrolment_signatures_are_kept_as_imported_not_signed(trip: RoundTrip) -> None:
    sql = (
        "SELECT s.meaning, s.signed_at, s.voided_at IS NULL, u.username FROM study_signature s "
        "JOIN auth_user u ON u.id = s.signer_id ORDER BY s.signed_at"
    )
    assert trip.rows(trip.imported, sql) == trip.rows(trip.original, sql)
    marks = trip.rows(trip.imported, "SELECT imported_from FROM study_signature")
    assert all(mark.startswith("ODM Signature SG.") for (mark,) in marks)
    assert trip.rows(trip.original, "SELECT imported_from FROM study_signature") == [("",)] * 3


def test_the_original_users_are_inactive_accounts_without_a_password(trip: RoundTrip) -> None:
    users = trip.rows(trip.imported, "SELECT username, is_active, password FROM auth_user")
    assert {u for u, _, _ in users} >= {"investigator", "coordinator", "osaka", "monitor"}
    assert all(not active and password.startswith("!") for _, active, password in users)


def test_a_database_that_holds_data_is_refused(demo_dir: Path, trip: RoundTrip) -> None:
    before = trip.rows(demo_dir, "SELECT COUNT(*) FROM audit_auditentry")
    done = run(["import", "odm", str(trip.file)], shell(demo_dir), trip.work)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith("the database holds data already: an ODM file is imported only into an empty one")
    )
    assert trip.rows(demo_dir, "SELECT COUNT(*) FROM audit_auditentry") == before


def test_a_change_a_service_refuses_is_one_line_exit_2_and_nothing_kept(
    trip: RoundTrip, tmp_path: Path
) -> None:
    """A report's submission dated before the report was generated (an altered file): the
    safety service refuses it during the replay; the import stops, naming the entry."""
    ET.register_namespace("", "http://www.cdisc.org/ns/odm/v1.3")
    tree = ET.parse(trip.file)
    comments = tree.getroot().iter("{http://www.cdisc.org/ns/odm/v1.3}Comment")
    submissions = [
        c
        for c in comments
        if '"form": "safety_report"' in (c.text or "") and ".submission" in (c.text or "")
    ]
    note = json.loads(submissions[0].text or "")
    note["new"]["on"] = "2001-01-01"
    submissions[0].text = json.dumps(note, ensure_ascii=False, sort_keys=True)
    altered = tmp_path / "altered.xml"
    tree.write(altered, encoding="utf-8", xml_declaration=True)
    data_dir = tmp_path / "var"
    done = run(["import", "odm", str(altered)], shell(data_dir), tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.endswith(
        f"audit entry {note['seq']} (update safety_report of S-001) is refused here: "
        "submitted_on: The report was generated after that date."
    )
    assert trip.rows(data_dir, "SELECT COUNT(*) FROM audit_auditentry") == [(0,)]
    assert trip.rows(data_dir, "SELECT COUNT(*) FROM safety_safetyreport") == [(0,)]


def test_a_file_breaking_the_schema_is_one_line_and_exit_2(trip: RoundTrip, tmp_path: Path) -> None:
    text = trip.file.read_text("utf-8")
    start = text.index("<UserRef ")
    broken = tmp_path / "broken.xml"
    broken.write_text(text[:start] + text[text.index("/>", start) + 2 :], "utf-8")
    done = run(["import", "odm", str(broken)], shell(tmp_path / "var"), tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "breaks the ODM 1.3.2 schema" in last
    assert not (tmp_path / "var" / "lupustrial.sqlite3").exists()  # nothing touched


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"not xml", "not an XML document"),
        (b"<ODM/>", "not a CDISC ODM document"),
        (
            b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.1"/>',
            "not ODM 1.3.2 (ODMVersion is 1.3.1)",
        ),
        (
            b'<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2"/>',
            "breaks the ODM 1.3.2 schema",
        ),
    ],
)
def test_files_that_are_not_odm_1_3_2_are_refused(document: bytes, message: str) -> None:
    with pytest.raises(ImportRefusedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_file(document)


def test_stored_password_fingerprints_stay_in_their_installation(trip: RoundTrip) -> None:
    """The trail's fingerprint of a stored password (``<user>.credential``) is keyed with the
    original installation's audit key: the file leaves it out, and the import records each
    account's own as it closes it (no password), which `audit verify` then checks."""
    original, again = _notes(read(trip.file)), _notes(read(trip.again))
    assert not [n for n in original + again if str(n.get("field", "")).endswith(".credential")]
    sql = "SELECT field, actor FROM audit_auditentry WHERE field LIKE '%.credential' ORDER BY seq"
    users = {u for (u,) in trip.rows(trip.imported, "SELECT username FROM auth_user")}
    closing = trip.rows(trip.imported, sql)
    assert {field for field, _ in closing} == {f"{u}.credential" for u in users}
    assert all(actor.startswith("console:") for _, actor in closing)
    assert len(trip.rows(trip.original, sql)) >= len(users)  # the original kept its own
    # An imported account given a password behind the application is named.
    done = run(["audit", "verify"], shell(trip.imported), trip.work)
    assert done.returncode == 0, done.stdout
    connection = sqlite3.connect(trip.imported / "lupustrial.sqlite3")
    try:
        (kept,) = connection.execute(
            "SELECT password FROM auth_user WHERE username = 'monitor'"
        ).fetchone()
        with connection:
            connection.execute(
                "UPDATE auth_user SET password = 'md5$salt$0123' WHERE username = 'monitor'"
            )
        done = run(["audit", "verify"], shell(trip.imported), trip.work)
        assert done.returncode == 1
        assert "account monitor.password: the record holds 'a password not set" in done.stdout
    finally:
        with connection:
            connection.execute(
                "UPDATE auth_user SET password = ? WHERE username = 'monitor'", [kept]
            )
        connection.close()
