"""CTCAE v5.0 terms with their MedDRA codes, shipped as package data, and a term lookup.

An adverse event is coded by picking a CTCAE term (its MedDRA code comes with it), or a
term's "Other, specify" with the MedDRA code of what is specified; free text stays possible
and is flagged "not coded". No Japanese names ship, so every interface shows the English term.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

from pydantic import Field, model_validator

from lupustrial.clinical.model import StrictModel
from lupustrial.protocol.safety.expectedness import check_meddra_code
from lupustrial.protocol.safety.sources import CTCAE_V5

SOURCE = CTCAE_V5
OTHER_SPECIFY = "Other, specify"
TERM_COUNT = 837


class CtcaeTerm(StrictModel):
    """One CTCAE term: MedDRA code, system organ class, grade definitions (None: not used)."""

    meddra_code: int
    soc: str
    term: str
    grades: tuple[str | None, str | None, str | None, str | None, str | None]
    definition: str = ""
    navigational_note: str = ""

    @property
    def other_specify(self) -> bool:
        """An "Other, specify" term: the investigator names the event and gives its code."""
        return self.term.endswith(OTHER_SPECIFY)

    def grade_definition(self, grade: int) -> str | None:
        """The definition of a grade 1-5, or None where CTCAE does not use that grade."""
        if not 1 <= grade <= 5:
            raise ValueError(f"CTCAE grade {grade} is not 1-5")
        return self.grades[grade - 1]

    def allows(self, grade: int) -> bool:
        """Whether CTCAE defines this grade for the term (e.g. no grade 1 for anaphylaxis)."""
        return self.grade_definition(grade) is not None


class Ctcae:
    """The CTCAE v5.0 term list, looked up by MedDRA code or by (part of) a term."""

    def __init__(self, terms: list[CtcaeTerm]) -> None:
        self.terms = tuple(terms)
        self._by_code = {term.meddra_code: term for term in terms}
        if len(self._by_code) != len(terms):
            raise ValueError("CTCAE terms with the same MedDRA code")

    def __len__(self) -> int:
        return len(self.terms)

    def by_code(self, meddra_code: int) -> CtcaeTerm | None:
        """The term with this MedDRA code, or None."""
        return self._by_code.get(meddra_code)

    def search(self, text: str, limit: int = 20) -> list[CtcaeTerm]:
        """Terms whose name contains the text (case-insensitive): exact, then prefix, then rest."""
        needle = " ".join(text.lower().split())
        if not needle:
            return []
        exact, prefix, inside = [], [], []
        for term in self.terms:
            name = term.term.lower()
            if name == needle:
                exact.append(term)
            elif name.startswith(needle):
                prefix.append(term)
            elif needle in name:
                inside.append(term)
        return (exact + prefix + inside)[:limit]


def _grade(cell: str) -> str | None:
    return cell.strip() or None


def parse(text: str) -> Ctcae:
    """Read the CTCAE CSV (meddra_code, meddra_soc, term, grade_1..grade_5, definition, ...)."""
    terms = [
        CtcaeTerm(
            meddra_code=int(row["meddra_code"]),
            soc=row["meddra_soc"],
            term=row["term"],
            grades=(
                _grade(row["grade_1"]),
                _grade(row["grade_2"]),
                _grade(row["grade_3"]),
                _grade(row["grade_4"]),
                _grade(row["grade_5"]),
            ),
            definition=row["definition"],
            navigational_note=row["navigational_note"],
        )
        for row in csv.DictReader(io.StringIO(text))
    ]
    return Ctcae(terms)


@functools.cache
def load() -> Ctcae:
    """The shipped CTCAE v5.0 (NCI 2017): 837 terms, read once per process."""
    text = resources.files("lupustrial.coding").joinpath("ctcae_v5.0.csv").read_text("utf-8")
    return parse(text)


class CodedTerm(StrictModel):
    """How an adverse event's term is coded: a CTCAE term, "other, specify", or free text.

    The MedDRA code compared with the reference safety information is the specified code for
    "Other, specify", the CTCAE term's own code otherwise, and none for free text.
    """

    verbatim: str = Field(min_length=1, description="The term as the investigator wrote it.")
    ctcae_code: int | None = Field(default=None, description="The CTCAE term picked.")
    specified_code: int | None = Field(
        default=None, description="For 'Other, specify': the MedDRA code of what is specified."
    )

    @model_validator(mode="after")
    def _consistent(self) -> CodedTerm:
        if self.specified_code is not None:
            check_meddra_code(self.specified_code)
        if self.ctcae_code is None:
            if self.specified_code is not None:
                raise ValueError("specified_code needs an 'Other, specify' CTCAE term")
            return self
        term = load().by_code(self.ctcae_code)
        if term is None:
            raise ValueError(f"ctcae_code {self.ctcae_code} is not a CTCAE v5.0 term")
        if term.other_specify and self.specified_code is None:
            raise ValueError(f"specified_code: '{term.term}' needs the MedDRA code specified")
        if not term.other_specify and self.specified_code is not None:
            raise ValueError(f"specified_code: '{term.term}' is not an 'Other, specify' term")
        return self

    @property
    def coded(self) -> bool:
        return self.ctcae_code is not None

    @property
    def meddra_code(self) -> int | None:
        """The code expectedness is matched by (None: not coded)."""
        return self.specified_code if self.specified_code is not None else self.ctcae_code

    @property
    def display(self) -> str:
        """The CTCAE term (English: no Japanese names ship), or the verbatim text, flagged."""
        if self.ctcae_code is None:
            return f"{self.verbatim} (not coded)"
        term = load().by_code(self.ctcae_code)
        assert term is not None  # validated above
        if term.other_specify:
            return f"{term.term}: {self.verbatim} (MedDRA {self.specified_code})"
        return term.term
