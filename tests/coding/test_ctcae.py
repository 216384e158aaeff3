"""CTCAE v5.0 shipped as package data: all 837 terms, lookups, coding and expectedness."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from lupustrial.coding import ctcae
from lupustrial.protocol.safety.expectedness import ANIFROLUMAB_RSI, Expectedness

SHARED = Path("/work/shared/reference/ctcae_v5.0.csv")


def test_all_837_terms_ship_with_unique_meddra_codes() -> None:
    terms = ctcae.load()
    assert len(terms) == ctcae.TERM_COUNT == 837
    assert len({t.meddra_code for t in terms.terms}) == 837
    assert sum(t.other_specify for t in terms.terms) == 26


@pytest.mark.skipif(not SHARED.exists(), reason="the project's shared reference is not here")
def test_the_shipped_file_is_the_reference_unchanged() -> None:
    from importlib import resources

    shipped = resources.files("lupustrial.coding").joinpath("ctcae_v5.0.csv").read_bytes()
    assert hashlib.sha256(shipped).digest() == hashlib.sha256(SHARED.read_bytes()).digest()


def test_lookup_by_code_gives_grade_definitions_and_unused_grades_are_none() -> None:
    anaphylaxis = ctcae.load().by_code(10002218)
    assert anaphylaxis is not None
    assert anaphylaxis.term == "Anaphylaxis"
    assert anaphylaxis.grade_definition(1) is None
    assert not anaphylaxis.allows(1)
    assert anaphylaxis.grade_definition(5) == "Death"
    with pytest.raises(ValueError, match="grade 6 is not 1-5"):
        anaphylaxis.grade_definition(6)
    assert ctcae.load().by_code(99999999) is None


def test_search_puts_exact_then_prefix_then_substring_matches_first() -> None:
    found = [t.term for t in ctcae.load().search("  shingles ")]
    assert found == ["Shingles"]
    found = [t.term for t in ctcae.load().search("infusion")]
    assert found[0].startswith("Infusion")
    assert "Infusion related reaction" in found
    assert ctcae.load().search("") == []


def test_a_ctcae_term_is_coded_and_compares_with_the_rsi_by_its_meddra_code() -> None:
    term = ctcae.CodedTerm(verbatim="shingles on the left flank", ctcae_code=10040555)
    assert term.coded
    assert term.meddra_code == 10040555
    assert term.display == "Shingles"
    assert ANIFROLUMAB_RSI.expectedness(term.meddra_code) is Expectedness.EXPECTED


def test_other_specify_uses_the_specified_code() -> None:
    term = ctcae.CodedTerm(
        verbatim="herpes zoster ophthalmicus", ctcae_code=10021881, specified_code=10019974
    )
    assert term.meddra_code == 10019974
    assert term.display.startswith("Infections and infestations - Other, specify: herpes")
    assert ANIFROLUMAB_RSI.expectedness(term.meddra_code) is Expectedness.EXPECTED


def test_free_text_is_flagged_not_coded_and_its_expectedness_is_unknown() -> None:
    term = ctcae.CodedTerm(verbatim="felt odd after lunch")
    assert not term.coded
    assert term.meddra_code is None
    assert term.display == "felt odd after lunch (not coded)"
    assert ANIFROLUMAB_RSI.expectedness(term.meddra_code) is Expectedness.UNKNOWN


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ctcae_code": 10021881}, "specified_code: 'Infections and infestations - Other"),
        ({"ctcae_code": 10040555, "specified_code": 10019974}, "is not an 'Other, specify'"),
        ({"ctcae_code": 12345678}, "ctcae_code 12345678 is not a CTCAE v5.0 term"),
        ({"specified_code": 10019974}, "specified_code needs an 'Other, specify'"),
        ({"ctcae_code": 10021881, "specified_code": 7}, "not a MedDRA code"),
    ],
)
def test_inconsistent_coding_is_refused_naming_the_field(
    fields: dict[str, int], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        ctcae.CodedTerm(verbatim="x", **fields)
