"""Names the protocol recognises: a drug, vaccine or disease and its other spellings."""

from __future__ import annotations

from lupustrial.clinical.model import StrictModel


class Term(StrictModel):
    """A drug, vaccine or disease the protocol recognises by name, and its other spellings."""

    name: str
    synonyms: tuple[str, ...] = ()

    def matches(self, recorded: str) -> bool:
        """Whether a recorded name is this term, salts and qualified forms included.

        "mycophenolate mofetil" and "tacrolimus hydrate" are the drug followed by its salt or
        ester, so a name that starts with a known spelling and a space is the same drug.
        """
        folded = _fold(recorded)
        for spelling in (self.name, *self.synonyms):
            known = _fold(spelling)
            if folded == known or folded.startswith(known + " "):
                return True
        return False


def _fold(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").replace("'", "").split())


def find_term(entries: tuple[Term, ...], recorded: str) -> Term | None:
    """The entry a recorded name belongs to, or None when the list does not name it."""
    return next((entry for entry in entries if entry.matches(recorded)), None)
