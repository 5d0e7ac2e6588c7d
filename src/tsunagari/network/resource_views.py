"""A platform's social-resource list (社会資源リスト): a public, filtered view of the directory.

The services of the platform's listed member bodies plus the services whose area is one of the
platform's local governments (``selectors_public.resource_rows``), grouped by topic, paginated,
optionally narrowed to one topic (``?topic=code``; an unknown code is a 400 with the list of
topics). Phones and the verification status are the directory's own, shown verbatim.
"""

from __future__ import annotations

from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from tsunagari.core.models import LocalGovernment
from tsunagari.core.vocabulary import TOPICS
from tsunagari.network import selectors_public
from tsunagari.network.models import Platform

PER_PAGE = 30


def resources(request, platform_id: int):
    governments = Prefetch("local_governments", queryset=LocalGovernment.objects.select_related("parent"))
    platform = get_object_or_404(Platform.objects.prefetch_related(governments), pk=platform_id)
    topic = request.GET.get("topic") or None
    status = 200
    if topic is not None and topic not in TOPICS:
        topic, status = None, 400
    rows = selectors_public.resource_rows(platform, topic) if status == 200 else []
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    services = selectors_public.services_by_id([row.service_id for row in page.object_list])
    groups = [
        {
            "code": code,
            "label": TOPICS.get(code, ""),
            "items": [(row, services[row.service_id]) for row in items if row.service_id in services],
        }
        for code, items in groupby(page.object_list, key=lambda row: row.topic)
    ]
    context = {
        "platform": platform,
        "governments": sorted(platform.local_governments.all(), key=lambda g: g.code),
        "topics": list(TOPICS.items()),
        "topic": topic,
        "topic_label": TOPICS.get(topic or "", ""),
        "groups": groups,
        "page": page,
        "total": len(rows),
        "bad_topic": status == 400,
    }
    return render(request, "network/resources.html", context, status=status)
