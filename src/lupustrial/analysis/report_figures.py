"""The report's figures as inline SVG: deterministic (fixed hash salt, no date), no pyplot.

SLEDAI-2K per patient (Gladman 2002), prednisolone-equivalent taper (BNF), and an LLDAS
swimmer plot (Franklyn 2016): one lane per patient from day 0 to the last assessment.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from typing import Literal, TypedDict

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from lupustrial.dataset.tables import Row

matplotlib.rcParams["svg.hashsalt"] = "lupustrial"
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable


class LegendPlacement(TypedDict):
    """Axes.legend's placement arguments, typed so that mypy checks them against matplotlib's."""

    loc: Literal["upper left"]
    bbox_to_anchor: tuple[float, float]
    borderaxespad: float
    fontsize: int
    frameon: bool


OUTSIDE_RIGHT: LegendPlacement = {
    "loc": "upper left",
    "bbox_to_anchor": (1.01, 1.0),
    "borderaxespad": 0.0,
    "fontsize": 7,
    "frameon": False,
}
"""Legends stand right of the axes, never over the data (the SVG is cropped to fit them)."""

MARKERS = {"met": ("o", "tab:green"), "not_met": ("x", "tab:red"), "unknown": ("s", "tab:grey")}


def to_svg(figure: Figure) -> str:
    """The figure as an SVG string without creation date (same data → same bytes)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _by_subject(rows: Sequence[Row], subjects: Sequence[str]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["subject_id"], r["date"])):
        if row["subject_id"] in subjects and row["study_day"] is not None:
            grouped[row["subject_id"]].append(row)
    return grouped


def line_per_patient(
    rows: Sequence[Row], subjects: Sequence[str], column: str, label: str, *, limit: float | None
) -> str:
    """One line per patient of ``column`` against study day, with an optional limit line."""
    return to_svg(line_per_patient_figure(rows, subjects, column, label, limit=limit))


def line_per_patient_figure(
    rows: Sequence[Row], subjects: Sequence[str], column: str, label: str, *, limit: float | None
) -> Figure:
    """The figure of `line_per_patient`."""
    figure = Figure(figsize=(7, 3.6))
    axes = figure.subplots()
    for subject_id, series in _by_subject(rows, subjects).items():
        points = [(r["study_day"], r[column]) for r in series if r[column] is not None]
        if points:
            axes.plot(*zip(*points, strict=True), marker="o", linewidth=1, label=subject_id)
    if limit is not None:
        axes.axhline(limit, color="black", linestyle="--", linewidth=0.8)
    axes.set_xlabel("study day (day 0 = first anifrolumab infusion)")
    axes.set_ylabel(label)
    axes.set_xticks([0, 28, 56, 84])
    axes.legend(**OUTSIDE_RIGHT)  # outside: inside it covered the week-12 points
    return figure


def swimmer_figure(rows: Sequence[Row], subjects: Sequence[str]) -> Figure:
    """LLDAS at each assessment along each patient's time on study.

    The legend stands outside the axes, right of them: inside, it covered the week-12
    markers (day 84, at the right edge) of the lowest lanes (issue 18). Every status is in
    it, whether or not a patient has one.
    """
    figure = Figure(figsize=(7, 0.35 * max(len(subjects), 3) + 0.8))
    axes = figure.subplots()
    grouped = _by_subject(rows, subjects)
    for lane, subject_id in enumerate(reversed(list(subjects))):
        series = grouped.get(subject_id, [])
        last = max((r["study_day"] for r in series), default=0)
        axes.barh(lane, last, color="#dde6f0", height=0.6)
        for status, (marker, colour) in MARKERS.items():
            days = [r["study_day"] for r in series if r["lldas"] == status]
            axes.scatter(days, [lane] * len(days), marker=marker, color=colour, zorder=3)
    axes.set_yticks(range(len(subjects)), list(reversed(list(subjects))))
    axes.set_xticks([0, 28, 56, 84])
    axes.set_xlabel("study day")
    handles = [
        Line2D([], [], linestyle="", marker=marker, color=colour, label=status.replace("_", " "))
        for status, (marker, colour) in MARKERS.items()
    ]
    axes.legend(handles=handles, **OUTSIDE_RIGHT, title="LLDAS")
    return figure


def swimmer(rows: Sequence[Row], subjects: Sequence[str]) -> str:
    """The swimmer plot (`swimmer_figure`) as SVG."""
    return to_svg(swimmer_figure(rows, subjects))
