"""A form save writes its rows in SQL (issue 19): exactly the rows the ORM wrote before.

The reference, `_saved_by_the_orm`, is the save's writes as they were at c4aa958: the locked
reads, ``form.save()``, the trail's entries and ``RecordVersion.objects.create``. The same
saves (a correction, a save that changes nothing, a correction of a verified form, a value
outside its soft limits that raises a query, a form's first save) are made through the page,
the JSON API, the API's service (`save_form`) and the reference, each from the same state at
the same moment; every row they leave (forms, versions, audit entries with their hashes, the trail's
head, queries) must be the same, and `audit verify` (chain and reconciliation) must pass.
Run on SQLite and, in `make pytest-postgres`, on PostgreSQL, where the writes share one
statement (`statements.run_together`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lupustrial.edc.audit.models import Action, AuditEntry, AuditHead
from lupustrial.edc.audit.trail import flatten, record_changes
from lupustrial.edc.audit.verification import verify
from lupustrial.edc.study import services
from lupustrial.edc.study.crfs import CRF_BY_CODE
from lupustrial.edc.study.models import FormData, Query, RecordVersion, Visit
from lupustrial.edc.study.versions import store_version
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")

MOMENT = dt.datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=dt.UTC)

Save = Callable[[User, Visit, str, dict[str, Any], int, str], None]


def _saved_by_the_orm(
    user: User, visit: Visit, code: str, data: dict[str, Any], version: int, reason: str
) -> None:
    """c4aa958's save, writes through the ORM (its checks left out: these saves pass them)."""
    with transaction.atomic():
        visit = (
            Visit.objects.select_for_update(of=("self", "subject"))
            .select_related("subject__site")
            .get(pk=visit.pk)
        )
        form = FormData.objects.select_for_update().filter(visit=visit, crf=code).first()
        model = CRF_BY_CODE[code].model.model_validate(data)
        validated = model.model_dump(mode="json", exclude_none=True)
        if form is None:
            assert version == 0
            form = FormData(visit=visit, crf=code, data=validated, updated_by=user)
            form.save()
            before = None
        else:
            assert form.version == version
            reason = reason.strip()
            before = form.data
            form.data = validated
            form.version += 1
            form.updated_by = user
            services.clear_verification(
                user,
                form,
                "data changed after verification"
                if before != validated
                else "saved again after verification",
                subject=visit.subject,
                visit=visit.code,
                form=code,
            )
            form.save()
        entries = record_changes(
            user,
            Action.CREATE if before is None else Action.UPDATE,
            before,
            validated,
            subject=visit.subject,
            visit=visit.code,
            form=code,
            reason=reason,
        )
        store_version(form, validated, user, reason, entries, visit)
        services.query_soft_limits(user, form, model)


CLIENTS: dict[str, Client] = {}
"""Signed in before the runs: signing in writes to the trail."""


def _saved_by_the_page(
    user: User, visit: Visit, code: str, data: dict[str, Any], version: int, reason: str
) -> None:
    client = CLIENTS[user.get_username()]
    posted = {name: value for name, value in flatten(data).items() if value is not None}
    response = client.post(
        reverse("crf", args=[visit.pk, code]), {**posted, "version": version, "reason": reason}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]


