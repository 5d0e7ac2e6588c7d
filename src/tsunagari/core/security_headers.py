"""Security headers on every response: a strict Content-Security-Policy and a Permissions-Policy.

The policy allows scripts, styles, fonts and fetches from the site itself only: no inline script,
no inline style, no event-handler attributes (templates link static files instead), no plugins, no
framing, forms posting only to the site, no ``<base>``. Images may also be ``data:`` URIs (the
admin's icons). ``settings.TSUNAGARI_CONTENT_SECURITY_POLICY`` replaces the policy if set (empty:
this one). A view that sets its own header keeps it. Django's ``SecurityMiddleware`` adds the other
usual headers (nosniff, Referrer-Policy, Cross-Origin-Opener-Policy, HSTS in production) and
``XFrameOptionsMiddleware`` adds X-Frame-Options: DENY.
"""

from __future__ import annotations

from django.conf import settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "TSUNAGARI_CONTENT_SECURITY_POLICY", "") or CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
