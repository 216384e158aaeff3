"""The JLAC10 codes declared for the laboratory items (issue 20): only those a public source
confirms, each well formed, one analyte per item, the exported code among the accepted."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lupustrial.protocol.laboratory_codes import JLAC10_SOURCE, LABORATORY_CODES, Jlac10


def test_only_the_items_the_source_confirms_have_jlac10_codes() -> None:
    confirmed = {c.item for c in LABORATORY_CODES if c.jlac10 is not None}
    assert confirmed == {
        "labs.platelets", "labs.leukocytes", "labs.haemoglobin", "labs.creatinine",
        "labs.ast", "labs.alt", "labs.urine_protein_creatinine_ratio",
    }  # fmt: skip
    assert "https://github.com/jami-fhir-jp-wg/clinical-core/" in JLAC10_SOURCE
    assert "2023-10-15" in JLAC10_SOURCE


def test_each_item_names_one_analyte_and_no_code_two_items() -> None:
    seen: dict[str, str] = {}
    for code in LABORATORY_CODES:
        if code.jlac10 is None:
            continue
        assert code.jlac10.source == JLAC10_SOURCE
        for accepted in code.jlac10.accepted:
            assert accepted not in seen, (accepted, seen.get(accepted), code.item)
            seen[accepted] = code.item
        # the analyte (5) and identification (4) of the exported code; blood count codes
        # also come as the generic "2A99" automated-count analyte the source lists
        head = code.jlac10.code[:5]
        assert all(a[:5] in (head, "2A990") for a in code.jlac10.accepted), code.item


@pytest.mark.parametrize(
    ("code", "accepted"),
    [
        ("3B03500000232720", ("3B03500000232720",)),  # 16 characters
        ("3B035000002327201", ("3B035000002327701",)),  # exported code not accepted
        ("3b035000002327201", ("3b035000002327201",)),  # lower case
    ],
)
def test_a_malformed_declaration_is_refused(code: str, accepted: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError):
        Jlac10(code=code, display="AST", accepted=accepted)
