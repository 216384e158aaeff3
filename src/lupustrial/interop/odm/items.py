"""The ODM items of the study's forms, declared from the forms' own models.

Every value the audit trail records is one leaf of a form's document, named by its dotted path
("labs" form, "c3.value"; "glucocorticoids" form, "doses.0.dose.unit"). Each leaf of a model is
one ItemDef; a list of rows is a repeating ItemGroup whose repeat key is the row's number
(1-based), and the list as a whole is one more item, written as JSON, that carries an empty
list ("recorded, none") and lists of plain values. A value with a unit (`clinical.units`) is
two items, the number and the unit, so each change the trail recorded is one ItemData; the
number's ItemDef names every accepted unit as a MeasurementUnit. Nothing here guesses: a
field the models do not declare is an `OdmError`, and so is a value its item cannot carry.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from lupustrial.clinical.limits import Limits
from lupustrial.clinical.units import Quantity


class OdmError(ValueError):
    """A value, field or file that the ODM mapping cannot carry or read; says which."""


@dataclass(frozen=True)
class ItemSpec:
    """One ItemDef: a leaf of a form's document."""

    form: str
    path: str  # the dotted path with "*" for a row number: "doses.*.dose.unit"
    data_type: str  # ODM DataType: text, integer, float, boolean, date, datetime
    as_json: bool = False  # the value is written as JSON text (a list, a mixed union)
    choices: tuple[str, ...] = ()  # a CodeList: a Literal's or an Enum's values, or units
    units: tuple[str, ...] = ()  # the MeasurementUnits of a number with a unit
    description: str = ""
    minimum: float | None = None  # the model's hard range of a plain number, inclusive
    maximum: float | None = None
    required: bool = False  # the model requires it whenever its row or form is saved
    label: str = ""  # what a person reads, in English and (when translated) Japanese
    label_ja: str = ""

    @property
    def group(self) -> str:
        """The repeating group's path ("doses.*"), or "" for the form's own group."""
        head, star, _ = self.path.rpartition("*")
        return head + star if star else ""

    @property
    def oid(self) -> str:
        return item_oid(self.form, self.path)

    @property
    def name(self) -> str:
        return self.path.replace(".*", "")


def form_oid(form: str) -> str:
    return f"F.{form.upper()}"


def item_oid(form: str, path: str) -> str:
    return f"I.{form.upper()}.{path.replace('.*', '').upper()}"


def group_oid(form: str, group: str) -> str:
    name = f".{group.replace('.*', '').upper()}" if group else ""
    return f"IG.{form.upper()}{name}"


def codelist_oid(spec: ItemSpec) -> str:
    return f"CL.{spec.oid[2:]}"


def unit_oid(unit: str) -> str:
    """A MeasurementUnit's OID from its symbol ("×10⁹/L" stays readable; OIDs are text)."""
    return f"MU.{unit}"


@dataclass(frozen=True)
class FormSpec:
    """One form of the record: its code, titles, model and whether it belongs to a visit."""

    code: str
    title: str
    title_ja: str
    model: type[BaseModel]
    per_visit: bool = True
    items: tuple[ItemSpec, ...] = field(default=(), compare=False)
    event: str = "SCREENING"  # the study event of a form that belongs to no visit
    keyed: bool = False  # many records, each named by a key (AE-001; a consent's version)

    def with_items(self) -> FormSpec:
        found = tuple(model_items(self.code, self.model))
        oids = [spec.oid for spec in found]
        if len(set(oids)) != len(oids):
            raise OdmError(f"form {self.code}: two fields give one item OID")
        return replace(self, items=found)

    def repeating(self, group: str) -> bool:
        """A group of rows, or a keyed form's own group (one ItemGroupData per record)."""
        return bool(group) or self.keyed

    @property
    def groups(self) -> list[str]:
        """The form's item groups, its own first, then each repeating one in field order."""
        seen = [""]
        for spec in self.items:
            if spec.group not in seen:
                seen.append(spec.group)
        return seen


def _bounds(constraints: list[Any]) -> tuple[float | None, float | None]:
    """The inclusive range a plain number's constraints allow (annotated_types, `Limits`)."""
    low: float | None = None
    high: float | None = None
    for item in constraints:
        if isinstance(item, FieldInfo):
            item_low, item_high = _bounds(list(item.metadata))
            low, high = (
                item_low if item_low is not None else low,
                item_high if item_high is not None else high,
            )
        elif isinstance(item, annotated_types.Ge | annotated_types.Gt):
            low = float(getattr(item, "ge", getattr(item, "gt", 0)))
        elif isinstance(item, annotated_types.Le | annotated_types.Lt):
            high = float(getattr(item, "le", getattr(item, "lt", 0)))
        elif isinstance(item, Limits):
            low = item.hard_min if item.hard_min is not None else low
            high = item.hard_max if item.hard_max is not None else high
    return low, high


def _constraints(annotation: Any) -> list[Any]:
    """Every constraint written in Annotated[] around the type, however nested."""
    found: list[Any] = []
    if get_origin(annotation) is Annotated:
        inner, *extra = get_args(annotation)
        found.extend(extra)
        found.extend(_constraints(inner))
    elif get_origin(annotation) in (Union, types.UnionType):
        for option in get_args(annotation):
            found.extend(_constraints(option))
    return found


