"""The one PDF engine: an HTML page and its CSS printed to PDF/A by WeasyPrint, in-process.

Everything that makes a PDF (the study report now; the casebook and safety reports) calls
`write_pdf`. Why WeasyPrint and not Chromium is in the README ("The PDF engine"): PDF/A for
the archived copies, CSS paged media for running footers, no browser process and no script run
over patient data. A4, "page N of M" and a label in the footer. Only ``file:`` and ``data:``
addresses are read, so nothing is fetched from the network while printing. Japanese text
needs a CJK font known to fontconfig (Debian's fonts-noto-cjk, which `scripts/system-deps`
installs). Without WeasyPrint or the system's Pango, `PdfUnavailableError` says what is
missing and how to install it.
"""

from __future__ import annotations

from pathlib import Path

LOCAL_SCHEMES = ("file", "data")
"""The only address schemes read while printing: the page's own files and inline data."""

PDF_VARIANT = "pdf/a-3b"
"""ISO 19005-3 level B: the archival PDF (fonts embedded, colour profile, metadata)."""

PAGE_CSS = """
@page {{
  size: A4;
  margin: 15mm 12mm 18mm 12mm;
  @bottom-left {{ content: "{label}"; font: 8px sans-serif; color: #555; }}
  @bottom-right {{
    content: "page " counter(page) " of " counter(pages); font: 8px sans-serif; color: #555;
  }}
}}
"""


class PdfUnavailableError(RuntimeError):
    """The PDF cannot be produced here (no WeasyPrint, no Pango, or printing failed)."""


def css_string(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string (CSS Syntax Level 3, 4.3.5)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return escaped.replace("\r", "").replace("\n", "\\A ")


def write_pdf(html_path: str | Path, pdf_path: str | Path, *, footer_label: str = "") -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4, PDF/A-3b, page numbers); return its path."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except ImportError:
        raise PdfUnavailableError(
            "the Python package weasyprint is not installed (pip install weasyprint)"
        ) from None
    except OSError as error:  # cffi could not load Pango
        raise PdfUnavailableError(
            f"WeasyPrint cannot load the system's Pango ({error}); install it with "
            "`apt-get install libpango-1.0-0 libpangoft2-1.0-0` (scripts/system-deps)"
        ) from None
    source = Path(html_path).resolve()
    target = Path(pdf_path)
    fetcher = URLFetcher(allowed_protocols=LOCAL_SCHEMES)
    page = weasyprint.CSS(string=PAGE_CSS.format(label=css_string(footer_label)))
    try:
        document = weasyprint.HTML(filename=str(source), url_fetcher=fetcher)
        document.write_pdf(str(target), stylesheets=[page], pdf_variant=PDF_VARIANT)
    except OSError as error:
        raise PdfUnavailableError(f"the PDF could not be written: {error}") from None
    return target
