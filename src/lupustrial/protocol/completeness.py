"""When a saved eCRF is complete: each CRF declares its required items, here, once.

A form is saved as soon as its edit checks pass, so a coordinator can save what is known
and come back; but "saved" is not "complete". A form is complete when every required item
was answered. For the SLEDAI-2K that is each of the 24 descriptors answered present or
absent (Gladman 2002 scores every descriptor; one left blank makes the total a lower
bound), unless the form says why those left blank were not assessed. An item that is a
list is answered when it was recorded, even as "none".

A form can also be declared **not done** with a reason (labs not drawn, part of the visit not
attended): CDISC CDASH records this as the status "NOT DONE" with a reason not done
(--STAT/--REASND, CDASH Implementation Guide v2.1, 2019). A form not done holds no values
and is no gap: the incomplete-forms worklist does not list it.

The visit page, the worklists and the status grid read `completeness`, so a form cannot be
"complete" on one page and "incomplete" on another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lupustrial.clinical.sledai2k import DESCRIPTORS, score_sledai2k
from lupustrial.protocol.crfs import VisitForms, sledai_input


class FormStatus(StrEnum):
    """Where a saved form stands."""

    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    NOT_DONE = "not_done"  # declared not done, with a reason (CDASH --STAT/--REASND)


@dataclass(frozen=True)
class Required:
    """A required item: answered when any of ``paths`` (dotted) holds a value.

    Several paths mean alternatives (a 24-hour urine protein or a spot ratio).
    """

    paths: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.paths[0]

    def answered(self, data: Mapping[str, Any]) -> bool:
        return any(_get(data, path) is not None for path in self.paths)


def _one(*paths: str) -> Required:
    return Required(paths)


SLEDAI2K_DESCRIPTORS: tuple[Required, ...] = tuple(_one(d.code) for d in DESCRIPTORS)

REQUIRED: dict[str, tuple[Required, ...]] = {
    # The results the SLEDAI-2K, LLDAS and the eligibility read (Gladman 2002; protocol).
    "labs": (
        _one("platelets"),
        _one("leukocytes"),
        _one("urine_protein_24h", "urine_protein_creatinine_ratio"),
        _one("c3"),
        _one("c4"),
        _one("anti_dsdna"),
    ),
    "vitals": (_one("temperature"), _one("body_weight")),
    "sledai2k": SLEDAI2K_DESCRIPTORS,
    # LLDAS (Franklyn 2016) and DORIS (van Vollenhoven 2021) read every item of this form.
    "disease_activity": (
        _one("pga"),
        _one("haemolytic_anaemia"),
        _one("gastrointestinal_activity"),
        _one("maintenance_therapy_standard_and_tolerated"),
        _one("maintenance_therapy_stable"),
    ),
    "glucocorticoids": (_one("doses"),),
    "medications": (_one("medications"),),
    "infusion": (_one("given"),),
    "pregnancy_test": (_one("done"),),
}
"""Each CRF's required items, by the CRF's code (`protocol.crfs.CRF_MODELS`)."""


@dataclass(frozen=True)
class Completeness:
    """A saved form's status and, when incomplete, the required items still unanswered."""

    status: FormStatus
    missing: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return self.status is FormStatus.COMPLETE

    @property
    def to_enter(self) -> bool:
        """Whether the form still needs entry: incomplete, not complete and not declared not
        done (what the incomplete-forms worklist lists)."""
        return self.status is FormStatus.INCOMPLETE


def completeness(
    code: str,
    data: Mapping[str, Any] | None,
    derived: frozenset[str] = frozenset(),
    not_done: str | None = None,
) -> Completeness:
    """Whether the form ``code`` saved with ``data`` is complete, and what is missing.

    ``derived`` names items answered elsewhere: a SLEDAI-2K laboratory descriptor left blank
    is scored from the visit's laboratory results (Gladman 2002), so it is not a gap when
    those results decide it. ``not_done`` is the reason the form was declared not done
    (None: it was not); a form not done holds no values. Raises ValueError on a blank
    reason or a form not done that holds values.
    """
    if not_done is not None:
        if not not_done.strip():
            raise ValueError("a form declared not done needs its reason")
        if data:
            raise ValueError(f"form {code} is declared not done but holds values")
        return Completeness(FormStatus.NOT_DONE)
    if data is None:
        return Completeness(FormStatus.INCOMPLETE, tuple(r.name for r in REQUIRED.get(code, ())))
    missing = tuple(
        r.name for r in REQUIRED.get(code, ()) if not r.answered(data) and r.name not in derived
    )
    if code == "sledai2k" and missing and (data.get("not_assessed_reason") or "").strip():
        # "Not assessed" with its reason is an answer; without one it is a gap.
        missing = ()
    return Completeness(FormStatus.INCOMPLETE if missing else FormStatus.COMPLETE, missing)


def lab_decided(forms: VisitForms, date: dt.date | None) -> frozenset[str]:
    """The SLEDAI-2K descriptors the visit's laboratory results decide (Gladman 2002): a blank
    one is scored from the labs, so it is no gap."""
    sledai = sledai_input(forms, date)
    if sledai is None:
        return frozenset()
    findings = score_sledai2k(sledai).findings
    return frozenset(f.code for f in findings if f.derived_from and f.status != "unknown")


def visit_completeness(
    forms: VisitForms, date: dt.date | None, not_done: Mapping[str, str]
) -> dict[str, Completeness]:
    """Each form of a visit's record that was saved or declared not done, by CRF code: its
    `completeness`, the SLEDAI-2K's laboratory descriptors answered by the labs."""
    found = {}
    for code in VisitForms.model_fields:
        form = getattr(forms, code)
        if code in not_done:
            found[code] = completeness(code, {}, not_done=not_done[code])
        elif form is not None:
            data = form.model_dump(mode="json", exclude_none=True)
            derived = lab_decided(forms, date) if code == "sledai2k" else frozenset()
            found[code] = completeness(code, data, derived)
    return found


def _get(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node
