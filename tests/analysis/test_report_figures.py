"""The report's figures: legends never cover the data (issue 18: the swimmer plot's legend
covered the week-12 markers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure

from lupustrial.analysis.report_figures import (
    MARKERS,
    line_per_patient_figure,
    swimmer_figure,
)

FIRST = dt.date(2026, 9, 1)


def _rows(patients: int) -> tuple[list[dict[str, Any]], list[str]]:
    subjects = [f"TKY-{n:03}" for n in range(1, patients + 1)]
    rows = [
        {
            "subject_id": subject,
            "date": FIRST + dt.timedelta(days=day),
            "study_day": day,
            "lldas": "met" if day == 84 else ("not_met" if day < 56 else "unknown"),
            "sledai2k": 2 if day == 84 else 8,
        }
        for subject in subjects
        for day in (0, 28, 56, 84)
    ]
    return rows, subjects


def _covered_points(figure: Figure) -> list[tuple[float, float]]:
    """Data points (markers of scatters and lines) under the legend, in data coordinates."""
    figure.draw_without_rendering()
    axes = figure.axes[0]
    legend = axes.get_legend()
    assert legend is not None
    box = legend.get_window_extent()
    points: list[tuple[float, float]] = []
    for collection in axes.collections:
        points.extend((float(x), float(y)) for x, y in np.asarray(collection.get_offsets()))
    for line in axes.get_lines():
        xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        points.extend(zip(xs.tolist(), ys.tolist(), strict=True))
    return [
        (x, y) for x, y in points if box.contains(*axes.transData.transform((float(x), float(y))))
    ]


@pytest.mark.parametrize("patients", [1, 3, 10])
def test_the_swimmer_legend_covers_no_marker(patients: int) -> None:
    rows, subjects = _rows(patients)
    figure = swimmer_figure(rows, subjects)
    assert _covered_points(figure) == []
    legend = figure.axes[0].get_legend()
    assert legend is not None
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels == [status.replace("_", " ") for status in MARKERS]  # every status named


@pytest.mark.parametrize("patients", [1, 10])
def test_the_sledai_legend_covers_no_point(patients: int) -> None:
    rows, subjects = _rows(patients)
    figure = line_per_patient_figure(rows, subjects, "sledai2k", "SLEDAI-2K", limit=4)
    assert _covered_points(figure) == []
