"""The eCRFs of a visit as the web application shows them: code, title, model, hidden fields.

The models are the protocol layer's (`lupustrial.protocol.crfs`): a CRF's model is its edit
check, so the web form, the API, the study dataset and the scoring read one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from lupustrial.protocol.crfs import CRF_MODELS

_TITLES: dict[str, Promise] = {
    "labs": _("Laboratory results"),
    "vitals": _("Vital signs and weight"),
    "sledai2k": _("SLEDAI-2K"),
    "disease_activity": _("Physician global assessment and LLDAS items"),
    "glucocorticoids": _("Glucocorticoids"),
    "medications": _("Concomitant medications and vaccines"),
    "infusion": _("Anifrolumab infusion"),
    "pregnancy_test": _("Pregnancy test"),
}
_HIDDEN: dict[str, tuple[str, ...]] = {
    "labs": ("temperature",),  # entered once, in the vital signs
    "sledai2k": ("date", "labs"),  # the visit's date and labs forms
}


@dataclass(frozen=True)
class Crf:
    """One eCRF: its code, title, model and the fields the page leaves out."""

    code: str
    title: str | Promise
    model: type[BaseModel]
    exclude: tuple[str, ...] = field(default=())


CRFS: tuple[Crf, ...] = tuple(
    Crf(code, _TITLES[code], model, _HIDDEN.get(code, ())) for code, model in CRF_MODELS.items()
)
CRF_BY_CODE: dict[str, Crf] = {crf.code: crf for crf in CRFS}

RETIRED_CRFS: dict[str, str] = {
    "adverse_events": "adverse events are their own records since migration study 0003",
}
"""Form codes saved before and no longer a visit's form: their rows stay (with their trail and
queries), are read by nothing that derives or exports, and were carried over by a migration."""
