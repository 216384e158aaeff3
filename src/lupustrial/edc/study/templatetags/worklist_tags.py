"""Template filters of the worklists, the status grid and the casebook (issue 18)."""

from __future__ import annotations

from django import template

from lupustrial.edc.study.crfs import CRF_BY_CODE

register = template.Library()


@register.filter
def crf_title(code: str) -> str:
    """An eCRF's title in the reader's language, from its code ("vitals" -> "Vital signs and
    weight"); an unknown code is shown as it is."""
    crf = CRF_BY_CODE.get(code)
    return str(crf.title) if crf is not None else code


@register.filter
def field_label(path: str) -> str:
    """A query's field path by its label in the catalogue ("body_weight" -> "Body weight")."""
    if not path:
        return ""
    from lupustrial.edc.study import labels

    return str(labels.label(path))
