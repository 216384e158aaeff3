"""Issue 18: a glucocorticoid dose entered directly as the total daily dose (mg/day).

The form offers "per day (total daily dose)" beside "per administration" (EN/JA); a regimen
saved so reaches the dataset as entered and counts as entered (`clinical.glucocorticoids`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from lupustrial.dataset.snapshot import read_snapshot, write_snapshot
from lupustrial.edc.export import database_records
from lupustrial.edc.study import services
from lupustrial.edc.study.models import FormData
from tests.edc.clients import login
from tests.edc.test_whole_record import data_cut

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _w12_steroids() -> FormData:
    return FormData.objects.get(
        visit__subject__subject_id="TKY-001", visit__code="W12", crf="glucocorticoids"
    )


def test_the_form_offers_a_dose_per_day_in_english_and_japanese() -> None:
    form = _w12_steroids()
    page = login("coordinator").get(reverse("crf", args=[form.visit_id, "glucocorticoids"]))
    text = page.content.decode()
    assert 'value="day">per day (total daily dose)</option>' in text
    assert 'value="administration">per administration</option>' in text
    with translation.override("ja"):
        from lupustrial.edc.study.labels import value_word

        assert value_word("doses.0.dose_per", "day") == "1日量（1日の総投与量）"


def test_a_total_daily_dose_is_kept_as_entered_and_counted_as_entered(tmp_path: Path) -> None:
    form = _w12_steroids()
    regimen = {"drug": "prednisolone", "dose": {"value": 7.5, "unit": "mg"}, "dose_per": "day"}
    services.save_form(
        _user("coordinator"), form.visit, "glucocorticoids", {"doses": [regimen]},
        form.version, reason="entered as the daily total",
    )  # fmt: skip
    with pytest.raises(services.RuleError, match="total daily dose"):
        services.save_form(
            _user("coordinator"), form.visit, "glucocorticoids",
            {"doses": [{**regimen, "times_per_day": 2}]}, form.version + 1, reason="twice",
        )  # fmt: skip
    write_snapshot(database_records(), tmp_path / "snap", data_cut(), source="database")
    snap = read_snapshot(tmp_path / "snap")
    [row] = snap.rows("glucocorticoids", subject_id="TKY-001", visit="W12")
    assert (row["dose_value"], row["daily_dose_mg"], row["prednisolone_mg_per_day"]) == (
        7.5, 7.5, 7.5,
    )  # fmt: skip
    values = {
        r["field"]: r
        for r in snap.rows("form_values", subject_id="TKY-001", visit="W12")
        if r["crf"] == "glucocorticoids"
    }
    assert values["doses.0.dose_per"]["value_text"] == "day"
    assert (values["doses.0.dose"]["value_number"], values["doses.0.dose"]["unit"]) == (7.5, "mg")
