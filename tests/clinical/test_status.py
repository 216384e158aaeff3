"""Three-valued logic: missing data is never silently false."""

from __future__ import annotations

import pytest

from lupustrial.clinical.status import Status, all_of, any_of, negate

M, N, U = Status.MET, Status.NOT_MET, Status.UNKNOWN


@pytest.mark.parametrize(
    ("statuses", "conjunction", "disjunction"),
    [
        ([], M, N),
        ([M, M], M, M),
        ([M, U], U, M),
        ([N, U], N, U),
        ([U, U], U, U),
        ([M, N, U], N, M),
    ],
)
def test_kleene_logic(statuses: list[Status], conjunction: Status, disjunction: Status) -> None:
    assert all_of(statuses) is conjunction
    assert any_of(statuses) is disjunction


def test_negation_and_mapping() -> None:
    assert negate(M) is N
    assert negate(N) is M
    assert negate(U) is U
    assert Status.of(None) is U
    assert Status.of(True) is M
    assert Status.of(False) is N
