"""The consent form versions in use, declared as data, and which one a subject must have signed.

ICH E6(R2) 4.8.2 (2016): the written consent form is revised when important new information
becomes available, and subjects already enrolled are informed and their consent obtained again
on the revised form. The last declared version is the one in force; an active subject whose
latest consent is on another version is due to consent again.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from lupustrial.clinical.model import StrictModel

ICH_E6_R2_4_8_2 = "ICH E6(R2) 4.8.2 (2016)"


class ConsentFormVersion(StrictModel):
    """One approved version of the consent form: its number, date and languages."""

    number: str = Field(min_length=1)
    date: dt.date | None = Field(
        default=None, description="The version's date; None = not stated in the registration."
    )
    languages: tuple[str, ...] = Field(
        min_length=1, description="ISO 639-1 codes of the languages it is printed in."
    )


CONSENT_FORMS: tuple[ConsentFormVersion, ...] = (
    ConsentFormVersion(number="1.0", languages=("ja",)),
)
"""The versions declared by default: the first, in Japanese (the registration states no date:
the study office sets it when it declares the version approved by the review board)."""


def version_in_force(forms: tuple[ConsentFormVersion, ...]) -> ConsentFormVersion:
    """The version in force: the last one declared (ICH E6(R2) 4.8.2)."""
    return forms[-1]


def find_version(forms: tuple[ConsentFormVersion, ...], number: str) -> ConsentFormVersion | None:
    """The declared version with this number, or None when it is not declared."""
    return next((form for form in forms if form.number == number), None)


def due_to_consent_again(latest: str | None, forms: tuple[ConsentFormVersion, ...]) -> bool:
    """Whether a subject whose latest consent is on version ``latest`` must consent again
    (ICH E6(R2) 4.8.2, 2016): it is on a version other than the one in force."""
    return latest is not None and latest != version_in_force(forms).number