def _saved_by_the_api(
    user: User, visit: Visit, code: str, data: dict[str, Any], version: int, reason: str
) -> None:
    response = CLIENTS[user.get_username()].put(
        f"/api/visits/{visit.pk}/forms/{code}",
        data={"data": data, "version": version, "reason": reason},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def _saved_by_the_service(
    user: User, visit: Visit, code: str, data: dict[str, Any], version: int, reason: str
) -> None:
    services.save_form(user, visit, code, data, version, reason)


def _rows(model: type[Model], forms: dict[int, str], **where: Any) -> list[dict[str, Any]]:
    """Every column of the rows but new primary keys; a form named by its CRF, not its id
    (a form saved for the first time takes a new id in each run)."""
    found = []
    for row in model._default_manager.filter(**where).order_by("pk"):
        values = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
        if model is not FormData:
            values.pop("id")
        for name in ("record_id", "form_id", "id"):
            if name in values and model in (RecordVersion, Query, FormData):
                values[name] = forms.get(values[name], values[name])
        found.append(values)
    return found


class RolledBackError(Exception):
    """Rolls a run back to the state every run starts from."""


def _run(
    save: Save, visits: tuple[Visit, Visit], seq: int, versions: int
) -> dict[str, list[dict[str, Any]]]:
    """The saves, from the same state; the rows they leave. Rolled back afterwards."""
    coordinator = get_user_model().objects.get(username="coordinator")
    monitor = get_user_model().objects.get(username="monitor")
    osaka = get_user_model().objects.get(username="osaka")
    corrected, first = visits
    stored: dict[str, list[dict[str, Any]]] = {}
    # The same ids in every run (a query's id is in its trail entry, hence in the hashes):
    # PostgreSQL's sequences do not roll back with the rows.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [FormData, Query, RecordVersion]):
            cursor.execute(sql)
    try:
        # Every run at the same moment: the rows' times and the entries' hashes then agree.
        with pytest.MonkeyPatch.context() as patch, transaction.atomic():
            patch.setattr(timezone, "now", lambda: MOMENT)
            form = FormData.objects.get(visit=corrected, crf="vitals")
            data = dict(form.data)
            version = form.version
            weighed = {**data, "body_weight": {"value": 58.5, "unit": "kg"}}
            save(coordinator, corrected, "vitals", weighed, version, "  Weighed again ")
            save(coordinator, corrected, "vitals", weighed, version + 1, "Saved again")
            services.verify_form(monitor, FormData.objects.get(pk=form.pk), version + 2)
            cooler = {**weighed, "temperature": {"value": 36.4, "unit": "°C"}}
            save(coordinator, corrected, "vitals", cooler, version + 2, "Re-measured")
            high = {**cooler, "systolic_mmhg": 200}
            save(coordinator, corrected, "vitals", high, version + 3, "Measured twice")
            vitals = {"body_weight": {"value": 61, "unit": "kg"}, "diastolic_mmhg": 80}
            save(osaka, first, "vitals", vitals, 0, "")
            assert verify(checkpoint_by=None).intact, verify(checkpoint_by=None).lines()
            forms = {
                f.pk: f"{f.visit.code}/{f.crf}"
                for f in FormData.objects.filter(visit__in=visits).select_related("visit")
            }
            stored = {
                "forms": _rows(FormData, forms, visit__in=visits),
                "versions": _rows(RecordVersion, forms, pk__gt=versions),
                "entries": _rows(AuditEntry, forms, seq__gt=seq),
                "head": [{"seq": h.seq, "hash": h.hash} for h in AuditHead.objects.all()],
                "queries": _rows(Query, forms, form__visit__in=visits),
            }
            raise RolledBackError
    except RolledBackError:
        pass
    return stored


def test_the_rows_a_save_stores_are_the_rows_the_orm_stored() -> None:
    corrected = Visit.objects.get(subject__screening_number="S-001", code="W12")
    first = Visit.objects.get(subject__screening_number="S-101", code="W4")
    osaka = get_user_model().objects.get(username="osaka")
    assert first.planned_date is not None
    services.set_visit_date(osaka, first, first.planned_date, first.version)
    CLIENTS.update((name, login(name)) for name in ("coordinator", "osaka"))
    seq = AuditHead.objects.get().seq
    versions = RecordVersion.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    visits = (corrected, first)
    reference = _run(_saved_by_the_orm, visits, seq, versions)
    assert len(reference["entries"]) > 8
    assert len(reference["versions"]) == 5
    assert [q["field"] for q in reference["queries"] if q["status"] == "open"][-1:] == [
        "systolic_mmhg"
    ]
    assert any(e["action"] == Action.UNVERIFY for e in reference["entries"])
    for save in (_saved_by_the_page, _saved_by_the_api, _saved_by_the_service):
        stored = _run(save, visits, seq, versions)
        for table, rows in reference.items():
            assert stored[table] == rows, (save.__name__, table)
