"""A coordinator's day, the forms (issue 18): labels a person reads, complete means complete,
save and next, Japanese validation messages and implausible blood counts refused."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from lupustrial.clinical.sledai2k import DESCRIPTORS
from lupustrial.edc.study import labels
from lupustrial.edc.study.crfs import CRFS
from lupustrial.edc.study.models import FormData, Subject, Visit
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")

DATA_WORDS = re.compile(r"true =|false =|omitted =|\[\] =|\{&quot;value&quot;|\{\"value\"")
"""What the generated forms' help used to explain: the JSON behind the form."""


def _w12(crf: str = "vitals") -> FormData:
    subject = Subject.objects.get(screening_number="S-001")
    return FormData.objects.get(visit__subject=subject, visit__code="W12", crf=crf)


def _as_japanese(username: str) -> None:
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(username=username).staff
    staff.language = "ja"
    staff.save(update_fields=["language"])


@translation.override("en")
def test_the_sledai2k_definitions_are_gladman_2002_word_for_word() -> None:
    assert set(labels.SLEDAI2K_DEFINITIONS) == {d.code for d in DESCRIPTORS}
    for descriptor in DESCRIPTORS:
        assert str(labels.SLEDAI2K_DEFINITIONS[descriptor.code]) == descriptor.definition
        assert descriptor.code in labels.LABELS


@pytest.mark.parametrize("code", [crf.code for crf in CRFS if crf.code != "adverse_events"])
def test_every_form_speaks_to_people_not_in_json(code: str) -> None:
    form = _w12()
    page = login("coordinator").get(reverse("crf", args=[form.visit_id, code])).content.decode()
    assert not DATA_WORDS.search(page), DATA_WORDS.search(page)
    for programmer_label in ("Cva", "Pga", "Ana positive", "Times per day"):
        assert f">{programmer_label}" not in page


def test_the_screening_form_speaks_to_people_not_in_json() -> None:
    subject = Subject.objects.exclude(screening=None).order_by("pk").first()
    assert subject is not None
    page = login("coordinator").get(reverse("screening", args=[subject.pk])).content.decode()
    assert not DATA_WORDS.search(page), DATA_WORDS.search(page)
    assert "Ana positive at least 1 80" not in page
    assert "ANA ≥ 1:80 (entry criterion)" in page
    assert "Sle diagnosis date" not in page


def test_the_sledai2k_is_one_table_of_24_rows_by_organ_system_with_weights() -> None:
    form = _w12("sledai2k")
    page = login("coordinator").get(reverse("crf", args=[form.visit_id, "sledai2k"]))
    html = page.content.decode()
    assert html.count("data-descriptor=") == 24
    assert "Central nervous system" in html
    assert "Haematologic" in html
    assert "Cerebrovascular accident" in html
    assert "Mark all unanswered absent" in html
    assert 'type="radio"' in html


def test_an_empty_sledai2k_saves_but_is_incomplete_and_lists_what_is_missing() -> None:
    form = _w12("sledai2k")
    client = login("coordinator")
    response = client.post(
        reverse("crf", args=[form.visit_id, "sledai2k"]),
        {"version": form.version, "reason": "cleared for the test", "lookback_days": "10"},
    )
    assert response.status_code == 302
    visit_page = client.get(reverse("visit", args=[form.visit_id])).content.decode()
    assert "incomplete" in visit_page
    assert "Missing: Seizure, Psychosis" in visit_page
    crf_page = client.get(reverse("crf", args=[form.visit_id, "sledai2k"])).content.decode()
    assert 'id="form-status">incomplete' in crf_page


def test_not_assessed_with_a_reason_completes_the_sledai2k() -> None:
    form = _w12("sledai2k")
    posted = {d.code: "false" for d in DESCRIPTORS if d.code != "visual_disturbance"}
    response = login("coordinator").post(
        reverse("crf", args=[form.visit_id, "sledai2k"]),
        {
            **posted,
            "lookback_days": "10",
            "not_assessed_reason": "no fundoscopy this visit",
            "version": form.version,
            "reason": "r",
        },
    )
    assert response.status_code == 302
    page = login("coordinator").get(reverse("visit", args=[form.visit_id])).content.decode()
    assert "✓ complete" in page


