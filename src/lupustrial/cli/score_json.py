"""`lupustrial score`'s JSON line: `json_line` of the result, with the text of the findings
shared between assessments written once (issue 19).

Half of a line is the 24 SLEDAI-2K findings and a quarter LLDAS's and DORIS's components, and
most of those are shared results (`clinical.model.share`: 72 SLEDAI-2K findings, the yes/no
and common component findings), which never change. The result is written by pydantic without
those two lists, each list's items are written alone (a shared one's text is kept), and the
lists are put back where `json_line` has them. Keys are found by their text: a `"` inside a
JSON string is always escaped, so `, "pga": ` can only be layout, and the objects written
before each key found have no key of that name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lupustrial.cli.app import json_line, json_text
from lupustrial.clinical.model import is_shared

if TYPE_CHECKING:
    from pydantic import BaseModel

    from lupustrial.clinical.assessment import AssessmentResult

TEXTS_KEPT = 4096
"""At most this many shared results' texts are kept (72 SLEDAI-2K findings and the shared
component findings of a few limits and scores: a few hundred in practice)."""

_TEXTS: dict[int, tuple[BaseModel, str | None]] = {}
"""A shared result's text (None: `json_line` must write the line), by the result's identity:
the entry keeps its result alive, so no other object can have that identity meanwhile, and a
shared result never changes (it holds no mutable container), so its text stays right."""

_LISTS_APART = {"sledai2k": {"findings"}, "lldas": {"components"}, "doris": {"components"}}


def assessment_line(result: AssessmentResult) -> str:
    """``json_line(result)``, the same text, with the shared findings' text written once."""
    text = json_text(
        type(result).__pydantic_serializer__.to_json(result, indent=0, exclude=_LISTS_APART)
    )
    if text is None:
        return json_line(result)
    if result.sledai2k is not None:
        findings = _items(result.sledai2k.findings)
        if findings is None:
            return json_line(result)
        # The SLEDAI-2K object ends just before the next key of the result, "pga"; its findings
        # are its last field.
        end = text.index(', "pga": ') - 1
        text = f'{text[:end]}, "findings": [{findings}]{text[end:]}'
    for key, composite in (("lldas", result.lldas), ("doris", result.doris)):
        if composite is not None:
            components = _items(composite.components)
            if components is None:
                return json_line(result)
            # Its components come after its instrument and source (text) and before its status.
            at = text.index(', "status": ', text.index(f'"{key}": {{'))
            text = f'{text[:at]}, "components": [{components}]{text[at:]}'
    return text


def _items(results: Sequence[BaseModel]) -> str | None:
    """The items of a list of results as `json_line` writes them, joined by ", "; None when
    one of them may hold a float `json` spells differently."""
    texts = []
    for result in results:
        kept = _TEXTS.get(id(result))
        if kept is not None and kept[0] is result:
            text = kept[1]
        else:
            text = json_text(type(result).__pydantic_serializer__.to_json(result, indent=0))
            if is_shared(result):
                if len(_TEXTS) >= TEXTS_KEPT:
                    _TEXTS.clear()
                _TEXTS[id(result)] = (result, text)
        if text is None:
            return None
        texts.append(text)
    return ", ".join(texts)
