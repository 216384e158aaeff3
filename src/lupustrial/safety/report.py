"""A safety report (疾病等報告) of one event: a JSON document, an HTML page and its PDF.

The document carries what the review board and PMDA ask for: the event and its coding,
seriousness with the criteria met, expectedness against the reference safety information in
force, causality, the course and the action taken with anifrolumab, the rule and deadline it
answers, and for a follow-up report the first report it follows. Labels are in English and
Japanese on the same page. A value not recorded says so; it is never left blank.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import Field

from lupustrial.clinical.model import StrictModel
from lupustrial.protocol.safety.config import SafetyConfig
from lupustrial.protocol.safety.reporting import Clock, ReportingRule
from lupustrial.protocol.safety.seriousness import CRITERION_BY_CODE
from lupustrial.safety.events import SafetyEvent, open_clocks, reportable

NOT_RECORDED = "not recorded"


class ReportError(ValueError):
    """The report asked for cannot be made; the message says why."""


class ReportRef(StrictModel):
    """The report a follow-up report follows."""

    number: str
    submitted_on: dt.date | None = None


class ReportRequest(StrictModel):
    """Which report to make: the event, the rule it answers, and the first report if a follow-up."""

    event_id: str
    rule_id: str
    number: str = Field(min_length=1, description="The report's number, e.g. AE-TKY-001-1/1.")
    follows: ReportRef | None = None


def _rule(safety: SafetyConfig, rule_id: str) -> ReportingRule:
    for rule in safety.reporting_rules:
        if rule.id == rule_id:
            return rule
    known = ", ".join(rule.id for rule in safety.reporting_rules)
    raise ReportError(f"rule: no reporting rule {rule_id!r} (known: {known})")


def _clock(event: SafetyEvent, safety: SafetyConfig, rule: ReportingRule) -> Clock | None:
    unsubmitted = event.model_copy(update={"submitted": ()})
    for item in open_clocks([unsubmitted], safety, periodic=True):
        if item.clock.rule.id == rule.id:
            return item.clock
    return None


def _or_not_recorded(value: Any) -> Any:
    return NOT_RECORDED if value is None or value == "" else value


def build_report(
    event: SafetyEvent,
    request: ReportRequest,
    safety: SafetyConfig,
    *,
    study_title: str,
    registration: str,
    generated_at: dt.datetime,
) -> dict[str, Any]:
    """The report's JSON document for the event's latest version (Art. 54, 2018).

    A follow-up report may answer a rule the event no longer falls under (the facts changed);
    a first report must answer a rule that applies to the latest version.
    """
    if request.event_id != event.id:
        raise ReportError(f"event: the request names {request.event_id}, not {event.id}")
    rule = _rule(safety, request.rule_id)
    clock = _clock(event, safety, rule)
    if clock is None and request.follows is None:
        raise ReportError(
            f"rule: {rule.id} does not apply to event {event.id} as now recorded "
            "(check its seriousness, expectedness and causality)"
        )
    latest = event.versions[-1]
    facts = reportable(latest, safety)
    rsi = safety.reference_safety_information
    matched = (
        rsi.reaction_for(latest.term.meddra_code) if latest.term.meddra_code is not None else None
    )
    return {
        "report": {
            "number": request.number,
            "kind": "follow-up" if request.follows else "first",
            "follows": request.follows.model_dump(mode="json") if request.follows else None,
            "generated_at": generated_at.isoformat(timespec="seconds"),
            "rule": rule.id,
            "recipient": rule.recipient.label,
            "source": rule.source,
            "rule_confirmed": rule.confirmed,
            "day_zero": clock.day_zero.isoformat() if clock else None,
            "due": clock.due.isoformat() if clock and clock.due else None,
        },
        "study": {"title": study_title, "registration": registration},
        "event": {
            "id": event.id,
            "subject_id": event.subject_id,
            "term": latest.term.display,
            "verbatim": latest.term.verbatim,
            "coded": latest.term.coded,
            "ctcae_code": latest.term.ctcae_code,
            "meddra_code": latest.term.meddra_code,
            "ctcae_grade": _or_not_recorded(latest.ctcae_grade),
            "onset": _or_not_recorded(latest.onset and latest.onset.isoformat()),
            "end_date": _or_not_recorded(latest.end_date and latest.end_date.isoformat()),
            "outcome": _or_not_recorded(latest.outcome and latest.outcome.value),
            "course": _or_not_recorded(latest.course),
            "action_taken_with_anifrolumab": _or_not_recorded(
                latest.action_taken and latest.action_taken.value
            ),
            "aware_date": latest.aware_date.isoformat(),
            "versions": len(event.versions),
            "assumed": list(dict.fromkeys(a.value for v in event.versions for a in v.assumed)),
        },
        "seriousness": {
            "tier": facts.tier.value,
            "criteria_recorded": bool(latest.seriousness) or latest.assumed_tier is None,
            "criteria": [
                {
                    "code": code.value,
                    "label": CRITERION_BY_CODE[code].label,
                    "label_ja": CRITERION_BY_CODE[code].label_ja,
                }
                for code in latest.seriousness
            ],
        },
        "expectedness": {
            "value": facts.expectedness.value,
            "assumed_unexpected": bool(clock and clock.assumed_unexpected),
            "reference": {
                "document": rsi.document,
                "version": rsi.version,
                "date": rsi.date.isoformat(),
                "confirmed_by_principal_investigator": rsi.confirmed_by_principal_investigator,
            },
            "listed_reaction": matched.term if matched else None,
        },
        "causality": {
            "grade": latest.causality,
            "suspected": facts.suspected,
            "scale": safety.causality.name,
        },
    }


LANGUAGES = ("en", "ja")
"""en: English and Japanese labels on one page (the default); ja: Japanese alone."""


def write_report(
    document: dict[str, Any], out: Path, *, pdf: bool = True, language: str = "en"
) -> list[Path]:
    """Write report.json, report.html and (``pdf``) report.pdf into ``out``; return the paths.

    The page is in ``language`` (`LANGUAGES`); the JSON document is the same in every language.
    """
    import jinja2

    from lupustrial.safety.report_template import JAPANESE, TEMPLATE, TEMPLATE_JA

    if language not in LANGUAGES:
        raise ReportError(f"language {language!r}: choose {' or '.join(LANGUAGES)}")

    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "report.json"
    json_path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    html_path = out / "report.html"
    if language == "ja":
        page = environment.from_string(TEMPLATE_JA).render(
            d=document, ja=lambda value: JAPANESE.get(str(value), value)
        )
    else:
        page = environment.from_string(TEMPLATE).render(d=document)
    html_path.write_text(page, encoding="utf-8")
    written = [json_path, html_path]
    if pdf:
        from lupustrial.pdf import write_pdf

        kind = "疾病等報告" if language == "ja" else "safety report"
        label = f"{document['study']['registration']} · {kind} {document['report']['number']}"
        written.append(write_pdf(html_path, out / "report.pdf", footer_label=label))
    return written
