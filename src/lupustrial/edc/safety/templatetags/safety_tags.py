"""Template helpers of the safety pages: the number of CTCAE terms shipped, and an adverse
event's open reporting clocks for its page."""

from __future__ import annotations

from typing import Any

from django import template

from lupustrial.coding import ctcae

register = template.Library()


@register.simple_tag
def ctcae_term_count() -> int:
    """How many CTCAE v5.0 terms ship with the application (837)."""
    return len(ctcae.load())


@register.inclusion_tag("edc/_event_safety.html", takes_context=True)
def event_clocks(context: dict[str, Any], record: Any) -> dict[str, Any]:
    """One recorded adverse event's open reporting clocks and its reports, with "generate
    report" and "generate follow-up report" for the investigator (Clinical Trials Act
    Regulations Art. 54)."""
    from lupustrial.edc.safety.services import event_clocks as clocks_of
    from lupustrial.edc.safety.services import event_reports

    request = context["request"]
    return {
        "record": record,
        "clocks": clocks_of(request.user, record),
        "reports": event_reports(request.user, record),
        "one_event": True,
        "can": context.get("can"),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
