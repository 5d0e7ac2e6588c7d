"""Thin JSON views shaped like the Open Referral HSDS 3.1 API (read-only, anonymous, no cookies)."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from tsunagari.directory.api.openapi import openapi_document
from tsunagari.directory.forms import DEFAULT_PER_PAGE, SearchForm
from tsunagari.directory.hsds.serialize import (
    organization_to_hsds,
    service_to_hsds,
    taxonomy_term_to_hsds,
    taxonomy_to_hsds,
)
from tsunagari.directory.models import Organization, Taxonomy, TaxonomyTerm
from tsunagari.directory.selectors.search import MAX_DEPTH
from tsunagari.directory.selectors.services import search_results, services_with_details


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(message: str, status: int, details=None) -> JsonResponse:
    body = {"error": message}
    if details:
        body["details"] = details
    return _json(body, status=status)


def _page(contents: list, total: int, page: int, per_page: int, exact: bool = True) -> dict:
    """An HSDS API page object; ``total_items_exact`` false means "more than ``total_items``".

    Then ``total_pages`` is the last page that can be asked for and ``last_page`` says whether
    this page is the end (it is not full, or no deeper page can be asked for).
    """
    total_pages = max(1, -(-total // per_page))
    last_page = page >= total_pages
    if not exact:
        total_pages = MAX_DEPTH // per_page
        last_page = len(contents) < per_page or page >= total_pages
    return {
        "total_items": total,
        "total_items_exact": exact,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": last_page,
        "empty": not contents,
        "contents": contents,
    }


@require_GET
def service_list(request):
    """``/api/services?q=…&topic=…&audience=…&channel=…&language=…&age=…&area=…&open_now=…`` (paginated)."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return _error("invalid query parameters", 400, form.errors.get_json_data())
    page = form.cleaned_data["page"] or 1
    per_page = form.cleaned_data["per_page"] or DEFAULT_PER_PAGE
    results = search_results(
        form.cleaned_data["q"], form.filters(), limit=per_page, offset=(page - 1) * per_page
    )
    contents = []
    for service, item in zip(results["services"], results["results"], strict=True):
        data = service_to_hsds(service)
        data["tsunagari"] = {"score": item["score"], "open_now": item["open_now"]}
        contents.append(data)
    return _json(_page(contents, results["total"], page, per_page, results["total_exact"]))


@require_GET
def service_detail(request, service_id: str):
    service = services_with_details().filter(pk=service_id).first()
    if service is None:
        return _error("service not found", 404)
    return _json(service_to_hsds(service))


def _int_param(request, name: str, default: int, high: int) -> int:
    try:
        value = int(request.GET.get(name, default))
    except ValueError:
        raise ValueError(f"{name} must be an integer") from None
    if not 1 <= value <= high:
        raise ValueError(f"{name} must be between 1 and {high}")
    return value


@require_GET
def organization_list(request):
    try:
        page = _int_param(request, "page", 1, 10000)
        per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, 100)
    except ValueError as exc:
        return _error(str(exc), 400)
    queryset = Organization.objects.order_by("id")
    total = queryset.count()
    items = queryset[(page - 1) * per_page : page * per_page]
    return _json(_page([organization_to_hsds(o) for o in items], total, page, per_page))


@require_GET
def organization_detail(request, organization_id: str):
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return _error("organization not found", 404)
    return _json(organization_to_hsds(organization, services=True))


@require_GET
def taxonomy_list(request):
    items = [taxonomy_to_hsds(t) for t in Taxonomy.objects.order_by("id")]
    return _json(_page(items, len(items), 1, max(1, len(items))))


@require_GET
def taxonomy_term_list(request):
    terms = TaxonomyTerm.objects.select_related("taxonomy").order_by("id")
    taxonomy = request.GET.get("taxonomy_id")
    if taxonomy:
        terms = terms.filter(taxonomy_id=taxonomy)
    items = [taxonomy_term_to_hsds(t) for t in terms]
    return _json(_page(items, len(items), 1, max(1, len(items))))


@require_GET
def openapi(request):
    return _json(openapi_document())