def test_save_and_next_opens_the_visits_next_form() -> None:
    form = _w12("labs")
    client = login("coordinator")
    page = client.get(reverse("crf", args=[form.visit_id, "labs"]))
    posted = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    posted.update(version=form.version, reason="re-read", next="1")
    posted = {k: ("true" if v is True else "false" if v is False else v) for k, v in posted.items()}
    response = client.post(reverse("crf", args=[form.visit_id, "labs"]), posted)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("crf", args=[form.visit_id, "vitals"])
    landed = client.get(response["Location"]).content.decode()
    assert "Form saved. Next: Vital signs and weight." in landed


def test_the_last_form_has_no_next() -> None:
    visit = Visit.objects.get(subject__screening_number="S-001", code="W12")
    last = CRFS[-1].code
    page = login("coordinator").get(reverse("crf", args=[visit.pk, last])).content.decode()
    assert "Save and next" not in page


def test_a_platelet_count_of_15_per_microlitre_is_refused_as_implausible() -> None:
    form = _w12("labs")
    page = login("coordinator").get(reverse("crf", args=[form.visit_id, "labs"]))
    posted = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    posted.update({"platelets.value": "15", "platelets.unit": "/µL"})
    posted.update(version=form.version, reason="r")
    response = login("coordinator").post(reverse("crf", args=[form.visit_id, "labs"]), posted)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is below 1 10^9/L" in html
    assert "implausible" in html
    form.refresh_from_db()
    assert form.data["platelets"] != {"value": 15, "unit": "/µL"}


def test_validation_messages_come_in_japanese() -> None:
    _as_japanese("coordinator")
    form = _w12("labs")
    client = login("coordinator")
    page = client.get(reverse("crf", args=[form.visit_id, "labs"]))
    posted = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    posted.update({"platelets.value": "-5", "platelets.unit": "10^9/L"})
    posted.update(version=form.version, reason="r")
    html = client.post(reverse("crf", args=[form.visit_id, "labs"]), posted).content.decode()
    assert "負の値は入力できません（入力値 -5）。" in html
    assert "血小板数" in html  # the label, from the catalogue


def test_pga_4_is_refused_in_japanese() -> None:
    _as_japanese("coordinator")
    form = _w12("disease_activity")
    client = login("coordinator")
    html = client.post(
        reverse("crf", args=[form.visit_id, "disease_activity"]),
        {"pga": "4", "version": form.version, "reason": "r"},
    ).content.decode()
    assert "3以下" in html
    assert "less than or equal" not in html


def test_query_sdv_and_lock_each_say_they_were_done() -> None:
    form = _w12()
    monitor = login("monitor")
    raised = monitor.post(
        reverse("form_action", args=[form.pk, "query"]),
        {"field": "body_weight", "text": "?"},
        follow=True,
    )
    assert "Query raised." in raised.content.decode()
    query = form.queries.get(text="?")
    answered = login("coordinator").post(
        reverse("query_action", args=[query.pk, "answer"]),
        {"answer": "as in the chart"},
        follow=True,
    )
    assert "Query answered." in answered.content.decode()
    closed = monitor.post(reverse("query_action", args=[query.pk, "close"]), follow=True)
    assert "Query closed." in closed.content.decode()
    form.refresh_from_db()
    verified = monitor.post(
        reverse("form_action", args=[form.pk, "verify"]), {"version": form.version}, follow=True
    )
    assert "Source data verified." in verified.content.decode()


def test_locking_asks_first_and_names_the_open_queries_then_hides_edit_controls() -> None:
    form = _w12()
    subject = form.visit.subject
    login("monitor").post(
        reverse("form_action", args=[form.pk, "query"]), {"field": "", "text": "weight source?"}
    )
    manager = login("datamanager")
    page = manager.get(reverse("subject", args=[subject.pk])).content.decode()
    assert "data-confirm=" in page
    assert "queries are still open" in page
    assert "weight source?" in page
    locked = manager.post(reverse("casebook_lock", args=[subject.pk]), {"locked": "1"}, follow=True)
    assert "Casebook locked." in locked.content.decode()
    coordinator = login("coordinator")
    visit_page = coordinator.get(reverse("visit", args=[form.visit_id])).content.decode()
    assert "Save visit date" not in visit_page
    crf = coordinator.get(reverse("crf", args=[form.visit_id, "vitals"])).content.decode()
    assert 'type="submit"' not in crf.split('id="crf-form"')[1].split("</form>")[0]


