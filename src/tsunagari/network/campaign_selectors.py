"""Reads of the campaign pages and of the entry-link counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Sum

from tsunagari.network.models import Campaign, CampaignItem, CampaignPage, EntryTag, EntryVisitCount


def public_campaign(slug: str) -> Campaign | None:
    return Campaign.objects.filter(slug=slug, is_published=True).first()


def current_campaign(today: date) -> Campaign | None:
    """The published campaign whose period includes ``today``, else the latest one that started
    (else the next one): where a visitor with an unknown tag is sent."""
    published = Campaign.objects.filter(is_published=True)
    return (
        published.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on", "pk").first()
        or published.filter(starts_on__lte=today).order_by("-starts_on", "pk").first()
        or published.order_by("starts_on", "pk").first()
    )


def public_pages(campaign: Campaign):
    return campaign.pages.filter(is_published=True).order_by("order", "pk")


def public_page(campaign: Campaign, slug: str) -> CampaignPage | None:
    items = Prefetch("items", queryset=CampaignItem.objects.order_by("order", "pk"))
    return public_pages(campaign).filter(slug=slug).prefetch_related(items).first()


@dataclass(frozen=True)
class TagTotal:
    code: str
    label: str
    campaign: str
    visits: int


def tag_totals() -> list[TagTotal]:
    """Visits per tag over all days, with a row for unknown codes; most visited first."""
    totals = [
        TagTotal(tag.code, tag.label, tag.campaign.title, tag.total or 0)
        for tag in EntryTag.objects.select_related("campaign").annotate(total=Sum("counts__visits"))
    ]
    unknown = EntryVisitCount.objects.filter(tag__isnull=True).aggregate(total=Sum("visits"))["total"] or 0
    totals.append(TagTotal("", "", "", unknown))
    return sorted(totals, key=lambda t: (-t.visits, t.code))


def daily_counts(since: date):
    """Counter rows from ``since`` on, newest day first."""
    return EntryVisitCount.objects.filter(day__gte=since).select_related("tag").order_by("-day", "tag__code")
