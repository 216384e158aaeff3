"""The validation library's messages in the user's language.

Pydantic writes its messages in English ("Input should be less than or equal to 3"). A
page shows each problem through `message`, which picks this catalogue's text for the
problem's type and fills in the problem's own context (the limit, the length), so the
Japanese page says 「3以下の値を入力してください」. The clinical models' own refusals
(`value_error`, `hard_limit`) are matched by their pattern; a message no entry knows is
shown as pydantic wrote it, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_BY_TYPE: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: _("This field is required."),
    "greater_than_equal": lambda ctx: (
        _("Enter a value of at least %(limit)s.") % {"limit": _number(ctx["ge"])}
    ),
    "greater_than": lambda ctx: _("Enter a value above %(limit)s.") % {"limit": _number(ctx["gt"])},
    "less_than_equal": lambda ctx: (
        _("Enter a value of at most %(limit)s.") % {"limit": _number(ctx["le"])}
    ),
    "less_than": lambda ctx: _("Enter a value below %(limit)s.") % {"limit": _number(ctx["lt"])},
    "string_too_short": lambda ctx: (
        _("Enter at least %(n)s characters.") % {"n": ctx["min_length"]}
    ),
    "string_too_long": lambda ctx: _("Enter at most %(n)s characters.") % {"n": ctx["max_length"]},
    "literal_error": lambda ctx: _("Choose one of: %(choices)s.") % {"choices": ctx["expected"]},
    "enum": lambda ctx: _("Choose one of: %(choices)s.") % {"choices": ctx["expected"]},
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "float_parsing": lambda ctx: _("Enter a number."),
    "finite_number": lambda ctx: _("Enter a number."),
    "bool_parsing": lambda ctx: _("Answer yes or no."),
    "date_parsing": lambda ctx: _("Enter a valid date."),
    "date_from_datetime_parsing": lambda ctx: _("Enter a valid date."),
    "extra_forbidden": lambda ctx: _("This field is not part of the form."),
    "hard_limit": lambda ctx: (
        _("%(problem)s: outside the accepted range (%(source)s).")
        % {"problem": ctx["problem"], "source": ctx["source"]}
    ),
}

_VALUE_ERRORS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"^date (?P<date>\S+) is in the future$"),
        lambda m: _("The date %(date)s is in the future.") % {"date": m["date"]},
    ),
    (
        re.compile(r"^a (?P<kind>.+) cannot be negative \(got (?P<value>\S+)\)$"),
        lambda m: _("A negative value cannot be entered (got %(value)s).") % {"value": m["value"]},
    ),
    (
        re.compile(r"^unknown unit '(?P<unit>.*)' for .+ \(accepted: (?P<units>.+)\)$"),
        lambda m: (
            _("Unknown unit %(unit)s (accepted: %(units)s).")
            % {"unit": m["unit"], "units": m["units"]}
        ),
    ),
    (
        re.compile(r"^(?P<end>\w+) .*is before (?P<start>\w+)"),
        lambda m: _("The end date is before the start date."),
    ),
    (
        re.compile(r"^(?P<value>\S+) (?P<unit>.*) is implausible"),
        lambda m: (
            _("%(value)s %(unit)s is not a plausible result: check the value and its unit.")
            % {"value": m["value"], "unit": m["unit"]}
        ),
    ),
)


def _exact() -> dict[str, str]:
    """The CRF and screening models' own sentences, word for word, in the reader's language."""
    return {
        "enter the body temperature in the vital signs form, not in labs": _(
            "Enter the body temperature in the vital signs form, not in the laboratory results."
        ),
        "a dose needs its dose_unit, and a dose_unit its dose": _(
            "A dose needs its unit, and a unit its dose."
        ),
        "an infusion given needs its date and dose": _(
            "An infusion given needs its date and dose."
        ),
        "not_given_reason: say why the infusion was not given": _(
            "Say why the infusion was not given."
        ),
        "describe the infusion reaction": _("Describe the infusion reaction."),
        "end_time is not after start_time": _("The end time is not after the start time."),
        "a test done needs its result": _("A test done needs its result."),
        "a total daily dose (dose per day) has no frequency: times_per_day and every_n_days "
        "must be 1; enter a dose per administration to give them": _(
            "A total daily dose has no frequency: leave times per day and every n days at 1, "
            "or enter the dose per administration."
        ),
        "last_evidence_date is before diagnosis_date": _(
            "The last evidence is before the diagnosis date."
        ),
        "an ongoing condition has no end_date": _("An ongoing condition has no end date."),
        "pregnancy_test and pregnancy_test_date go together": _(
            "The pregnancy test and its date go together."
        ),
        "a reason is required when the candidate is judged unsuitable": _(
            "A reason is required when the candidate is judged unsuitable."
        ),
        "reproduction is recorded for female candidates only": _(
            "Pregnancy and lactation are recorded for female candidates only."
        ),
    }


def message(problem: Mapping[str, Any]) -> str:
    """A pydantic problem (one of ``ValidationError.errors()``) as the user reads it."""
    ctx = problem.get("ctx") or {}
    kind = str(problem.get("type", ""))
    text = str(problem.get("msg", "")).removeprefix("Value error, ")
    if kind in _BY_TYPE:
        try:
            return _BY_TYPE[kind](ctx)
        except KeyError:
            return text
    if kind == "value_error":
        exact = _exact().get(text)
        if exact is not None:
            return exact
        for pattern, say in _VALUE_ERRORS:
            found = pattern.search(text)
            if found:
                return say(found)
    return text
