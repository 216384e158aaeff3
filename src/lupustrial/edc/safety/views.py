"""The safety pages: the reporting rules in force, and the CTCAE term lookup the AE form uses.

Both read the protocol's declarations (`ProtocolConfig.safety`) and the shipped CTCAE v5.0;
they change nothing. CTCAE ships no Japanese names, so the Japanese page shows English terms.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lupustrial.coding import ctcae
from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.study import services
from lupustrial.edc.study.views import study_view
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.safety.reporting import Recipient
from lupustrial.protocol.safety.seriousness import SERIOUSNESS_CRITERIA, Tier

RECIPIENTS = {
    Recipient.REVIEW_BOARD: _("certified review board (through the head of the institution)"),
    Recipient.MINISTER: _("Minister of Health, Labour and Welfare (through PMDA)"),
}
TIERS = {
    Tier.DEATH: _("death or may lead to death"),
    Tier.SERIOUS: _("other serious"),
    Tier.NON_SERIOUS: _("non-serious"),
}
EXPECTEDNESS = {"expected": _("expected"), "unexpected": _("unexpected"), None: _("either")}
SEARCH_LIMIT = 20


def _rules() -> list[dict[str, Any]]:
    safety = DEFAULT_PROTOCOL.safety
    return [
        {
            "id": rule.id,
            "tier": TIERS[rule.tier],
            "expectedness": EXPECTEDNESS[rule.expectedness.value if rule.expectedness else None],
            "recipient": RECIPIENTS[rule.recipient],
            "days": rule.days,
            "source": rule.source,
            "confirmed": rule.confirmed,
            "note": rule.note,
        }
        for rule in safety.reporting_rules
        if rule.product_status is safety.product_status
    ]


def _terms(query: str) -> list[ctcae.CtcaeTerm]:
    return ctcae.load().search(query, limit=SEARCH_LIMIT) if query.strip() else []


@study_view
def safety_rules(request: HttpRequest) -> HttpResponse:
    """The reporting table, seriousness criteria, causality and RSI, with a term lookup."""
    services.require(request.user, Can.VIEW_SUBJECTS)
    safety = DEFAULT_PROTOCOL.safety
    japanese = (get_language() or "en").startswith("ja")
    query = request.GET.get("q", "")
    return render(
        request,
        "edc/safety_rules.html",
        {
            "rules": _rules(),
            "criteria": [
                {
                    "code": c.code.value,
                    "label": c.label_ja if japanese else c.label,
                    "tier": TIERS[c.tier],
                    "source": c.source,
                }
                for c in SERIOUSNESS_CRITERIA
            ],
            "causality": safety.causality,
            "rsi": safety.reference_safety_information,
            "query": query,
            "terms": _terms(query),
        },
    )


@study_view
def ctcae_lookup(request: HttpRequest) -> HttpResponse:
    """CTCAE terms matching ``q`` with their MedDRA codes and grade definitions (a fragment)."""
    services.require(request.user, Can.VIEW_SUBJECTS)
    query = request.GET.get("q", "")
    return render(request, "edc/_ctcae_terms.html", {"query": query, "terms": _terms(query)})