def _strip(annotation: Any) -> tuple[Any, bool]:
    """The annotation without Annotated[] and None, and whether None was allowed."""
    if get_origin(annotation) is Annotated:
        return _strip(get_args(annotation)[0])
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(options) < len(get_args(annotation))
        if len(options) == 1:
            inner, _ = _strip(options[0])
            return inner, optional
        return Union[tuple(options)], optional  # noqa: UP007  (rebuilt from parts)
    return annotation, False


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def model_items(form: str, model: type[BaseModel], prefix: str = "") -> Iterator[ItemSpec]:
    """Every leaf of ``model``'s documents as an ItemSpec, in field order."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation, _ = _strip(info.annotation)
        description = info.description or ""
        if _is_model(annotation) and issubclass(annotation, Quantity):
            units = tuple(annotation.KIND.factors)
            yield ItemSpec(form, f"{path}.value", "float", units=units, description=description)
            yield ItemSpec(form, f"{path}.unit", "text", choices=units, description="Unit.")
        elif _is_model(annotation):
            yield from model_items(form, annotation, f"{path}.")
        elif get_origin(annotation) is list:
            (row,) = get_args(annotation)
            row, _ = _strip(row)
            yield ItemSpec(form, path, "text", as_json=True, description=description)
            if _is_model(row):
                yield from model_items(form, row, f"{path}.*.")
        else:
            spec = _scalar(form, path, annotation, description)
            low, high = _bounds([*info.metadata, *_constraints(info.annotation)])
            if spec.data_type in ("integer", "float"):
                spec = replace(spec, minimum=low, maximum=high)
            yield replace(spec, required=info.is_required())


def _scalar(form: str, path: str, annotation: Any, description: str) -> ItemSpec:
    if annotation is bool:
        return ItemSpec(form, path, "boolean", description=description)
    if annotation is int:
        return ItemSpec(form, path, "integer", description=description)
    if annotation is float:
        return ItemSpec(form, path, "float", description=description)
    if annotation is dt.date:
        return ItemSpec(form, path, "date", description=description)
    if annotation is dt.datetime:
        return ItemSpec(form, path, "datetime", description=description)
    if annotation is str:
        return ItemSpec(form, path, "text", description=description)
    if get_origin(annotation) is Literal:
        values = get_args(annotation)
        if all(isinstance(v, str) for v in values):
            return ItemSpec(form, path, "text", choices=values, description=description)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            choices = tuple(str(v) for v in values)
            return ItemSpec(form, path, "integer", choices=choices, description=description)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        choices = tuple(str(member.value) for member in annotation)
        return ItemSpec(form, path, "text", choices=choices, description=description)
    # A union of kinds (e.g. a drug named by the list or free text): the JSON value, exactly.
    return ItemSpec(form, path, "text", as_json=True, description=description)


def locate(field_path: str) -> tuple[str, str]:
    """A trail field ("doses.1.dose.unit") as its item path ("doses.*.dose.unit") and the
    repeat key of its row ("2"; "1.3" for a row of a row; "" outside any list)."""
    parts, rows = [], []
    for part in field_path.split("."):
        if part.isdigit():
            parts.append("*")
            rows.append(str(int(part) + 1))
        else:
            parts.append(part)
    return ".".join(parts), ".".join(rows)


def field_path(item_path: str, repeat_key: str) -> str:
    """The inverse of `locate`: the trail's dotted path from an item's path and repeat key."""
    parts = item_path.split(".")
    rows = repeat_key.split(".") if repeat_key else []
    if parts.count("*") != len(rows) or not all(r.isdigit() and int(r) >= 1 for r in rows):
        raise OdmError(f"repeat key {repeat_key!r} does not fit item {item_path}")
    numbers = iter(rows)
    return ".".join(str(int(next(numbers)) - 1) if p == "*" else p for p in parts)


def encode(spec: ItemSpec, value: Any) -> str:
    """A value as its ItemData writes it; one the item cannot carry exactly is an error."""
    if spec.as_json:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float | str):
        text = str(value) if not isinstance(value, float) else repr(value)
    else:
        raise OdmError(f"{spec.form}.{spec.path}: {value!r} is not a plain value")
    if decode(spec.data_type, spec.as_json, text) != value or (
        not spec.as_json and type(decode(spec.data_type, False, text)) is not type(value)
    ):
        raise OdmError(
            f"{spec.form}.{spec.path}: {value!r} does not fit its item ({spec.data_type})"
        )
    return text


def decode(data_type: str, as_json: bool, text: str) -> Any:
    """An ItemData's value as the form's document holds it (dates stay ISO text)."""
    if as_json:
        return json.loads(text)
    try:
        if data_type == "boolean":
            if text not in ("true", "false"):
                raise ValueError(text)
            return text == "true"
        if data_type == "integer":
            return int(text)
        if data_type == "float":
            return float(text)
    except ValueError:
        raise OdmError(f"{text!r} is not a valid {data_type}") from None
    return text


def unflatten(values: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted paths back into the form's document; numbered parts become list rows."""
    root: dict[str, Any] = {}
    for path, value in values.items():
        node = root
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    rebuilt: dict[str, Any] = _lists(root)
    return rebuilt


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted
