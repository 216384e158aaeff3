"""A form's plan may be built once and kept (the adverse-event form's at import, a visit
form's per language): what it names a field with must be worded when the page is drawn, in the
reader's language, not frozen in the language active when the plan was built."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lupustrial.edc.study.models import Subject
from lupustrial.edc.study.schema_forms import FormPlan
from lupustrial.protocol.crfs import Glucocorticoids, Vitals
from tests.edc.clients import login

UNIT = {"en": "unit", "ja": "単位"}


def _cells(built_in: str, read_in: str) -> dict[str, str]:
    with translation.override(built_in):
        vitals = FormPlan(Vitals)
        doses = FormPlan(Glucocorticoids, rows={"doses": 2})
    with translation.override(read_in):
        return {
            "unit": str(vitals.form_class()()["temperature.unit"].field.widget.attrs["aria-label"]),
            "row": str(doses.form_class()()["doses.1.drug"].field.widget.attrs["aria-label"]),
            "label": str(doses.form_class()()["doses.1.drug"].field.label),
        }


@pytest.mark.parametrize(("built_in", "read_in"), [("en", "ja"), ("ja", "en")])
def test_a_plans_screen_reader_names_are_in_the_readers_language(
    built_in: str, read_in: str
) -> None:
    cells = _cells(built_in, read_in)
    assert cells["unit"] == UNIT[read_in]
    assert cells["row"] == f"{cells['label']} (2)"
    assert cells["label"] == _cells(read_in, read_in)["label"]


def _page(client: Client, language: str, subject: Subject) -> str:
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client.get(reverse("adverse_event_new", args=[subject.pk])).content.decode()


@pytest.mark.usefixtures("demo")
def test_the_adverse_event_form_speaks_each_readers_language_in_one_process() -> None:
    """The adverse-event form's plan is built once, at import: English then Japanese then
    English again, each page in its own words."""
    subject = Subject.objects.get(screening_number="S-001")
    client = login("coordinator")
    for language, words, not_words in (
        ("en", ("Relatedness", "Outcome", "Seriousness criteria"), ("因果関係", "転帰")),
        ("ja", ("因果関係", "転帰", "重篤性の基準"), ("Relatedness", "Seriousness criteria")),
        ("en", ("Relatedness", "Outcome", "Seriousness criteria"), ("因果関係", "転帰")),
    ):
        html = _page(client, language, subject)
        for word in words:
            assert word in html, (language, word)
        for word in not_words:
            assert word not in html, (language, word)


def test_the_adverse_event_end_date_has_its_own_help_not_a_regimens() -> None:
    """The adverse event's end date shared its help with a medication's ("Last day of this
    regimen."), by field name; the form has its own, in each language."""
    from lupustrial.edc.study.ae_views import _PLAN
    from lupustrial.edc.study.views import _crf_plan

    for language, event, regimen in (
        ("en", "The day the event ended; blank while it is ongoing.", "Last day of this regimen."),
        ("ja", "事象の転帰日。継続中の場合は空欄。", "この投与の終了日。"),
    ):
        with translation.override(language):
            assert str(_PLAN.form_class()()["end_date"].help_text) == event
            medications = _crf_plan("medications", None).form_class()()
            assert str(medications["medications.0.end_date"].help_text) == regimen
