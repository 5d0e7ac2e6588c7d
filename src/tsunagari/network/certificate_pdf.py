"""A certificate of completion as a Japanese PDF (WeasyPrint), as the navigator's result PDF.

Rendered on request for staff (who hand or send it to the holder); never written to disk or stored.
Text is set in Noto Sans CJK JP (installed by ``scripts/system-packages.sh``), which WeasyPrint
embeds as a subset, so the certificate reads the same on any computer. It prints the holder's name,
the course, curriculum version, hours, completion date, the verification code in groups of four and
the address of the public verification page.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML

from tsunagari.network import certificate_codes
from tsunagari.network.models import Certificate


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """PDF bytes of ``network/training/certificate_pdf.html`` for ``certificate``."""
    html = render_to_string(
        "network/training/certificate_pdf.html",
        {
            "certificate": certificate,
            "code": certificate_codes.display(certificate.code),
            "verify_url": verify_url,
        },
    )
    return HTML(string=html).write_pdf()
