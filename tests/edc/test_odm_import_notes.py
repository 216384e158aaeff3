"""`lupustrial import odm`: study-level entries with no replay stop the import (issue 20).

An entry that names no subject and is not one the set-up is made from (sites, accounts), nor
one with its own replay (drug lots, the monitoring log), must stop the import, naming the
entry, not pass silently as set-up."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, cast

import pytest

from lupustrial.edc.odm_import import Imported, ImportRefusedError, _Importer


def _importer() -> _Importer:
    return _Importer(cast(Any, None), ET.Element("ODM"), "console:test", Imported("odm-x", "0"))


def _note(form: str) -> dict[str, Any]:
    return {"seq": 42, "action": "create", "form": form, "field": "TKY:2026-12-01", "new": {}}


@pytest.mark.parametrize("form", ["jobs", "odm", "unknown"])
def test_a_study_level_entry_with_no_replay_stops_the_import(form: str) -> None:
    with pytest.raises(ImportRefusedError, match=f"audit entry 42 \\(create {form}\\) has no"):
        _importer().study_note(_note(form))


def test_site_and_account_entries_are_counted_as_set_up() -> None:
    importer = _importer()
    importer.study_note(_note("site"))
    importer.study_note(_note("account"))
    assert importer.result.not_replayed == {"site and account changes (set up by the importer)": 2}
