"""The navigator result as a Japanese PDF to show at a municipal window (WeasyPrint).

Generated on request from the result page's data and returned; never written to disk or stored.
Text is set in Noto Sans CJK JP (installed by ``scripts/system-packages.sh``), which WeasyPrint
embeds as a subset, so the PDF reads the same on any computer.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML


def result_pdf(context: dict) -> bytes:
    """PDF bytes of ``navigator/result_pdf.html`` rendered with ``context``."""
    html = render_to_string("navigator/result_pdf.html", context)
    return HTML(string=html).write_pdf()
