"""Django forms generated from the clinical and protocol layers' pydantic models.

The eCRFs and the screening form are not written twice: each page's fields, choices, limits
and help texts come from the model that validates the data, and saving validates through that
same model, so an edit check is the clinical rule itself. Nested models become dotted field
names ("hepatitis.hbs_ag"); a quantity becomes a value and a unit; a list of models becomes
numbered rows plus a "recorded" box that tells "history taken, none" from "not yet asked"; a
list of choices (an enum, a Literal) becomes check boxes.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, Union, get_args, get_origin

import annotated_types
from django import forms
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from lupustrial.clinical.sledai2k import Sledai2kInput
from lupustrial.clinical.units import Quantity
from lupustrial.edc.study import labels, validation_messages

RECORDED = "recorded"
"""Suffix of the box that says a list was asked about (empty list) rather than unknown."""

BLANK_ROWS = 2
"""Empty rows offered below the recorded ones in a list section."""

_YES_NO_UNKNOWN = [("true", _("yes")), ("false", _("no")), ("", _("not assessed"))]
_PRESENT_ABSENT = [("true", _("present")), ("false", _("absent")), ("", _("not assessed"))]
_YES_NO = [("true", _("yes")), ("false", _("no"))]
_DATA_WORDS = ("true =", "false =", "omitted", "omit ", "[]", "{", "null")
"""Sentences of a model's description written for programmers, never shown on a page."""


class YesNoRadios(forms.RadioSelect):
    """Present / absent / not assessed as radio buttons: arrow keys move between them.

    The pages lay the buttons out in one table row (`_radios.html`).
    """

    compact = True


@dataclass(frozen=True)
class Leaf:
    """One input of a generated form: its dotted path and how to read it back."""

    path: str
    kind: str  # "value", "quantity_value", "quantity_unit", "recorded", "lines", "choices"


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _base_type(annotation: Any) -> Any:
    """Strip Annotated[...] wrappers (PastDate is Annotated[date, ...])."""
    while hasattr(annotation, "__metadata__"):
        annotation = get_args(annotation)[0]
    return annotation


class Bounds(TypedDict, total=False):
    """A number field's limits, as FloatField takes them."""

    min_value: float
    max_value: float


class WholeBounds(TypedDict, total=False):
    """A whole-number field's limits, as IntegerField takes them."""

    min_value: int
    max_value: int


def _bounds(info: FieldInfo) -> Bounds:
    limits: Bounds = {}
    # annotated_types types a bound as comparable, not as a number, so float() of it is
    # refused; the CRFs' bounds are all int or float literals.
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            limits["min_value"] = float(item.ge)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            limits["min_value"] = float(item.gt)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            limits["max_value"] = float(item.le)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            limits["max_value"] = float(item.lt)  # type: ignore[arg-type]
    return limits


def plain_help(description: str | None) -> str:
    """A model's description without the sentences that explain the data format."""
    clauses = re.split(r"(?<=[.;:])\s+", (description or "").strip())
    kept = [c for c in clauses if c and not any(w in c.lower() for w in _DATA_WORDS)]
    text = " ".join(kept).rstrip(";:")
    return text if not text or text.endswith(".") else f"{text}."


def _help(path: str, info: FieldInfo) -> Any:
    """A field's help: the label catalogue's, else the measurement help (both in the reader's
    language), else the model's description less its data-format sentences."""
    found = (
        labels.help_text(path)
        or labels.MEASUREMENT_HELP.get(help_path(path))
        or labels.MEASUREMENT_HELP.get(labels.field_name(path))
    )
    return found or plain_help(info.description)


