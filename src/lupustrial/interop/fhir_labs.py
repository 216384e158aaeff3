"""Laboratory results from a patient's FHIR R4 Bundle (JP Core Observations), proposed for a
visit's laboratory form.

Nothing here saves anything: `read_lab_bundle` turns the bundle into proposed values of the
labs form, each with its source (the bundle's id and the Observation's id), and lists every
result it could not take and why. The coordinator reviews them and confirms; the web
application then saves them through the services with the sources in the audit trail.

A result is matched to a labs field by its LOINC code, or its JLAC10 code where one is
declared (`protocol.laboratory_codes`). Its unit is read from its UCUM code, or from its unit
text when the clinical layer accepts that spelling (`clinical.units`); the value keeps the
laboratory's own unit, which the form's model checks and converts where it scores. An unknown
code, an unknown unit, a missing reference limit that C3, C4 or anti-dsDNA need, or two
results for one field are shown as problems, never guessed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from lupustrial.clinical.sledai2k import AntiDsDna, ComplementLevel
from lupustrial.clinical.units import ProteinConcentration, Quantity, UnitError
from lupustrial.interop.fhir import REQUIRED_CODES
from lupustrial.interop.odm.items import _strip
from lupustrial.interop.ucum import UCUM, UCUM_SYSTEM
from lupustrial.protocol.config import DEFAULT_PROTOCOL, ProtocolConfig
from lupustrial.protocol.crfs import Labs
from lupustrial.protocol.laboratory_codes import JLAC10_SYSTEM

LOINC = "http://loinc.org"
JLAC10 = JLAC10_SYSTEM
"""JLAC10's code system in JP Core (the MEDIS/JSLM laboratory code)."""
JLAC10_SYSTEMS = (JLAC10, "http://medis.or.jp/CodeSystem/master-JLAC10-17digits")
"""Read under either URI: JP Core's terminology table names the MEDIS URI beside the OID, and
JP-CLINS 0.9.4 (2023) kept the OID only, so bundles from before then may carry the URI."""


class LabBundleError(ValueError):
    """A file that is not a FHIR Bundle of Observations; says why."""


@dataclass(frozen=True)
class ProposedValue:
    """One labs field's value from one Observation."""

    item: str  # the labs form's field, e.g. "platelets"
    value: Any  # as the form's document holds it ({"value": 21.0, "unit": "万/µL"}, ...)
    shown: str  # for people: "21 万/µL"
    source: str  # "Bundle/<id> Observation/<id>"
    effective: str  # the Observation's date (or date-time) as given


