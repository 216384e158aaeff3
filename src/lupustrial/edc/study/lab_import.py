"""Laboratory results from a hospital's FHIR Bundle into a visit's labs form (issue 20).

The page (`lab_import_views`) shows the bundle's proposed values (`interop.fhir_labs`) and
saves nothing until the coordinator confirms; then `import_labs` saves the labs form through
`services.save_form` (edit checks, version, audit trail) with, as the change's reason, the
bundle and the Observation each value came from, so the trail keeps every value's source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from lupustrial.edc.study import services
from lupustrial.edc.study.models import FormData, Visit
from lupustrial.protocol.crfs import Labs

LABS = "labs"


def import_reason(bundle_id: str, sources: Mapping[str, str]) -> str:
    """The change's reason: the bundle and each value's Observation."""
    listed = "; ".join(
        f"{item} ← {source.split(' ', 1)[-1]}" for item, source in sorted(sources.items())
    )
    return f"imported from FHIR Bundle/{bundle_id} after review: {listed}"


def import_labs(
    user: Any,
    visit: Visit,
    bundle_id: str,
    values: Sequence[Mapping[str, Any]],
    version: int,
) -> FormData:
    """Save the confirmed values into the visit's labs form (other saved values are kept).

    ``values`` are the reviewed proposals: ``item``, ``value`` and ``source`` each. An item
    the labs form does not have, or no value at all, is a `RuleError`.
    """
    if not values:
        raise services.RuleError(_("No laboratory result to import."))
    proposed: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for value in values:
        item = str(value.get("item", ""))
        if item not in Labs.model_fields or item == "temperature":
            raise services.RuleError(_("The labs form has no field %(item)s.") % {"item": item})
        proposed[item] = value.get("value")
        sources[item] = str(value.get("source", ""))
    saved = FormData.objects.filter(visit=visit, crf=LABS).first()
    data = {**(saved.data if saved else {}), **proposed}
    return services.save_form(
        user, visit, LABS, data, version, reason=import_reason(bundle_id, sources)
    )
