"""Consent form versions declared as data (ICH E6(R2) 4.8.2): the last one is in force."""

from __future__ import annotations

import datetime as dt

import pytest

from lupustrial.protocol.config import DEFAULT_PROTOCOL


def test_the_last_declared_consent_version_is_in_force() -> None:
    from pydantic import ValidationError

    from lupustrial.protocol.config import ProtocolConfig
    from lupustrial.protocol.consent import ConsentFormVersion, due_to_consent_again

    forms = DEFAULT_PROTOCOL.consent_forms
    assert [f.number for f in forms] == ["1.0"]
    assert not due_to_consent_again("1.0", forms)
    assert not due_to_consent_again(None, forms)  # never consented: not a re-consent
    amended = (*forms, ConsentFormVersion(number="2.0", date=dt.date(2027, 1, 10),
                                          languages=("ja", "en")))  # fmt: skip
    assert due_to_consent_again("1.0", amended)
    assert not due_to_consent_again("2.0", amended)
    with pytest.raises(ValidationError, match="declared once"):
        ProtocolConfig(consent_forms=(*forms, *forms))