@dataclass
class LabImport:
    bundle_id: str
    values: list[ProposedValue] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The proposed values as a (partial) labs form document."""
        return {value.item: value.value for value in self.values}


def _item_by_code(protocol: ProtocolConfig) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for code in protocol.laboratory_codes:
        form, _, item = code.item.partition(".")
        if form != "labs":
            continue
        found[(LOINC, code.loinc)] = item
        if code.jlac10 is not None:
            for accepted in code.jlac10.accepted:
                for system in JLAC10_SYSTEMS:
                    found[(system, accepted)] = item
    return found


def _unit(kind: type[Quantity], quantity: dict[str, Any]) -> str | None:
    """The clinical layer's spelling of the quantity's unit for ``kind``, or None."""
    accepted = kind.KIND.factors
    if quantity.get("system") == UCUM_SYSTEM and quantity.get("code"):
        for spelling in accepted:
            if UCUM.get(spelling) == quantity["code"]:
                return spelling
    text = quantity.get("unit")
    if text:
        try:
            return kind.KIND.normalise_unit(str(text))
        except UnitError:
            return None
    return None


def _number(quantity: dict[str, Any] | None) -> float | None:
    if not isinstance(quantity, dict) or not isinstance(quantity.get("value"), int | float):
        return None
    return float(quantity["value"])


def _shown(quantity: dict[str, Any]) -> str:
    return f"{quantity.get('value')} {quantity.get('unit') or quantity.get('code') or ''}".strip()


def read_lab_bundle(content: bytes | str, protocol: ProtocolConfig = DEFAULT_PROTOCOL) -> LabImport:
    """The labs form's proposed values from a FHIR R4 Bundle's Observations."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    try:
        data = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise LabBundleError(f"not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise LabBundleError("not a FHIR Bundle (resourceType is not Bundle)")
    try:
        Bundle.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise LabBundleError(f"not a valid FHIR R4 Bundle: {where}: {first['msg']}") from None
    if data.get("type") not in REQUIRED_CODES["Bundle.type"]:  # a binding the models leave
        raise LabBundleError(f"Bundle.type {data.get('type')!r} is not in its R4 value set")
    result = LabImport(bundle_id=str(data.get("id") or "(no id)"))
    items = _item_by_code(protocol)
    seen: dict[str, list[ProposedValue]] = {}
    for entry in data.get("entry") or []:
        resource = entry.get("resource") or {}
        if resource.get("resourceType") != "Observation":
            continue
        proposed = _observation(resource, result.bundle_id, items, result.problems)
        if proposed is not None:
            seen.setdefault(proposed.item, []).append(proposed)
    for item, values in seen.items():
        if len(values) > 1:
            sources = ", ".join(v.source.split(" ", 1)[1] for v in values)
            result.problems.append(f"{item}: {len(values)} results ({sources}); enter it by hand")
        else:
            result.values.append(values[0])
    order = list(Labs.model_fields)
    result.values.sort(key=lambda v: order.index(v.item))
    return result


def _observation(
    resource: dict[str, Any],
    bundle_id: str,
    items: dict[tuple[str, str], str],
    problems: list[str],
) -> ProposedValue | None:
    name = f"Observation/{resource.get('id') or '(no id)'}"
    codings = (resource.get("code") or {}).get("coding") or []
    keys = [(c.get("system"), c.get("code")) for c in codings]
    named = sorted({items[key] for key in keys if key in items})
    if len(named) > 1:
        problems.append(f"{name}: its codes name different items ({', '.join(named)})")
        return None
    item = named[0] if named else None
    if item is None:
        described = ", ".join(
            f"{c.get('system')}|{c.get('code')} {c.get('display') or ''}".strip() for c in codings
        )
        problems.append(
            f"{name}: code {described or '(none)'} is not a laboratory item of this study"
        )
        return None
    if resource.get("status") not in ("final", "amended", "corrected"):
        problems.append(f"{name} ({item}): status {resource.get('status')!r} is not a final result")
        return None
    quantity = resource.get("valueQuantity")
    number = _number(quantity)
    if quantity is None or number is None:
        problems.append(f"{name} ({item}): no numeric valueQuantity")
        return None
    source = f"Bundle/{bundle_id} {name}"
    effective = str(
        resource.get("effectiveDateTime") or resource.get("effectivePeriod", {}).get("start") or ""
    )
    ranges = resource.get("referenceRange") or [{}]
    annotation, _ = _strip(Labs.model_fields[item].annotation)
    if annotation is AntiDsDna:
        upper = _number(ranges[0].get("high"))
        if upper is None:
            problems.append(
                f"{name} ({item}): the laboratory's upper limit (referenceRange.high) is missing"
            )
            return None
        lab_unit = str(quantity.get("unit") or quantity.get("code") or "")
        titre = {"value": number, "upper_limit_of_normal": upper, "unit": lab_unit}
        return ProposedValue(item, titre, _shown(quantity), source, effective)
    kind: Any = ProteinConcentration if annotation is ComplementLevel else annotation
    if not (isinstance(kind, type) and issubclass(kind, Quantity)):
        raise TypeError(f"labs.{item} is not a measured quantity")
    unit = _unit(kind, quantity)
    if unit is None:
        accepted = ", ".join(kind.KIND.factors)
        problems.append(
            f"{name} ({item}): unit {_shown(quantity)} is not one this study accepts ({accepted})"
        )
        return None
    measured = {"value": number, "unit": unit}
    if annotation is ComplementLevel:
        low = ranges[0].get("low")
        low_number = _number(low)
        low_unit = _unit(kind, low) if isinstance(low, dict) else None
        if low_number is None or low_unit is None:
            problems.append(
                f"{name} ({item}): the laboratory's lower limit (referenceRange.low, "
                "with its unit) is missing"
            )
            return None
        value: Any = {
            "value": measured,
            "lower_limit_of_normal": {"value": low_number, "unit": low_unit},
        }
        return ProposedValue(item, value, _shown(quantity), source, effective)
    return ProposedValue(item, measured, f"{number:g} {unit}", source, effective)


def effective_date(value: ProposedValue) -> dt.date | None:
    """The day of the result, when its effective time gives one."""
    try:
        return dt.date.fromisoformat(value.effective[:10])
    except ValueError:
        return None