def help_path(path: str) -> str:
    """A field's path as help is keyed: no row numbers, no value/unit/recorded part."""
    parts = [part for part in path.split(".") if not part.isdigit()]
    while len(parts) > 1 and parts[-1] in ("value", "unit", RECORDED):
        parts.pop()
    return ".".join(parts)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _scalar_field(
    annotation: Any, info: FieldInfo, optional: bool, path: str, owner: type[BaseModel]
) -> forms.Field:
    """The Django field for one scalar; required only where the model requires it.

    Its help is the label catalogue's, else the model's description less its data-format
    sentences (`_help`).
    """
    base = _base_type(annotation)
    required = False  # presence is the model's business: its error names the field
    help_text: Any = _help(path, info)
    if base is bool:
        present_absent = issubclass(owner, Sledai2kInput)
        choices = _PRESENT_ABSENT if present_absent else _YES_NO_UNKNOWN
        return forms.TypedChoiceField(
            choices=choices if optional else _YES_NO,
            coerce=lambda v: v == "true",
            empty_value=None,
            required=required,
            help_text=help_text,
            widget=YesNoRadios,
        )
    if get_origin(base) is Literal:
        values = get_args(base)
        return forms.TypedChoiceField(
            choices=[("", "—"), *((str(v), _lazy_value_word(path, str(v))) for v in values)],
            # A Literal's values share one type (str or int), which takes the submitted text;
            # django-stubs' coerce protocol wants a positional-only parameter type[Any] lacks.
            coerce=type(values[0]),  # type: ignore[arg-type]
            empty_value=None,
            required=required,
            help_text=help_text,
        )
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return forms.ChoiceField(
            choices=[("", "—"), *((m.value, _lazy_value_word(path, m.value)) for m in base)],
            required=required,
            help_text=help_text,
        )
    if base is int:
        return forms.IntegerField(required=required, help_text=help_text, **_int(_bounds(info)))
    if base is float:
        return forms.FloatField(required=required, help_text=help_text, **_bounds(info))
    if base is dt.date:
        return forms.DateField(required=required, help_text=help_text, widget=_date_widget())
    if base is dt.datetime:
        return forms.DateTimeField(required=required, help_text=help_text)
    if base is dt.time:
        return forms.TimeField(
            required=required, help_text=help_text, widget=forms.TimeInput(attrs={"type": "time"})
        )
    if base is str or get_origin(base) is Literal:
        return forms.CharField(required=required, help_text=help_text)
    # A union of plain types the generator does not know (e.g. "drug name or enum"): text.
    return forms.CharField(required=required, help_text=help_text)


def _member_label(member: enum.Enum) -> str:
    """An enum member's label in the active language (``label_ja`` for Japanese readers)."""
    japanese = (get_language() or "en").startswith("ja")
    label = getattr(member, "label_ja" if japanese else "label", None)
    return str(label or member.value)


_lazy_member_label = lazy(_member_label, str)
# A coded value's words (a drug, a route) in the language of the page being drawn.
_lazy_value_word = lazy(labels.value_word, str)


def _choices(item: Any) -> list[tuple[str, Any]] | None:
    """Check-box choices for a list of an enum or a Literal; None for any other list.

    An enum member with ``label`` and ``label_ja`` shows them in the reader's language, chosen
    when the page is drawn (a plan may be built once, at import).
    """
    if get_origin(item) is Literal:
        return [(str(v), str(v)) for v in get_args(item)]
    if not (isinstance(item, type) and issubclass(item, enum.Enum)):
        return None
    return [(str(member.value), _lazy_member_label(member)) for member in item]


def _int(bounds: Bounds) -> WholeBounds:
    whole: WholeBounds = {}
    if "min_value" in bounds:
        whole["min_value"] = int(bounds["min_value"])
    if "max_value" in bounds:
        whole["max_value"] = int(bounds["max_value"])
    return whole


