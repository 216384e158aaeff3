"""Issue 18, Japanese throughout: every visit form's help is in the reader's language.

The models' descriptions are English for programmers; a field whose help would fall back to one
(`schema_forms.plain_help`) showed English in the Japanese UI (the labs and vitals forms:
"Platelet count.", "Body temperature."). Every field of every visit form now takes its help
from the catalogue, so this walks them all in Japanese.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from lupustrial.edc.study import schema_forms
from lupustrial.edc.study.crfs import CRFS, Crf

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize("crf", CRFS, ids=lambda crf: crf.code)
def test_every_field_of_a_visit_form_has_japanese_help(crf: Crf) -> None:
    plan = schema_forms.FormPlan(crf.model, rows={})
    english = []
    for path, field in plan.fields.items():
        with translation.override("ja"):
            help_text = str(field.help_text or "")
        if help_text and not JAPANESE.search(help_text):
            english.append(f"{path}: {help_text!r}")
    assert not english, "English help in the Japanese form:\n" + "\n".join(english)


def test_the_english_help_is_unchanged_where_it_was_already_plain() -> None:
    """The new entries keep the English a reader saw (no regression for English users)."""
    from lupustrial.protocol.crfs import Labs

    plan = schema_forms.FormPlan(Labs, rows={})
    with translation.override("en"):
        assert str(plan.fields["platelets.value"].help_text) == "Platelet count."
