"""The unsubscribe page of the mail magazine.

GET shows what will happen and a button; only POST unsubscribes (mail scanners open links). The
signed token is the authority, so POST needs no CSRF token: mail clients' one-click unsubscribe
(RFC 8058, ``List-Unsubscribe=One-Click``) posts from outside the site.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.network import newsletter_services


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    if request.method == "POST":
        subscriber = newsletter_services.unsubscribe(token)
    else:
        subscriber = newsletter_services.subscriber_for_token(token)
    if subscriber is None:
        raise Http404
    context = {
        "subscriber": subscriber,
        "done": subscriber.unsubscribed_at is not None,
        "crisis_lines": crisis_lines(),
    }
    return render(request, "network/unsubscribe.html", context)
