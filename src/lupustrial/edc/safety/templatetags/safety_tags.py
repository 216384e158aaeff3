"""Template helpers of the safety pages: the number of CTCAE terms shipped."""

from __future__ import annotations

from django import template

from lupustrial.coding import ctcae

register = template.Library()


@register.simple_tag
def ctcae_term_count() -> int:
    """How many CTCAE v5.0 terms ship with the application (837)."""
    return len(ctcae.load())
