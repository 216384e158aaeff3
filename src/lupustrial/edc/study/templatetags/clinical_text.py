"""Template filters that show the clinical and protocol layers' texts in the reader's language.

Those layers speak English by design (they never import Django); the label catalogue
(`edc.study.labels`) holds their words in English and Japanese, read here by code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import gettext

from lupustrial.edc.study import derived_text, eligibility_text, labels
from lupustrial.edc.study.services import ENROLMENT_MEANING

register = template.Library()


@register.filter
def status_word(status: Any) -> str:
    """Met / not met / unknown in the reader's language."""
    return eligibility_text.status_word(status)


@register.filter
def outcome_word(outcome: Any) -> str:
    """Eligible / ineligible / incomplete in the reader's language."""
    return eligibility_text.outcome_word(outcome)


@register.filter
def criterion_wording(criterion: Any) -> str:
    """An eligibility criterion's wording in the reader's language."""
    return eligibility_text.criterion_wording(criterion)


@register.filter
def finding_name(finding: Any) -> str:
    """A SLEDAI-2K descriptor's name in the reader's language."""
    found = labels.LABELS.get(str(getattr(finding, "code", "")))
    return str(found) if found is not None else str(getattr(finding, "name", ""))


@register.filter
def rsi_version(version: str) -> str:
    """A reference safety information's version in the reader's language, else as given."""
    found = labels.RSI_VERSIONS.get(version)
    return str(found) if found is not None else version


@register.filter
def derived_from_note(finding: Any) -> str:
    """ "(from …)": the laboratory results a SLEDAI-2K descriptor was judged from."""
    return gettext("(from %(note)s)") % {"note": derived_text.finding_derived_from(finding)}


@register.filter
def discrepancy_words(finding: Any) -> str:
    """An entered SLEDAI-2K descriptor the laboratory results contradict."""
    return derived_text.finding_discrepancy(finding)


@register.filter
def component_name(component: Any) -> str:
    """An LLDAS or DORIS component's name in the reader's language."""
    return derived_text.component_name(component)


@register.filter
def component_evidence(component: Any) -> str:
    """Why an LLDAS or DORIS component has its status, in the reader's language."""
    return derived_text.component_evidence(component)


@register.filter
def derived_lines(result: Any) -> list[str]:
    """A visit's derived results, one line each, in the reader's language."""
    return derived_text.summary_lines(result)


@register.filter
def evidence_lines(criterion: Any) -> list[str]:
    """An eligibility criterion's evidence, one line each, in the reader's language."""
    return eligibility_text.evidence_lines(criterion)


@register.filter
def missing_lines(criterion: Any) -> list[str]:
    """What an eligibility criterion still needs, one item each, in the reader's language."""
    return eligibility_text.missing_lines(criterion)


@register.filter
def value_word(value: Any, field: str) -> str:
    """A stored code of the field named ``field`` (relatedness, outcome...) in the reader's
    language, else as stored."""
    return labels.value_word(field, value)


@register.filter
def iso_day(value: Any) -> Any:
    """A date stored as ISO text (a record's data) in the reader's format; anything else as
    it is."""
    if isinstance(value, str):
        try:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return value


@register.filter
def signature_meaning(meaning: str) -> str:
    """A signature's stored meaning in the reader's language (the statement signed is stored in
    English, `services.ENROLMENT_MEANING`); any other meaning as stored."""
    return gettext(meaning) if meaning == ENROLMENT_MEANING else meaning
