"""Causality: the scale the protocol declares and which grades count as "suspected"."""

from __future__ import annotations

from pydantic import Field, model_validator

from lupustrial.clinical.model import StrictModel
from lupustrial.protocol.safety.sources import ART_54, WHO_UMC


class CausalityScale(StrictModel):
    """The investigator's causality grades, and the ones that start a reporting clock.

    Only events "suspected to be caused by" the study treatment are reportable under Art. 54,
    so the protocol declares which grades mean suspected (WHO-UMC 2013 grades the scale).
    """

    name: str
    grades: tuple[str, ...] = Field(min_length=2)
    suspected: frozenset[str]
    source: str

    @model_validator(mode="after")
    def _suspected_are_grades(self) -> CausalityScale:
        unknown = sorted(self.suspected - set(self.grades))
        if unknown:
            raise ValueError(f"suspected grades {unknown} are not on the scale {self.grades}")
        return self

    def is_suspected(self, grade: str) -> bool:
        """Whether a grade counts as suspected (Art. 54); an unknown grade is an error."""
        if grade not in self.grades:
            raise ValueError(f"causality {grade!r} is not on the scale ({', '.join(self.grades)})")
        return grade in self.suspected


DEFAULT_CAUSALITY = CausalityScale(
    name="five-point relatedness (eCRF)",
    grades=("not related", "unlikely", "possible", "probable", "definite"),
    suspected=frozenset({"possible", "probable", "definite"}),
    source=f"{WHO_UMC}; {ART_54} (a protocol choice: 'unlikely' counts as not suspected, "
    "for the principal investigator to confirm)",
)
"""The eCRF's relatedness scale; possible, probable and definite are "suspected"."""
