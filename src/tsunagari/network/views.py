"""Public pages of the network: platforms and their public member lists. Thin: reads go through
``selectors``; only bodies that agreed to be listed are shown, and never a contact person."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.network import selectors
from tsunagari.network.classes import MEMBER_CLASSES
from tsunagari.network.models import Membership, Platform

PER_PAGE = 50


def platform_index(request):
    return render(
        request,
        "network/platforms.html",
        {"platforms": selectors.platforms(), "crisis_lines": crisis_lines()},
    )


def member_list(request, platform_id: int):
    platform = selectors.platform(platform_id)
    if platform is None:
        raise Http404
    member_class = request.GET.get("class") or None
    if member_class not in (None, *MEMBER_CLASSES):
        member_class = None
    today = timezone.localdate()
    page, cards = selectors.public_member_page(
        platform, today, member_class, request.GET.get("page"), PER_PAGE
    )
    published = selectors.published_member_counts() if platform.scope == Platform.Scope.NATIONAL else ()
    return render(
        request,
        "network/members.html",
        {
            "platform": platform,
            "page": page,
            "cards": cards,
            "member_class": member_class,
            "classes": Membership._meta.get_field("member_class").choices,
            "published": published,
            "crisis_lines": crisis_lines(),
        },
    )