class FormPlan:
    """The fields of a form generated from ``model``, and how to read them back into it."""

    def __init__(
        self,
        model: type[BaseModel],
        *,
        exclude: Iterable[str] = (),
        rows: Mapping[str, int] | None = None,
        help_texts: Mapping[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.exclude = frozenset(exclude)
        self.rows = dict(rows or {})
        # This form's own help by field path (rows and value/unit parts left out), over the
        # label catalogue's and the model's: the same field name can mean another thing here.
        self.help_texts = dict(help_texts or {})
        self.fields: dict[str, forms.Field] = {}
        self.leaves: list[Leaf] = []
        self.sections: dict[str, list[str]] = {}
        self._form_class: type[forms.Form] | None = None
        self._walk(model, "", section=None)

    def _add(self, path: str, field: forms.Field, kind: str, section: str) -> None:
        if not field.label:
            field.label = labels.label(path)
        own = self.help_texts.get(help_path(path))
        if own is not None and kind not in ("quantity_unit", "lines"):
            field.help_text = own
        row = re.search(r"\.(\d+)\.", path)
        if row and not isinstance(field.widget, forms.RadioSelect):
            # A list row's cells have no <label> of their own: name them for screen readers.
            # Worded lazily, when the page is drawn: a plan may be built once and kept (the
            # adverse-event form's at import), so text made here would stay in that language.
            field.widget.attrs["aria-label"] = format_lazy("{} ({})", field.label, int(row[1]) + 1)
        elif kind == "quantity_unit":
            field.widget.attrs["aria-label"] = _("unit")
        self.fields[path] = field
        self.leaves.append(Leaf(path, kind))
        self.sections.setdefault(section, []).append(path)

    def _walk(self, model: type[BaseModel], prefix: str, section: str | None) -> None:
        for name, info in model.model_fields.items():
            path = f"{prefix}{name}"
            if path in self.exclude:
                continue
            here = section if section is not None else name
            annotation, optional = _unwrap_optional(info.annotation)
            annotation = _base_type(annotation)
            if _is_model(annotation) and issubclass(annotation, Quantity):
                self._quantity(annotation, info, path, here)
            elif _is_model(annotation):
                self._walk(annotation, f"{path}.", here)
            elif get_origin(annotation) is list:
                self._list(get_args(annotation)[0], info, path, here, optional)
            else:
                field = _scalar_field(annotation, info, optional, path, model)
                self._add(path, field, "value", here)

    def _quantity(self, kind: type[Quantity], info: FieldInfo, path: str, section: str) -> None:
        self._add(
            f"{path}.value",
            forms.FloatField(
                required=False,
                label=labels.label(path),
                help_text=_help(path, info),
            ),
            "quantity_value",
            section,
        )
        units = list(kind.KIND.factors)
        self._add(
            f"{path}.unit",
            forms.ChoiceField(
                choices=[(u, u) for u in units], required=False, initial=units[0], label=_("unit")
            ),
            "quantity_unit",
            section,
        )

    def _list(self, item: Any, info: FieldInfo, path: str, section: str, optional: bool) -> None:
        item = _base_type(item)
        if optional:
            self._add(
                f"{path}.{RECORDED}",
                forms.BooleanField(
                    required=False,
                    label=_("Asked (tick even when none)"),
                    help_text=_help(path, info),
                ),
                "recorded",
                section,
            )
        choices = _choices(item)
        if choices is not None:
            self._add(
                path,
                forms.MultipleChoiceField(
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_help(path, info),  # the catalogue's, as every other field's
                ),
                "choices",
                section,
            )
            return
        if not _is_model(item):
            self._add(
                path,
                forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    label=labels.label(path),
                    help_text=_("One per line."),
                ),
                "lines",
                section,
            )
            return
        for index in range(self.rows.get(path, BLANK_ROWS)):
            self._walk(item, f"{path}.{index}.", section)

    # -- reading back -------------------------------------------------------------------

    def to_data(self, cleaned: Mapping[str, Any]) -> dict[str, Any]:
        """Nested model data from a form's cleaned values; blanks are left out, not false."""
        data: dict[str, Any] = {}
        recorded: set[str] = set()
        for leaf in self.leaves:
            value = cleaned.get(leaf.path)
            if leaf.kind == "recorded":
                if value:
                    recorded.add(leaf.path.removesuffix(f".{RECORDED}"))
                continue
            if leaf.kind == "quantity_unit":
                continue
            if leaf.kind == "quantity_value":
                if value is None:
                    continue
                base = leaf.path.removesuffix(".value")
                _put(data, base, {"value": value, "unit": cleaned.get(f"{base}.unit") or ""})
                continue
            if leaf.kind == "lines":
                lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
                if lines:
                    _put(data, leaf.path, lines)
                continue
            if leaf.kind == "choices":
                if value:
                    _put(data, leaf.path, list(value))
                continue
            if value is None or value == "":
                continue
            _put(data, leaf.path, value.isoformat() if isinstance(value, dt.date) else value)
        for path in recorded:
            if _get(data, path) is None:
                _put(data, path, {})
        return _lists(data, recorded)

    def initial(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """A form's initial values from saved model data."""
        flat: dict[str, Any] = {}
        for leaf in self.leaves:
            if leaf.kind == "recorded":
                base = leaf.path.removesuffix(f".{RECORDED}")
                flat[leaf.path] = _get(data or {}, base) is not None
                continue
            value = _get(data or {}, leaf.path)
            if leaf.kind == "lines" and isinstance(value, list):
                value = "\n".join(str(v) for v in value)
            if isinstance(value, bool):
                value = "true" if value else "false"
            if value is not None:
                flat[leaf.path] = value
        return flat

    def form_class(self) -> type[forms.Form]:
        """The Django form class of these fields, made once per plan (each form made from it
        copies the fields, so the plan's are never changed)."""
        if self._form_class is None:
            self._form_class = type(f"{self.model.__name__}Form", (forms.Form,), dict(self.fields))
        return self._form_class

    def validate(
        self, form: forms.Form, fixed: Mapping[str, Any] | None = None
    ) -> BaseModel | None:
        """Validate the form through the model; its errors land on the fields they name.

        ``fixed`` supplies excluded fields the page sets itself (the screening number).
        """
        if not form.is_valid():
            return None
        try:
            return self.model.model_validate({**self.to_data(form.cleaned_data), **(fixed or {})})
        except ValidationError as error:
            for problem in error.errors():
                self._attach(form, problem)
            return None

    def _attach(self, form: forms.Form, problem: Mapping[str, Any]) -> None:
        location = ".".join(str(part) for part in problem["loc"])
        message = validation_messages.message(problem)
        for candidate in (location, f"{location}.value", f"{location}.{RECORDED}"):
            if candidate in self.fields:
                form.add_error(candidate, message)
                return
        # A row-level or model-level rule: name where it applies.
        form.add_error(None, f"{location}: {message}" if location else message)


def row_counts(model: type[BaseModel], data: Mapping[str, Any] | None) -> dict[str, int]:
    """Rows per list section: each saved row plus some blank ones to add more."""
    counts: dict[str, int] = {}
    for path, items in _list_values(model, data or {}, ""):
        counts[path] = len(items) + BLANK_ROWS
    return counts


def _list_values(
    model: type[BaseModel], data: Mapping[str, Any], prefix: str
) -> Iterator[tuple[str, list[Any]]]:
    for name, info in model.model_fields.items():
        annotation = _base_type(_unwrap_optional(info.annotation)[0])
        value = data.get(name)
        if get_origin(annotation) is list and isinstance(value, list):
            yield f"{prefix}{name}", value
        elif _is_model(annotation) and isinstance(value, Mapping):
            yield from _list_values(annotation, value, f"{prefix}{name}.")


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _get(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit():
            index = int(part)
            node = node[index] if index < len(node) else None
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def _lists(data: dict[str, Any], recorded: set[str], prefix: str = "") -> dict[str, Any]:
    """Numbered row dicts ({"0": {...}, "3": {...}}) become lists, blank rows dropped."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and (
            path in recorded or (value and all(k.isdigit() for k in value))
        ):
            out[key] = [_lists(value[k], recorded, f"{path}.{k}.") for k in sorted(value, key=int)]
        elif isinstance(value, dict):
            out[key] = _lists(value, recorded, f"{path}.")
        else:
            out[key] = value
    return out
