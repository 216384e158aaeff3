"""Base classes shared by every instrument's input and result models."""

from __future__ import annotations

import datetime as dt
import os
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn, Self, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

CHECK_RESULTS_ENV = "LUPUSTRIAL_CHECK_RESULTS"
CHECK_RESULTS = os.environ.get(CHECK_RESULTS_ENV, "") not in ("", "0")
"""Validate results as they are built, as inputs are (``LUPUSTRIAL_CHECK_RESULTS=1``): the
tests compare both ways byte for byte; the benchmark measures what it costs."""

_REQUIRED = object()
_FROM_FACTORY = object()


@dataclass(frozen=True)
class _Plan:
    """How to build one model without validation: its fields in order with their defaults."""

    template: dict[str, Any]  # every field, in order: its default or a marker
    factories: tuple[tuple[str, Callable[[], Any]], ...]
    required: frozenset[str]
    size: int  # len(template)


_PLANS: dict[type[BaseModel], _Plan] = {}
_set = object.__setattr__
_new = object.__new__  # a model's own __new__ is object's: looked up once, not per result


def _plan(model: type[BaseModel]) -> _Plan:
    plan = _PLANS.get(model)
    if plan is None:
        template: dict[str, Any] = {}
        factories = []
        for name, field in model.model_fields.items():
            if field.default_factory is not None:
                template[name] = _FROM_FACTORY
                factories.append((name, field.default_factory))
            else:
                template[name] = _REQUIRED if field.is_required() else field.default
        required = frozenset(n for n, v in template.items() if v is _REQUIRED)
        # pydantic types a factory as maybe taking the validated data; these models' take none.
        plan = _PLANS[model] = _Plan(template, tuple(factories), required, len(template))  # type: ignore[arg-type]
    return plan


class StrictModel(BaseModel):
    """An input or result: unknown fields are rejected, values are immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """A result built from values computed from validated inputs, without validating them
        again (each is already of its field's type; about 60 such results per assessment).

        Unknown and missing required fields are still refused. With ``CHECK_RESULTS`` the
        model is also validated as usual and both must serialise to the same JSON, so a value
        that validation would have refused or converted (an int for a float, a tuple for a
        list, untrimmed text) is an error there; the clinical tests run that way.
        """
        plan = _PLANS.get(cls) or _plan(cls)
        fields = plan.template | values  # the template's order, which serialisation follows
        size = plan.size
        # No unknown field (the union is the template); every required one given (all are
        # when every field is, the common case, which skips the set comparison).
        if len(fields) != size or (len(values) != size and not plan.required <= values.keys()):
            _refuse(cls, plan, values)
        if plan.factories:
            for name, factory in plan.factories:
                if name not in values:
                    fields[name] = factory()
        instance = _new(cls)
        _set(instance, "__dict__", fields)
        _set(instance, "__pydantic_fields_set__", set(values))
        _set(instance, "__pydantic_extra__", None)
        _set(instance, "__pydantic_private__", None)
        if CHECK_RESULTS:
            _check_trusted(instance, cls(**values))
        return instance


def _refuse(cls: type[BaseModel], plan: _Plan, values: dict[str, Any]) -> NoReturn:
    unknown = sorted(set(values) - set(plan.template))
    if unknown:
        raise TypeError(f"{cls.__name__}: unknown fields {', '.join(unknown)}")
    missing = sorted(plan.required - values.keys())
    raise TypeError(f"{cls.__name__}: missing required field {', '.join(missing)}")


def _check_trusted(built: BaseModel, validated: BaseModel) -> None:
    """``built`` (not validated) must be what validation gives, to the byte."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the serialiser's type warnings: compared below
        fast = built.model_dump_json()
    checked = validated.model_dump_json()
    if fast != checked:
        raise AssertionError(
            f"{type(built).__name__} built without validation differs from the validated "
            f"one:\n  built     {fast[:600]}\n  validated {checked[:600]}"
        )


Shared = TypeVar("Shared", bound=BaseModel)

_SHARED: weakref.WeakValueDictionary[int, BaseModel] = weakref.WeakValueDictionary()
"""The results alive that `share` marked, by identity (an entry goes when its result does, so
an identity found here is that result's): bounded by the caches that hold them."""


def share(result: Shared) -> Shared:
    """Mark ``result`` as built once and handed to many assessments (a cache's result; issue 19).

    A shared result must hold no mutable container (tuples and `FrozenValues`, not lists and
    dicts), so that no consumer changing one assessment's result changes another's; a test
    walks many results for a list or dict reachable from two. A writer may keep what it made
    of a shared result (its JSON text) for as long as the result lives.
    """
    _SHARED[id(result)] = result
    return result


def is_shared(result: BaseModel) -> bool:
    """Whether ``result`` was marked by `share` (and so never changes)."""
    return _SHARED.get(id(result)) is result


class FrozenValues(dict[str, Any]):
    """A reason's values that refuse changes: reasons are shared with the results that are
    (`share`). A `dict` still, so pydantic serialises it and compares it as one."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a reason's values cannot be changed (results are shared, issue 19)")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type[FrozenValues], tuple[dict[str, Any]]]:
        # copy and pickle rebuild it from a plain dict, not item by item (which it refuses)
        return FrozenValues, (dict(self),)


LATEST_UTC_OFFSET = dt.timedelta(hours=14)
"""The first time zone to reach a new day, UTC+14 (Pacific/Kiritimati; IANA tz database 2024)."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def latest_today() -> dt.date:
    """The latest calendar date anywhere on Earth now (UTC+14): no site can record a later one.

    The clinical layer does not know where a record was made, and the server's own day (UTC)
    is a day behind a site in Japan every morning before 09:00; the services layer, which
    knows the site, compares with the site's own date (`protocol.dates.site_today`).
    """
    return (_utc_now() + LATEST_UTC_OFFSET).date()


def _not_in_future(value: dt.date) -> dt.date:
    if value > latest_today():
        raise ValueError(f"date {value.isoformat()} is in the future")
    return value


PastDate = Annotated[dt.date, AfterValidator(_not_in_future)]
"""A calendar date not after today anywhere on Earth (UTC+14; the site's own check is stricter):
clinical observations cannot come from the future."""


class Reason(StrictModel):
    """One part of a component's evidence as a code and its values, for any language to word.

    The English `ComponentFinding.evidence` is made from these by `components.english`, and a
    SLEDAI-2K laboratory note (`DescriptorFinding.derived_from`) beside its own; the web pages
    word the same codes in the reader's language (`edc.study.derived_text`), so a reader of
    either language sees the same reasons. Values are plain: numbers, text, descriptor or input
    codes. It lives here, below every instrument, as SLEDAI-2K's thresholds give reasons too.
    """

    code: str
    values: dict[str, Any] = Field(default_factory=dict)
