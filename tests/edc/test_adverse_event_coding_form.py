"""The adverse-event form generated from its model: CTCAE code, MedDRA code, aware date and the
seriousness criteria as check boxes (in the reader's language); errors land on their field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import translation

from lupustrial.edc.study.schema_forms import FormPlan
from lupustrial.protocol.crfs import AdverseEvent

POSTED = {
    "term": "pneumonia",
    "ctcae_code": "10021881",
    "specified_code": "10035664",
    "onset": "2026-03-01",
    "aware_date": "2026-03-02",
    "grade": "3",
    "serious": "true",
    "related": "possible",
    "outcome": "recovering",
    "course": "Admitted on 2 March; intravenous antibiotics.",
}


def _form(plan: FormPlan, data: dict[str, Any]) -> forms.Form:
    return plan.form_class()(data=data)


def test_the_form_asks_for_the_codes_and_the_criteria_as_check_boxes() -> None:
    plan = FormPlan(AdverseEvent)
    assert isinstance(plan.fields["ctcae_code"], forms.IntegerField)
    assert isinstance(plan.fields["specified_code"], forms.IntegerField)
    assert isinstance(plan.fields["aware_date"], forms.DateField)
    criteria = plan.fields["seriousness_criteria"]
    assert isinstance(criteria, forms.MultipleChoiceField)
    assert isinstance(criteria.widget, forms.CheckboxSelectMultiple)
    choices = criteria.choices
    assert isinstance(choices, list)
    assert ("may_lead_to_disability", "may lead to disability") in choices


def test_the_criteria_read_in_japanese_for_a_japanese_reader() -> None:
    plan = FormPlan(AdverseEvent)  # built once, as a page module does at import
    form = plan.form_class()()
    with translation.override("ja"):
        page = str(form["seriousness_criteria"])
        # A choice field, typed as a Field (no choices) in the plan's dict of fields.
        choices = {k: str(v) for k, v in plan.fields["seriousness_criteria"].choices}  # type: ignore[attr-defined]
    assert choices["may_lead_to_disability"] == "障害につながるおそれのある疾病等"
    assert "障害につながるおそれのある疾病等" in page
    with translation.override("en"):
        assert "may lead to disability" in str(form["seriousness_criteria"])


def test_what_is_posted_is_what_the_model_holds_and_reads_back() -> None:
    plan = FormPlan(AdverseEvent)
    posted = {**POSTED, "seriousness_criteria": ["hospitalisation", "medically_important"]}
    model = plan.validate(_form(plan, posted))
    assert isinstance(model, AdverseEvent)
    assert (model.ctcae_code, model.specified_code) == (10021881, 10035664)
    assert [c.value for c in model.seriousness_criteria] == [
        "hospitalisation",
        "medically_important",
    ]
    assert model.course == POSTED["course"]
    initial = plan.initial(model.model_dump(mode="json"))
    assert initial["seriousness_criteria"] == ["hospitalisation", "medically_important"]
    assert initial["ctcae_code"] == 10021881


def test_a_grade_the_term_does_not_define_is_an_error_on_the_grade_field() -> None:
    plan = FormPlan(AdverseEvent)
    posted = {**POSTED, "ctcae_code": "10002218", "specified_code": "", "grade": "2"}
    form = _form(plan, posted)
    assert plan.validate(form) is None
    assert form.errors["grade"] == ["CTCAE v5.0 'Anaphylaxis' has no grade 2 (its grades: 3, 4, 5)"]


def test_no_criterion_ticked_is_an_empty_list_not_an_error() -> None:
    plan = FormPlan(AdverseEvent)
    posted = {**POSTED, "serious": "false"}
    model = plan.validate(_form(plan, posted))
    assert isinstance(model, AdverseEvent)
    assert model.seriousness_criteria == []


def test_the_new_fields_have_labels_and_help_in_both_languages() -> None:
    plan = FormPlan(AdverseEvent)
    with translation.override("en"):
        assert str(plan.fields["aware_date"].label) == "Date the investigator became aware"
        assert str(plan.fields["ctcae_code"].label) == "CTCAE v5.0 term (MedDRA code)"
        assert "CTCAE list beside the form" in str(plan.fields["ctcae_code"].help_text)
    with translation.override("ja"):
        assert str(plan.fields["aware_date"].label) == "研究責任医師が知った日"
        assert str(plan.fields["specified_code"].label) == "具体的に記載した事象のMedDRAコード"
        assert str(plan.fields["course"].label) == "経過"
