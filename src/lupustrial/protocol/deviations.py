"""Protocol deviations (不適合): what counts as one, declared as data, and the rules that
suggest one.

Japan's Clinical Trials Act Enforcement Regulations (MHLW Ordinance No. 17, 2018, as amended
2022), Art. 15: the principal investigator reports a non-conformity with the regulations or the
protocol promptly to the head of the institution, and hears the certified review board's opinion
promptly on a serious one. MHLW notice 医政研発0331第1号 (2022-03-31), (14): a serious
non-conformity is one that affects the subjects' rights or safety or the reliability of the
results, for example a breach of the eligibility criteria, of the discontinuation criteria or
of prohibited concomitant therapy. Non-serious ones go to the board with the periodic report.

The rules below only *suggest* a deviation: a person confirms or dismisses each, with a reason.
They read plain values (dates already the site's own, `protocol.dates`) and never a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from pydantic import Field

from lupustrial.clinical.model import StrictModel
from lupustrial.protocol.terms import Term, find_term

ART_15 = (
    "Clinical Trials Act Enforcement Regulations (MHLW Ordinance No. 17, 2018, amended 2022), "
    "Art. 15"
)
NOTICE_2022 = "MHLW notice 医政研発0331第1号 (2022-03-31), (14) on Art. 15"


class DeviationCategory(StrEnum):
    ELIGIBILITY = "eligibility"
    CONSENT = "consent"
    VISIT_WINDOW = "visit_window"
    DOSING = "dosing"
    PROHIBITED_MEDICATION = "prohibited_medication"
    PROCEDURE_NOT_DONE = "procedure_not_done"
    OTHER = "other"


class CategoryDeclaration(StrictModel):
    """One category of deviation: its code, its names in English and Japanese, its source."""

    code: DeviationCategory
    label: str
    label_ja: str
    serious_by_default: bool = Field(
        description="Whether a deviation of this kind is serious unless a person decides not."
    )
    source: str


DEVIATION_CATEGORIES: tuple[CategoryDeclaration, ...] = (
    CategoryDeclaration(
        code=DeviationCategory.ELIGIBILITY,
        label="eligibility criteria not met",
        label_ja="選択・除外基準の不遵守",
        serious_by_default=True,
        source=NOTICE_2022,
    ),
    CategoryDeclaration(
        code=DeviationCategory.CONSENT,
        label="informed consent",
        label_ja="説明・同意の不備",
        serious_by_default=True,
        source=f"{ART_15}; Clinical Trials Act Art. 9 (written consent)",
    ),
    CategoryDeclaration(
        code=DeviationCategory.VISIT_WINDOW,
        label="visit outside its window or missed",
        label_ja="来院許容範囲外・来院なし",
        serious_by_default=False,
        source=f"{ART_15}; protocol schedule (protocol.schedule)",
    ),
    CategoryDeclaration(
        code=DeviationCategory.DOSING,
        label="study drug dose or interval",
        label_ja="試験薬の用量・投与間隔",
        serious_by_default=False,
        source=ART_15,
    ),
    CategoryDeclaration(
        code=DeviationCategory.PROHIBITED_MEDICATION,
        label="prohibited concomitant medication",
        label_ja="併用禁止薬の使用",
        serious_by_default=True,
        source=NOTICE_2022,
    ),
    CategoryDeclaration(
        code=DeviationCategory.PROCEDURE_NOT_DONE,
        label="protocol procedure not done",
        label_ja="規定された検査・評価の未実施",
        serious_by_default=False,
        source=ART_15,
    ),
    CategoryDeclaration(
        code=DeviationCategory.OTHER,
        label="other",
        label_ja="その他",
        serious_by_default=False,
        source=ART_15,
    ),
)
"""The categories a deviation is filed under (the issue's list), with Art. 15 behind each."""

PROHIBITED_MEDICATIONS: tuple[Term, ...] = (
    Term(name="belimumab", synonyms=("Benlysta",)),
    Term(name="rituximab", synonyms=("Rituxan", "MabThera")),
    Term(name="obinutuzumab", synonyms=("Gazyva",)),
    Term(name="voclosporin", synonyms=("Lupkynis",)),
)
"""Concomitant drugs the protocol prohibits by default: other biologics for SLE, which the
anifrolumab trials excluded (Morand 2020, TULIP-2) and whose combination is not studied
(Saphnelo SmPC, 2022). A protocol choice for the principal investigator to confirm."""


class DeviationRules(StrictModel):
    """What the study declares about deviations; another study changes data, not code."""

    categories: tuple[CategoryDeclaration, ...] = DEVIATION_CATEGORIES
    prohibited_medications: tuple[Term, ...] = PROHIBITED_MEDICATIONS
    prohibited_medications_confirmed: bool = Field(
        default=False, description="Whether the principal investigator confirmed the list."
    )
    infusion_dose_mg: float = Field(
        default=300.0,
        gt=0,
        description="Anifrolumab per infusion (Morand 2020, TULIP-2: 300 mg IV every 4 weeks).",
    )
    infusion_interval_days: int = Field(
        default=28, ge=1, description="Days between infusions (every 4 weeks, Morand 2020)."
    )
    infusion_interval_tolerance_days: int = Field(
        default=7,
        ge=0,
        description="Days either side of the interval still in protocol (a protocol choice, "
        "like the visit window).",
    )

    def category(self, code: str) -> CategoryDeclaration:
        """The declared category with this code; an unknown code names the known ones."""
        for declared in self.categories:
            if declared.code.value == code:
                return declared
        known = ", ".join(c.code.value for c in self.categories)
        raise ValueError(f"unknown deviation category {code!r} (known: {known})")


class Suggestion(StrictModel):
    """A deviation a rule suspects, for a person to confirm or dismiss.

    ``key`` is stable for the same finding, so a decision on it is remembered.
    """

    key: str
    subject: str
    category: DeviationCategory
    occurred_on: dt.date | None
    description: str
    rule: str = Field(description="The rule and its source.")
    code: str = Field(description="What the rule found, for the web layer to word.")
    params: dict[str, Any] = Field(
        description="The plain values behind the finding (visit codes, dates, names, numbers), "
        "which the web layer words in the reader's language beside the English description."
    )


def visit_window_finding(
    subject: str,
    visit: str,
    window: tuple[dt.date, dt.date],
    visit_date: dt.date | None,
    missed: bool,
    today: dt.date,
) -> Suggestion | None:
    """A visit done outside its window, marked missed, or still undone after its last day.

    The window includes both edges (`protocol.schedule.VisitDefinition.window`); ``today`` is
    the site's date (`protocol.dates.site_today`), so a visit is overdue from the day after its
    window closes.
    """
    start, end = window
    rule = f"{ART_15}; visit window {start.isoformat()}–{end.isoformat()} (protocol.schedule)"
    key = f"visit_window:{subject}:{visit}"
    if visit_date is not None:
        if start <= visit_date <= end:
            return None
        return Suggestion(
            key=key,
            subject=subject,
            category=DeviationCategory.VISIT_WINDOW,
            occurred_on=visit_date,
            description=f"{visit} on {visit_date.isoformat()}, outside its window "
            f"{start.isoformat()} to {end.isoformat()}",
            rule=rule,
            code="visit_outside_window",
            params={"visit": visit, "date": visit_date, "start": start, "end": end},
        )
    if missed or today > end:
        return Suggestion(
            key=key,
            subject=subject,
            category=DeviationCategory.VISIT_WINDOW,
            occurred_on=end,
            description=f"{visit} {'missed' if missed else 'not done'} (window closed "
            f"{end.isoformat()})",
            rule=rule,
            code="visit_missed" if missed else "visit_not_done",
            params={"visit": visit, "end": end},
        )
    return None


def consent_after_procedure(
    subject: str, consent_date: dt.date | None, procedures: Mapping[str, dt.date]
) -> Suggestion | None:
    """A screening procedure dated before the consent (Clinical Trials Act Art. 9, 2017).

    The same day is no deviation: dates carry no time, and consent is usually taken first.
    """
    if consent_date is None:
        return None
    early = sorted((day, name) for name, day in procedures.items() if day < consent_date)
    if not early:
        return None
    listed = ", ".join(f"{name} {day.isoformat()}" for day, name in early)
    return Suggestion(
        key=f"consent_after_procedure:{subject}",
        subject=subject,
        category=DeviationCategory.CONSENT,
        occurred_on=early[0][0],
        description=f"consent dated {consent_date.isoformat()}, after {listed}",
        rule=f"Clinical Trials Act Art. 9 (2017); {ART_15}",
        code="consent_after_procedure",
        params={"consent": consent_date, "procedures": [(name, day) for day, name in early]},
    )


def enrolled_not_eligible(
    subject: str, outcome: str, failed: Sequence[str], today: dt.date
) -> Suggestion | None:
    """An enrolled subject whose saved screening data no longer decide 'eligible'."""
    if outcome == "eligible":
        return None
    detail = f" ({', '.join(failed)})" if failed else ""
    return Suggestion(
        key=f"enrolled_not_eligible:{subject}",
        subject=subject,
        category=DeviationCategory.ELIGIBILITY,
        occurred_on=today,
        description=f"enrolled, but the eligibility decision is now {outcome}{detail}",
        rule=NOTICE_2022,
        code="enrolled_not_eligible",
        params={"outcome": outcome, "failed": list(failed)},
    )


def signature_voided(subject: str, signature: str, voided_on: dt.date) -> Suggestion:
    """An enrolment signature voided by a correction and not given again (21 CFR 11.50)."""
    return Suggestion(
        key=f"signature_voided:{subject}:{signature}",
        subject=subject,
        category=DeviationCategory.ELIGIBILITY,
        occurred_on=voided_on,
        description=f"the enrolment signature was voided on {voided_on.isoformat()} by a "
        "correction and has not been given again",
        rule=f"{NOTICE_2022}; 21 CFR 11.50",
        code="signature_voided",
        params={"voided_on": voided_on},
    )


def prohibited_medication(
    subject: str, visit: str, drug: str, started: dt.date | None, rules: DeviationRules
) -> Suggestion | None:
    """A concomitant medication on the protocol's prohibited list (`DeviationRules`)."""
    term = find_term(rules.prohibited_medications, drug)
    if term is None:
        return None
    return Suggestion(
        key=f"prohibited_medication:{subject}:{visit}:{term.name}",
        subject=subject,
        category=DeviationCategory.PROHIBITED_MEDICATION,
        occurred_on=started,
        description=f"{drug} recorded at {visit} (prohibited: {term.name})",
        rule=NOTICE_2022,
        code="prohibited_medication",
        params={"drug": drug, "visit": visit, "term": term.name},
    )


def infusion_finding(
    subject: str,
    visit: str,
    given_on: dt.date,
    dose_mg: float,
    previous_on: dt.date | None,
    rules: DeviationRules,
) -> Suggestion | None:
    """An anifrolumab infusion off the protocol's dose or interval (Morand 2020, TULIP-2:
    300 mg every 4 weeks; the tolerance is `DeviationRules.infusion_interval_tolerance_days`).

    The interval is counted from the previous infusion given; both edges of the tolerance are
    in protocol (28 ± 7 days: 21 and 35 are fine, 20 and 36 are not).
    """
    problems = []
    params: dict[str, Any] = {"visit": visit, "given_on": given_on}
    if abs(dose_mg - rules.infusion_dose_mg) > 0.5:  # half a milligram: rounding of a record
        problems.append(f"{dose_mg:g} mg instead of {rules.infusion_dose_mg:g} mg")
        params["dose"] = {"given": dose_mg, "expected": rules.infusion_dose_mg}
    if previous_on is not None:
        days = (given_on - previous_on).days
        low = rules.infusion_interval_days - rules.infusion_interval_tolerance_days
        high = rules.infusion_interval_days + rules.infusion_interval_tolerance_days
        if not low <= days <= high:
            problems.append(
                f"{days} days after the previous infusion ({low} to {high} in protocol)"
            )
            params["interval"] = {"days": days, "low": low, "high": high}
    if not problems:
        return None
    return Suggestion(
        key=f"infusion:{subject}:{visit}:{given_on.isoformat()}",
        subject=subject,
        category=DeviationCategory.DOSING,
        occurred_on=given_on,
        description=f"infusion at {visit} on {given_on.isoformat()}: " + "; ".join(problems),
        rule=f"{ART_15}; Morand 2020 (TULIP-2): 300 mg every 4 weeks",
        code="infusion",
        params=params,
    )


SAPHNELO_LIVE_VACCINES = (
    "Saphnelo (anifrolumab) prescribing information (AstraZeneca, 2021), 5.4 Immunization: "
    "avoid use of live or live-attenuated vaccines"
)


def live_vaccine(
    subject: str,
    visit: str,
    vaccine: str,
    given_on: dt.date | None,
    first_infusion: dt.date | None,
    live_vaccines: Sequence[Term],
    window_days: int,
) -> Suggestion | None:
    """A live vaccine recorded among the concomitant medications: within E12's window before
    the first infusion (registration E12: 30 days or fewer excludes) it is an eligibility
    deviation, on or after the first infusion a prohibited medication (Saphnelo PI 2021).

    An undated one, or one when the first infusion is unknown, is suggested too: a person
    decides. Boundary: given ``window_days`` before the first infusion is a deviation, one day
    earlier is not.
    """
    term = find_term(tuple(live_vaccines), vaccine)
    if term is None:
        return None
    if given_on is not None and first_infusion is not None:
        days_before = (first_infusion - given_on).days
        if days_before > window_days:
            return None
        if days_before > 0:
            return Suggestion(
                key=f"live_vaccine:{subject}:{visit}:{term.name}",
                subject=subject,
                category=DeviationCategory.ELIGIBILITY,
                occurred_on=given_on,
                description=f"live vaccine {vaccine} ({term.name}) recorded at {visit}, given "
                f"{days_before} days before the first infusion (E12: {window_days} days or "
                "fewer excludes)",
                rule=f"{NOTICE_2022}; registration E12",
                code="live_vaccine_before_first_infusion",
                params={
                    "vaccine": vaccine,
                    "term": term.name,
                    "visit": visit,
                    "days_before": days_before,
                    "window_days": window_days,
                },
            )
    return Suggestion(
        key=f"live_vaccine:{subject}:{visit}:{term.name}",
        subject=subject,
        category=DeviationCategory.PROHIBITED_MEDICATION,
        occurred_on=given_on,
        description=f"live vaccine {vaccine} ({term.name}) recorded at {visit}"
        + (f" on {given_on.isoformat()}" if given_on else "")
        + ", on anifrolumab",
        rule=f"{NOTICE_2022}; {SAPHNELO_LIVE_VACCINES}",
        code="live_vaccine_on_treatment",
        params={"vaccine": vaccine, "term": term.name, "visit": visit, "given_on": given_on},
    )
