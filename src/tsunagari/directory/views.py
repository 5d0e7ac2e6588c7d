"""Public pages of the directory: mobile first, no JavaScript, no third-party requests."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from tsunagari.core.vocabulary import TOPICS
from tsunagari.directory.forms import SearchForm
from tsunagari.directory.selectors.hours import open_now, schedule_for
from tsunagari.directory.selectors.search import MAX_DEPTH, SearchFilters
from tsunagari.directory.selectors.services import codes, crisis_lines, search_results, services_with_details
from tsunagari.network.selectors_public import member_bodies_for_organization

PER_PAGE = 20


def _crisis_lines():
    """Verified 24-hour lines for suicidal feelings, shown on every page (110/119 are shown apart)."""
    return crisis_lines()


def home(request):
    return render(
        request,
        "directory/home.html",
        {"form": SearchForm(), "topics": TOPICS, "crisis_lines": _crisis_lines()},
    )


def search(request):
    form = SearchForm(request.GET or None)
    context = {"form": form, "topics": TOPICS, "crisis_lines": _crisis_lines(), "results": None}
    if form.is_valid():
        page = form.cleaned_data["page"] or 1
        results = search_results(
            form.cleaned_data["q"], form.filters(), limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
        context.update(_listing(request, results, page))
    return render(request, "directory/search.html", context, status=400 if form.errors else 200)


def _listing(request, results: dict, page: int) -> dict:
    params = request.GET.copy()
    params.pop("page", None)
    last_page = max(1, -(-results["total"] // PER_PAGE))
    if not results["total_exact"]:  # "more than total": go on while pages are full
        full = len(results["results"]) == PER_PAGE
        last_page = min(MAX_DEPTH // PER_PAGE, page + 1 if full else page)
    return {
        "results": list(zip(results["services"], results["results"], strict=True)),
        "total": results["total"],
        "total_exact": results["total_exact"],
        "page": page,
        "last_page": last_page,
        "query_string": params.urlencode(),
    }


def topic_index(request):
    return render(request, "directory/topics.html", {"topics": TOPICS, "crisis_lines": _crisis_lines()})


def topic_detail(request, code: str):
    if code not in TOPICS:
        raise Http404
    page = _page_number(request)
    results = search_results("", SearchFilters(topics=[code]), limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    context = {"code": code, "label": TOPICS[code], "crisis_lines": _crisis_lines()}
    context.update(_listing(request, results, page))
    return render(request, "directory/topic.html", context)


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), MAX_DEPTH // PER_PAGE))
    except ValueError:
        return 1


def service_detail(request, service_id: str):
    service = services_with_details().filter(pk=service_id).first()
    if service is None:
        raise Http404
    now = timezone.now()
    schedule = schedule_for(service.schedule_spec)
    return render(
        request,
        "directory/service.html",
        {
            "service": service,
            "topics": [(c, TOPICS[c]) for c in codes(service, "topic")],
            "open_now": open_now(service, now),
            "hours": schedule.describe_ja() if schedule else "",
            "next_opening": schedule.next_opening(now) if schedule else None,
            "crisis_lines": [] if service.crisis_line else _crisis_lines(),
            "member_bodies": member_bodies_for_organization(service.organization_id),
        },
    )
