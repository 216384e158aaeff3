"""`lupustrial import odm`: study-level entries with no replay stop the import (issue 20).

An entry that names no subject and has no replay (sites and accounts, drug lots, the
monitoring log have theirs) must stop the import, naming the entry; so does a site or an
account entry that cannot be replayed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, cast

import pytest

from lupustrial.edc.audit import imports
from lupustrial.edc.odm_import import Imported, ImportRefusedError, _Importer, _same_change


def _importer() -> _Importer:
    return _Importer(cast(Any, None), ET.Element("ODM"), "console:test", Imported("odm-x", "0"))


def _note(form: str) -> dict[str, Any]:
    return {"seq": 42, "action": "create", "form": form, "field": "TKY:2026-12-01", "new": {}}


@pytest.mark.parametrize("form", ["jobs", "odm", "unknown"])
def test_a_study_level_entry_with_no_replay_stops_the_import(form: str) -> None:
    with pytest.raises(ImportRefusedError, match=f"audit entry 42 \\(create {form}\\) has no"):
        _importer().study_note(_note(form))


def _admin_note(form: str, field: str, new: Any, **more: Any) -> dict[str, Any]:
    return {
        "seq": 7, "at": "2026-01-05T01:02:03.000004Z", "actor": "loader", "role": "",
        "action": "user", "visit": "", "form": form, "field": field, "old": None, "new": new,
        "reason": "set up", **more,
    }  # fmt: skip


def test_an_account_created_with_no_role_stops_the_import() -> None:
    importer = _importer()
    refused = pytest.raises(ImportRefusedError, match=r"audit entry 7: the account 'ann' is ")
    with imports.importing("odm-x", "console:test"), refused:
        importer.study_note(_admin_note("account", "ann.active", True))
    assert importer.users == {}


def test_a_site_changed_before_it_is_created_stops_the_import() -> None:
    refused = pytest.raises(ImportRefusedError, match="site 3 is changed before it is created")
    with imports.importing("odm-x", "console:test"), refused:
        _importer().study_note(_admin_note("site", "3.name", "Kobe", old="Kyoto"))


def test_the_entries_of_one_change_are_one_call() -> None:
    """The entries one service call wrote: same owner, actor, reason and moment (or all of a
    creation, from a file written when each had its own moment); never a password."""
    first = _admin_note("account", "ann.active", True)
    assert _same_change(first, _admin_note("account", "ann.role", "monitor"))
    later = _admin_note("account", "ann.role", "monitor", at="2026-01-05T01:02:03.9Z")
    assert _same_change(first, later)  # both of the creation
    assert not _same_change({**first, "old": False}, {**later, "old": "investigator"})
    assert not _same_change(first, _admin_note("account", "bob.role", "monitor"))
    assert not _same_change(first, _admin_note("account", "ann.password", "set"))
    assert not _same_change(first, _admin_note("account", "ann.role", "x", reason="other"))
    assert not _same_change(first, _admin_note("site", "ann.name", "x"))
    assert not _same_change(first, _admin_note("account", "ann.active", False))
