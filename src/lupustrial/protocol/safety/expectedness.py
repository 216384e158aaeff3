"""Expectedness against the reference safety information, matched by MedDRA code.

The anifrolumab package insert is not available offline, so the list of expected reactions
is configuration with its version and date, shipped with the reactions the insert is known to
list, for the principal investigator to confirm. A reaction names every MedDRA code it covers:
the preferred term and the lowest-level term CTCAE v5.0 codes it by ("Shingles" for herpes
zoster), so a term picked from CTCAE or entered as "other, specify" with a code compares
correctly.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from lupustrial.clinical.model import StrictModel
from lupustrial.protocol.safety.sources import CTCAE_V5

MeddraCode = int
"""A MedDRA code: eight digits (10000001-19999999)."""


def check_meddra_code(code: int) -> int:
    """A MedDRA code is an eight-digit number starting with 1 (MedDRA, ICH M1)."""
    if not 10_000_000 <= code <= 19_999_999:
        raise ValueError(f"{code} is not a MedDRA code (eight digits, 10000000-19999999)")
    return code


class Expectedness(StrEnum):
    """Whether the reference safety information lists the event."""

    EXPECTED = "expected"
    UNEXPECTED = "unexpected"
    UNKNOWN = "unknown"
    """Not coded: it cannot be compared, and the stricter deadline applies."""


class ExpectedReaction(StrictModel):
    """A reaction the reference safety information lists, and the MedDRA codes it covers."""

    term: str = Field(min_length=1)
    meddra_codes: tuple[MeddraCode, ...] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _codes(self) -> ExpectedReaction:
        for code in self.meddra_codes:
            check_meddra_code(code)
        return self


class ReferenceSafetyInformation(StrictModel):
    """The document expectedness is judged against: title, version, date, listed reactions."""

    document: str = Field(min_length=1)
    version: str = Field(min_length=1)
    date: dt.date
    confirmed_by_principal_investigator: bool = False
    reactions: tuple[ExpectedReaction, ...]

    @model_validator(mode="after")
    def _one_reaction_per_code(self) -> ReferenceSafetyInformation:
        seen: dict[int, str] = {}
        for reaction in self.reactions:
            for code in reaction.meddra_codes:
                if code in seen:
                    raise ValueError(f"MedDRA code {code} is listed twice ({seen[code]})")
                seen[code] = reaction.term
        return self

    def reaction_for(self, meddra_code: int) -> ExpectedReaction | None:
        """The listed reaction that covers a code, or None."""
        return next((r for r in self.reactions if meddra_code in r.meddra_codes), None)

    def expectedness(self, meddra_code: int | None) -> Expectedness:
        """Expected when the code is listed; unknown when the event is not coded (ICH E2A)."""
        if meddra_code is None:
            return Expectedness.UNKNOWN
        check_meddra_code(meddra_code)
        if self.reaction_for(meddra_code) is not None:
            return Expectedness.EXPECTED
        return Expectedness.UNEXPECTED


SHIPPED_VERSION = "as shipped with lupustrial (to be confirmed against the current insert)"
"""The version of an insert's list taken as lupustrial ships it; the pages word it by this value."""

ANIFROLUMAB_RSI = ReferenceSafetyInformation(
    document="Saphnelo (anifrolumab) package insert, Japan: adverse reactions listed",
    version=SHIPPED_VERSION,
    date=dt.date(2021, 9, 27),
    confirmed_by_principal_investigator=False,
    reactions=(
        ExpectedReaction(
            term="herpes zoster",
            meddra_codes=(10019974, 10040555),
            note=f"PT Herpes zoster; 'Shingles' in {CTCAE_V5}",
        ),
        ExpectedReaction(
            term="upper respiratory tract infection",
            meddra_codes=(10046306, 10046300),
            note=f"PT Upper respiratory tract infection; 'Upper respiratory infection' in "
            f"{CTCAE_V5}",
        ),
        ExpectedReaction(
            term="bronchitis",
            meddra_codes=(10006451, 10055078),
            note=f"PT Bronchitis; 'Bronchial infection' in {CTCAE_V5}",
        ),
        ExpectedReaction(
            term="infusion-related reaction",
            meddra_codes=(10051792,),
            note=f"PT Infusion related reaction, the same code in {CTCAE_V5}",
        ),
        ExpectedReaction(
            term="hypersensitivity",
            meddra_codes=(10020751, 10001718),
            note=f"PT Hypersensitivity; 'Allergic reaction' in {CTCAE_V5}",
        ),
    ),
)
"""The reactions anifrolumab's insert is known to list (ICH E2A: expectedness per the RSI).

The date is the Japanese approval of anifrolumab (27 September 2021), standing in for the
insert's revision date until the principal investigator confirms the version in force.
"""
