"""Helpers that build network data through the real write services."""

from __future__ import annotations

from datetime import date

from tsunagari.network import services


def national_platform():
    return services.create_platform(
        "孤独・孤立対策官民連携プラットフォーム", "national", established_on=date(2022, 2, 25)
    )


def member(
    platform, name: str, member_class: str = "member", joined_on=date(2023, 4, 1), listed=True, **fields
):
    """A new body with an open membership of ``platform``; returns the membership."""
    body = services.save_body(name=name, **fields)
    return services.join(platform, body, member_class, joined_on, listed_publicly=listed)


def event(platform, capacity=None, starts_at=None, **fields):
    """A public symposium a month from now (Tokyo time), through the write service."""
    from datetime import timedelta

    from django.utils import timezone

    from tsunagari.network import event_services

    starts_at = starts_at or timezone.now().replace(microsecond=0) + timedelta(days=30)
    fields.setdefault("venue", "中央合同庁舎8号館")
    return event_services.create_event(
        platform, "symposium", fields.pop("title", "シンポジウム"), starts_at, starts_at + timedelta(hours=2),
        capacity=capacity, **fields,
    )  # fmt: skip
