"""The form save's writes in SQL (`edc.statements`) and the audit trail's INSERT
(`audit.trail._insert`) send no `pre_save`/`post_save` signals, which `Model.save()` would:
they rely on the application's models having no receivers (issue 19). A receiver added later
would be skipped silently on the save path; this test makes it visible instead."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import Model, signals

SAVE_SIGNALS = {"pre_save": signals.pre_save, "post_save": signals.post_save}


def _application_models() -> list[type[Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("lupustrial.")]


def test_there_are_application_models_to_check() -> None:
    names = {model.__name__ for model in _application_models()}
    assert {"FormData", "RecordVersion", "AuditEntry"} <= names


@pytest.mark.parametrize("signal", sorted(SAVE_SIGNALS))
def test_no_application_model_has_a_save_receiver(signal: str) -> None:
    heard = [m.__name__ for m in _application_models() if SAVE_SIGNALS[signal].has_listeners(m)]
    assert heard == [], (
        f"{signal} receivers on {heard}: the form save writes these rows in SQL "
        "(edc/statements.py, audit/trail.py) and would skip them; send the signal there too"
    )


def test_a_receiver_would_be_seen() -> None:
    from lupustrial.edc.study.models import FormData

    def receiver(**_: object) -> None:
        return None

    signals.post_save.connect(receiver, sender=FormData, weak=False)
    try:
        assert signals.post_save.has_listeners(FormData)
    finally:
        signals.post_save.disconnect(receiver, sender=FormData)
