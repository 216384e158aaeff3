"""A form's plan (its generated fields and form class) is built once per form, row counts
and language, and kept in the process (issue 19): building it cost every save and every
form page's view ~0.7 ms of CPU for the vital signs, more for larger forms."""

from __future__ import annotations

from django.utils import translation

from lupustrial.edc.study.views import _crf_plan

VITALS = {"temperature": {"value": 36.5, "unit": "°C"}}


def test_a_plan_is_built_once_per_form_rows_and_language() -> None:
    with translation.override("en"):
        plan = _crf_plan("vitals", None)
        assert _crf_plan("vitals", VITALS) is plan  # the same row counts
        assert plan.form_class() is plan.form_class()
        assert _crf_plan("labs", None) is not plan
    with translation.override("ja"):
        assert _crf_plan("vitals", None) is not plan


def test_a_kept_plan_shows_the_reader_s_language() -> None:
    for language, unit in (("en", "unit"), ("ja", "単位"), ("en", "unit")):
        with translation.override(language):
            form = _crf_plan("vitals", None).form_class()()
            assert form["temperature.unit"].field.widget.attrs["aria-label"] == unit