def test_the_demo_visits_sledai2k_is_complete_its_lab_descriptors_from_the_labs() -> None:
    """The demo enters the clinical descriptors; the labs decide the laboratory ones."""
    form = _w12("sledai2k")
    assert "thrombocytopenia" not in form.data
    page = login("coordinator").get(reverse("visit", args=[form.visit_id])).content.decode()
    assert "incomplete" not in page
    crf = login("coordinator").get(reverse("crf", args=[form.visit_id, "sledai2k"]))
    assert 'id="form-status">✓' in crf.content.decode()


def test_the_screening_form_comes_in_five_sections_beside_the_decision() -> None:
    subject = Subject.objects.exclude(screening=None).order_by("pk").first()
    assert subject is not None
    html = login("coordinator").get(reverse("screening", args=[subject.pk])).content.decode()
    tabs = re.findall(r'data-section-tab="(\w+)"', html)
    assert tabs == ["demographics", "classification", "history", "labs", "exclusions"]
    assert html.count("data-section=") == 5
    assert '<div class="sticky" tabindex="0" role="region"' in html
    # every part of the record is in one of them
    assert 'name="investigator_judgement.unsuitable"' in html
    assert 'name="hepatitis.hbs_ag"' in html


@translation.override("en")
def test_the_criteria_catalogue_is_the_registrations_wording() -> None:
    from lupustrial.protocol.criteria import CRITERIA

    assert {c.id for c in CRITERIA} == set(labels.CRITERIA)
    for criterion in CRITERIA:
        assert str(labels.CRITERIA[criterion.id]) == criterion.wording


def test_the_decision_and_the_derived_results_read_in_japanese() -> None:
    _as_japanese("coordinator")
    subject = Subject.objects.get(screening_number="S-001")
    client = login("coordinator")
    html = client.get(reverse("screening", args=[subject.pk])).content.decode()
    assert "同意取得時の年齢が18歳以上80歳未満" in html
    assert "満たす" in html
    assert "適格" in html
    assert "Age 18 years or older" not in html
    form = _w12("sledai2k")
    visit_page = client.get(reverse("visit", args=[form.visit_id])).content.decode()
    assert "<b>満たす</b>" in visit_page or "<b>満たさない</b>" in visit_page


def test_dates_follow_the_readers_convention() -> None:
    form = _w12()
    planned = form.visit.planned_date
    assert planned is not None
    english = login("coordinator").get(reverse("visit", args=[form.visit_id])).content.decode()
    assert planned.strftime("%Y-%m-%d") in english
    _as_japanese("coordinator")
    japanese = login("coordinator").get(reverse("visit", args=[form.visit_id])).content.decode()
    assert planned.strftime("%Y/%m/%d") in japanese


def test_the_crf_models_own_refusals_come_in_japanese() -> None:
    _as_japanese("coordinator")
    form = _w12("infusion")
    html = (
        login("coordinator")
        .post(
            reverse("crf", args=[form.visit_id, "infusion"]),
            {"given": "true", "version": form.version, "reason": "r"},
        )
        .content.decode()
    )
    assert "投与した場合は投与日と投与量が必要です。" in html


def test_the_screening_sledai2k_is_the_visit_table_with_weights_and_organ_systems() -> None:
    """One template (`_sledai_table.html`) for the visit's and the screening's SLEDAI-2K."""
    subject = Subject.objects.get(screening_number="S-001")
    html = login("coordinator").get(reverse("screening", args=[subject.pk])).content.decode()
    table = html[
        html.index('id="sledai-table"') : html.index("</table>", html.index("sledai-table"))
    ]
    assert table.count("data-descriptor=") == 24
    assert 'name="screening_sledai2k.seizure"' in table
    for descriptor in (DESCRIPTORS[0], DESCRIPTORS[-1]):
        row = table[table.index(f'data-descriptor="{descriptor.code}"') :]
        assert f'<td class="weight">{descriptor.weight}</td>' in row[: row.index("</tr>")]
    assert "Central nervous system" in table
    assert "Haematologic" in table
    assert "Mark all unanswered absent" in html
    assert 'name="screening_sledai2k.labs.platelets.value"' in html  # its results below it
