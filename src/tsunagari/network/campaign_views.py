"""Campaign pages of the 強化月間 and the tagged entry links. Thin: reads through
``campaign_selectors``, counting through ``campaign_services``.

``entry`` (``/network/c/<code>/``) is where a push-outreach link (a carrier's SMS) lands. A GET
adds one to the day's counter of the tag and redirects to the tag's campaign page; an unknown code
is counted as "unknown" and goes to the current campaign page (never a 404 for a person who came
from an SMS); without any published campaign it goes to the navigator. It stores nothing about the
visitor (no address, user agent, referrer or cookie; the response sets no cookie) and is never
cached, so every visit reaches the counter. A HEAD (link previews) redirects without counting.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.network import campaign_selectors, campaign_services
from tsunagari.network.staff_access import staff_view


def _page_context(campaign, **extra) -> dict:
    return {
        "campaign": campaign,
        "pages": campaign_selectors.public_pages(campaign),
        "navigator_url": reverse("navigator:start"),
        "crisis_lines": crisis_lines(),
        **extra,
    }


@require_GET
def campaign(request, slug: str):
    found = campaign_selectors.public_campaign(slug)
    if found is None:
        raise Http404
    return render(request, "network/campaign/campaign.html", _page_context(found))


@require_GET
def campaign_page(request, slug: str, page_slug: str):
    found = campaign_selectors.public_campaign(slug)
    page = found and campaign_selectors.public_page(found, page_slug)
    if not page:
        raise Http404
    return render(request, "network/campaign/page.html", _page_context(found, page=page))


@never_cache
@require_http_methods(["GET", "HEAD"])
def entry(request, code: str):
    today = timezone.localdate()
    if request.method == "GET":
        tag = campaign_services.count_visit(code, today)
    else:
        tag = campaign_services.find_tag(code)
    target = tag.campaign if tag and tag.campaign.is_published else campaign_selectors.current_campaign(today)
    url = reverse("network:campaign", args=[target.slug]) if target else reverse("navigator:start")
    return HttpResponseRedirect(url)


@staff_view("network.view_entryvisitcount")
def staff_visits(request):
    since = timezone.localdate() - timedelta(days=30)
    context = {
        "totals": campaign_selectors.tag_totals(),
        "rows": campaign_selectors.daily_counts(since),
        "since": since,
    }
    return render(request, "network/campaign/staff_visits.html", context)
