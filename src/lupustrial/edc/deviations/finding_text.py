"""What a deviation rule found (`protocol.deviations.Suggestion`), in the reader's language.

The protocol layer gives each suggestion a ``code`` and plain ``params`` beside its English
``description``; the pages word them here, through gettext and the label catalogue, so a Japanese
reader reads Japanese: dates in the language's format (`edc/formats`), the protocol's drugs and
vaccines by their names there (`eligibility_text`). What a person recorded (a drug or vaccine as
typed) is shown as recorded, and in Japanese by the drug catalogue's name where it has one.

In English each line reads as the description, word for word
(`tests/edc/test_japanese_deviations.py`). Suggestions are recomputed from the record on every
view (`services.pending`), so the live ones are always worded. A decision keeps the code and the
values as JSON holds them (`SuggestionDecision.code`, ``params``: dates as ISO text), and is worded
from them the same way (`decided`); one taken before they were stored keeps the English finding it
stored (`SuggestionDecision.description`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lupustrial.edc.study import derived_text
from lupustrial.edc.study.eligibility_text import outcome_word, protocol_term
from lupustrial.protocol.deviations import Suggestion

if TYPE_CHECKING:
    from lupustrial.edc.deviations.models import SuggestionDecision

Params = Mapping[str, Any]


def _english() -> bool:
    return (get_language() or "en").split("-")[0] == "en"


def _day(value: dt.date | str) -> str:
    # The English description has ISO dates; the English short format is the same (Y-m-d).
    # A decided finding's values come back from JSON, its dates as ISO text.
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _recorded(name: str) -> str:
    """A name as recorded; in Japanese the drug catalogue's where it has one."""
    return name if _english() else derived_text.drug_name(name)


_PROCEDURES: dict[str, Promise] = {
    "screening SLEDAI-2K": gettext_lazy("screening SLEDAI-2K"),
    "pregnancy test": gettext_lazy("pregnancy test"),
}
"""The screening procedures `deviations.suggestions` dates against the consent."""


def _outside_window(p: Params) -> str:
    return _("%(visit)s on %(date)s, outside its window %(start)s to %(end)s") % {
        "visit": p["visit"],
        "date": _day(p["date"]),
        "start": _day(p["start"]),
        "end": _day(p["end"]),
    }


def _missed(p: Params) -> str:
    return _("%(visit)s missed (window closed %(end)s)") % {
        "visit": p["visit"],
        "end": _day(p["end"]),
    }


def _not_done(p: Params) -> str:
    return _("%(visit)s not done (window closed %(end)s)") % {
        "visit": p["visit"],
        "end": _day(p["end"]),
    }


def _consent(p: Params) -> str:
    listed = _(", ").join(
        f"{_PROCEDURES.get(name, name)} {_day(day)}" for name, day in p["procedures"]
    )
    return _("consent dated %(consent)s, after %(listed)s") % {
        "consent": _day(p["consent"]),
        "listed": listed,
    }


def _not_eligible(p: Params) -> str:
    outcome = outcome_word(p["outcome"])
    if p["failed"]:
        return _("enrolled, but the eligibility decision is now %(outcome)s (%(failed)s)") % {
            "outcome": outcome,
            "failed": ", ".join(p["failed"]),
        }
    return _("enrolled, but the eligibility decision is now %(outcome)s") % {"outcome": outcome}


def _signature_voided(p: Params) -> str:
    return _(
        "the enrolment signature was voided on %(date)s by a correction and has not been given "
        "again"
    ) % {"date": _day(p["voided_on"])}


def _prohibited(p: Params) -> str:
    return _("%(drug)s recorded at %(visit)s (prohibited: %(term)s)") % {
        "drug": _recorded(p["drug"]),
        "visit": p["visit"],
        "term": protocol_term(p["term"]),
    }


def _infusion(p: Params) -> str:
    problems = []
    if "dose" in p:
        problems.append(
            _("%(given)s mg instead of %(expected)s mg")
            % {"given": f"{p['dose']['given']:g}", "expected": f"{p['dose']['expected']:g}"}
        )
    if "interval" in p:
        problems.append(
            _("%(days)s days after the previous infusion (%(low)s to %(high)s in protocol)")
            % p["interval"]
        )
    return _("infusion at %(visit)s on %(date)s: %(problems)s") % {
        "visit": p["visit"],
        "date": _day(p["given_on"]),
        "problems": _("; ").join(problems),
    }


def _vaccine_before(p: Params) -> str:
    return _(
        "live vaccine %(vaccine)s (%(term)s) recorded at %(visit)s, given %(days)s days before "
        "the first infusion (E12: %(window)s days or fewer excludes)"
    ) % {
        "vaccine": _recorded(p["vaccine"]),
        "term": protocol_term(p["term"]),
        "visit": p["visit"],
        "days": p["days_before"],
        "window": p["window_days"],
    }


def _vaccine_on_treatment(p: Params) -> str:
    values = {
        "vaccine": _recorded(p["vaccine"]),
        "term": protocol_term(p["term"]),
        "visit": p["visit"],
    }
    if p["given_on"] is None:
        return _("live vaccine %(vaccine)s (%(term)s) recorded at %(visit)s, on anifrolumab") % (
            values
        )
    return _(
        "live vaccine %(vaccine)s (%(term)s) recorded at %(visit)s on %(date)s, on anifrolumab"
    ) % {**values, "date": _day(p["given_on"])}


_WORDING: dict[str, Callable[[Params], str]] = {
    "visit_outside_window": _outside_window,
    "visit_missed": _missed,
    "visit_not_done": _not_done,
    "consent_after_procedure": _consent,
    "enrolled_not_eligible": _not_eligible,
    "signature_voided": _signature_voided,
    "prohibited_medication": _prohibited,
    "infusion": _infusion,
    "live_vaccine_before_first_infusion": _vaccine_before,
    "live_vaccine_on_treatment": _vaccine_on_treatment,
}


def _worded(code: str, params: Params) -> str:
    try:
        word = _WORDING[code]
    except KeyError:
        raise ValueError(f"no wording for deviation finding {code!r}") from None
    return word(params)


def finding(suggestion: Suggestion) -> str:
    """What the rule found, in the reader's language; an unknown code is a programming error."""
    return _worded(suggestion.code, suggestion.params)


def decided(decision: SuggestionDecision) -> str:
    """What the rule found when a person decided on it, in the reader's language; a decision
    stored without its code shows the English it stored."""
    if not decision.code:
        return decision.description
    return _worded(decision.code, decision.params)
