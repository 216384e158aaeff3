"""Counts in words, in English and Japanese: "1 event in 1 patient", "1名に1件" (issue 18).

English nouns take their plural form for every count but one (CLDR plural rules, "one" and
"other", 2023); Japanese nouns have no plural and take a counter word instead (件 for events,
名 for people, 回 for infusions), so the report's English and Japanese lines read right for
every count, 0 and 1 included.
"""

from __future__ import annotations

NOUNS: dict[str, tuple[str, str, str]] = {
    "event": ("event", "events", "件"),
    "patient": ("patient", "patients", "名"),
    "responder": ("responder", "responders", "名"),
    "infusion": ("infusion", "infusions", "回"),
}
"""Noun -> (English singular, English plural, Japanese counter)."""


def _noun(noun: str) -> tuple[str, str, str]:
    try:
        return NOUNS[noun]
    except KeyError:
        raise ValueError(f"no wording for {noun!r} (known: {', '.join(NOUNS)})") from None


def counted(n: int, noun: str) -> str:
    """``n`` and the English noun in the form the count takes: "1 event", "0 events"."""
    one, other, _ = _noun(noun)
    return f"{n} {one if n == 1 else other}"


def counted_ja(n: int, noun: str) -> str:
    """``n`` with the noun's Japanese counter: "1件", "3名"."""
    return f"{n}{_noun(noun)[2]}"


def events_in_patients(events: int, patients: int) -> str:
    """ "1 event in 1 patient", "3 events in 2 patients", "0 events"."""
    if events == 0:
        return counted(0, "event")
    return f"{counted(events, 'event')} in {counted(patients, 'patient')}"


def events_in_patients_ja(events: int, patients: int) -> str:
    """ "1名に1件", "2名に3件", "0件"."""
    if events == 0:
        return counted_ja(0, "event")
    return f"{counted_ja(patients, 'patient')}に{counted_ja(events, 'event')}"


def responders_of(responders: int, evaluable: int) -> str:
    """ "1 responder of 1 evaluable patient", "0 responders of 2 evaluable patients"."""
    return f"{counted(responders, 'responder')} of {evaluable} evaluable " + (
        "patient" if evaluable == 1 else "patients"
    )


def responders_of_ja(responders: int, evaluable: int) -> str:
    """ "評価可能な1名のうち奏効1名"."""
    evaluated, responded = counted_ja(evaluable, "patient"), counted_ja(responders, "responder")
    return f"評価可能な{evaluated}のうち奏効{responded}"
