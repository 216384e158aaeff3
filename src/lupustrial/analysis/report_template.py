"""The HTML report's Jinja2 template and style, kept as files beside this module.

``templates/report.html`` is the page (one self-contained page, no script, no CDN) around
``templates/report_body.html`` (alone inside the web application's own page), and
``templates/report.css`` its style: inline in the file and the PDF, a linked stylesheet when the
web application serves the report. Rendering reads the typed results (`analysis.results`).
"""

from __future__ import annotations

from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"

STYLE = (TEMPLATES / "report.css").read_text(encoding="utf-8")
"""The report's style: inline in the file and the PDF, a linked stylesheet when served."""


def report_template(*, fragment: bool = False) -> jinja2.Template:
    """The report page's template (with ``fragment``, only its body, ``report_body.html``),
    autoescaped; an undefined name is an error, never blank."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template("report_body.html" if fragment else "report.html")
