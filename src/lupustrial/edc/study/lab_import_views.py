"""The page that imports a patient's laboratory results from a FHIR Bundle (issue 20).

Upload: the bundle is read (`interop.fhir_labs.read_lab_bundle`) and its proposed values are
shown beside what the labs form already holds, with every result it could not take and why.
Confirm: the values shown are saved through `lab_import.import_labs`. Nothing is saved before.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.study import services
from lupustrial.edc.study.lab_import import LABS, import_labs
from lupustrial.edc.study.models import FormData, Visit
from lupustrial.edc.study.views import study_view

MAX_BUNDLE_BYTES = 5 * 1024 * 1024
"""A patient's laboratory bundle is small; a larger upload is refused, not read."""


@study_view
def lab_import(request: HttpRequest, pk: int) -> HttpResponse:
    from lupustrial.interop.fhir_labs import LabBundleError, read_lab_bundle

    visit = get_object_or_404(Visit.objects.select_related("subject__site"), pk=pk)
    services.require(request.user, Can.ENTER_DATA, visit.subject)
    saved = FormData.objects.filter(visit=visit, crf=LABS).first()
    context: dict[str, Any] = {
        "visit": visit,
        "subject": visit.subject,
        "saved": saved.data if saved else {},
        "version": saved.version if saved else 0,
    }
    if request.method == "POST" and "confirm" in request.POST:
        try:
            values = json.loads(request.POST.get("payload", "[]"))
            version = int(request.POST.get("version", "-1"))
            import_labs(request.user, visit, request.POST.get("bundle", ""), values, version)
        except (ValueError, TypeError, AttributeError):
            messages.error(
                request, _("The reviewed values could not be read; upload the bundle again.")
            )
        except (services.RuleError, services.ConflictError) as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, _("Laboratory results imported after review."))
            return redirect("crf", pk=visit.pk, code=LABS)
    elif request.method == "POST":
        upload = request.FILES.get("bundle")
        if upload is None:
            messages.error(request, _("Choose a FHIR Bundle file (JSON)."))
        elif upload.size is not None and upload.size > MAX_BUNDLE_BYTES:
            messages.error(request, _("The file is larger than 5 MB."))
        else:
            try:
                found = read_lab_bundle(upload.read())
            except LabBundleError as problem:
                messages.error(request, _("Not read: %(problem)s") % {"problem": problem})
            else:
                context.update(
                    found=found,
                    payload=json.dumps(
                        [
                            {"item": v.item, "value": v.value, "source": v.source}
                            for v in found.values
                        ],
                        ensure_ascii=False,
                    ),
                    rows=[
                        {
                            "value": v,
                            "before": _shown(context["saved"].get(v.item)),
                            "other_day": visit.date is not None
                            and v.effective[:10] not in ("", visit.date.isoformat()),
                        }
                        for v in found.values
                    ],
                )
    return render(request, "edc/lab_import.html", context)


def _shown(value: Any) -> str:
    if isinstance(value, dict) and "value" in value and "unit" in value:
        return f"{value['value']:g} {value['unit']}"
    if isinstance(value, dict) and isinstance(value.get("value"), dict):
        return _shown(value["value"])
    return "" if value is None else str(value)
