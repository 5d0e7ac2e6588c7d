"""The unified line's configuration as the voice webhooks read it, kept per process for a short while.

Fields, overflow policies, menu versions (with their options) and the lines (with their fields, weekly
shifts and dated exceptions) change rarely and are read by nearly every webhook request. They are loaded
together and kept for ``TSUNAGARI_CACHE_SECONDS`` (``core.page_cache``; 0: read anew on every call, as
the tests run); any write to one of these models in this process empties the cache at once (signals,
connected by the app's ``ready``), other processes see the change within that time. The objects handed
out are shared: read them, never change them.

Loading the lines also makes sure every line has its ``LineState`` row (so reservations can lock and
update it), as :func:`services.ensure_line_states` does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Prefetch

from tsunagari.core.page_cache import cache_seconds
from tsunagari.core.ttl_cache import TtlStore
from tsunagari.helpline import routing
from tsunagari.helpline.models import (
    Field,
    Line,
    LineState,
    MenuOption,
    MenuVersion,
    OverflowPolicy,
    PartnerBody,
    Shift,
    ShiftException,
)

logger = logging.getLogger(__name__)

#: The policy of a field that has none configured: queue up to 10 calls for 10 minutes, then say so.
DEFAULT_POLICY_STEPS = [{"step": "queue", "max_length": 10, "max_wait_seconds": 600}, "message"]

_store = TtlStore(cache_seconds, maxsize=16)


@dataclass(frozen=True)
class Fields:
    """Every field by code, each field's overflow policy (parsed) and the general fields it overflows to."""

    by_code: dict[str, Field]
    policies: dict[str, routing.OverflowPolicy]
    overflow: dict[str, frozenset[str]]
    crisis: frozenset[str]


@dataclass(frozen=True)
class ConfiguredLine:
    """An active line serving at least one field, with what routing reads of it."""

    model: Line
    fields: list[str]
    shifts: list[Shift]
    exceptions: list[ShiftException]


@dataclass(frozen=True)
class Lines:
    """The active lines serving a field, in id order, and by id."""

    active: list[ConfiguredLine]
    by_id: dict[int, Line]


def clear() -> None:
    """Forget the configuration read by this process (called on any write to it)."""
    _store.clear()


def _parse_policy(code: str, steps) -> routing.OverflowPolicy:
    try:
        return routing.OverflowPolicy.from_data(code, steps)
    except (ValueError, TypeError):
        logger.error("overflow policy of field %s is invalid; using the default policy", code)
        return routing.OverflowPolicy.from_data(code, DEFAULT_POLICY_STEPS)


def _load_fields() -> Fields:
    by_code = {f.code: f for f in Field.objects.all()}
    stored = dict(OverflowPolicy.objects.values_list("field_id", "steps"))
    policies = {code: _parse_policy(code, stored.get(code) or DEFAULT_POLICY_STEPS) for code in by_code}
    overflow = {
        code: frozenset(step.field for step in policy.steps if isinstance(step, routing.GeneralField))
        for code, policy in policies.items()
    }
    crisis = frozenset(code for code, f in by_code.items() if f.crisis)
    return Fields(by_code, policies, overflow, crisis)


def fields() -> Fields:
    return _store.get_or_make("fields", _load_fields)


def field(code: str) -> Field:
    """The field ``code`` (``Field.DoesNotExist`` if there is none)."""
    found = fields().by_code.get(code)
    if found is None:
        return Field.objects.get(pk=code)
    return found


def policy(code: str) -> routing.OverflowPolicy:
    """The field's overflow policy (:data:`DEFAULT_POLICY_STEPS` when none is configured, or when the
    stored one is invalid — the admin validates it, so that is logged as an error)."""
    found = fields().policies.get(code)
    return found if found is not None else _parse_policy(code, DEFAULT_POLICY_STEPS)


def _load_menus() -> list[MenuVersion]:
    options = MenuOption.objects.select_related("field").order_by("digit")
    return list(
        MenuVersion.objects.prefetch_related(Prefetch("options", queryset=options)).order_by(
            "-valid_from", "-pk"
        )
    )


def menus() -> list[MenuVersion]:
    """Every menu version, the one that started last first, with its options (and their fields)."""
    return _store.get_or_make("menus", _load_menus)


def menu_at(at: datetime) -> MenuVersion | None:
    """The menu version valid at ``at`` (``valid_from`` ≤ at < ``valid_until``); of several, the one
    that started last."""
    return next(
        (m for m in menus() if m.valid_from <= at and (m.valid_until is None or m.valid_until > at)), None
    )


def menu_by_id(menu_id: int) -> MenuVersion | None:
    return next((m for m in menus() if m.pk == menu_id), None)


def _load_lines(first_day: date) -> Lines:
    line_states_ensured()
    active = (
        Line.objects.filter(active=True)
        .prefetch_related(
            "fields",
            "shifts",
            Prefetch("exceptions", queryset=ShiftException.objects.filter(date__gte=first_day)),
        )
        .order_by("pk")
    )
    configured = []
    for line in active:
        codes = [f.code for f in line.fields.all()]
        if codes:
            configured.append(
                ConfiguredLine(line, codes, list(line.shifts.all()), list(line.exceptions.all()))
            )
    return Lines(configured, {c.model.pk: c.model for c in configured})


def lines(local_day: date) -> Lines:
    """The lines as routing reads them on ``local_day`` (Japan time): exceptions from the day before on."""
    first_day = local_day - timedelta(days=1)
    return _store.get_or_make(("lines", first_day), lambda: _load_lines(first_day))


def line(line_id: int, local_day: date) -> Line:
    """The line ``line_id`` (``Line.DoesNotExist`` if there is none)."""
    found = lines(local_day).by_id.get(line_id)
    return found if found is not None else Line.objects.get(pk=line_id)


def body_of(line_id: int) -> int | None:
    """The partner body of line ``line_id`` (None: no such line)."""
    known = _store.get_or_make("bodies", lambda: dict(Line.objects.values_list("pk", "body_id")))
    if line_id in known:
        return known[line_id]
    return Line.objects.filter(pk=line_id).values_list("body_id", flat=True).first()


def ensure_line_states() -> None:
    """A LineState row for every line (idle, never used), so reservations can lock and update it."""
    missing = Line.objects.filter(state__isnull=True).values_list("pk", flat=True)
    LineState.objects.bulk_create([LineState(line_id=pk) for pk in missing], ignore_conflicts=True)


def line_states_ensured() -> None:
    """:func:`ensure_line_states`, once per cache period (every time when caching is off, or inside a
    transaction: a rollback would take the rows back but not the cache)."""
    if connection.in_atomic_block:
        ensure_line_states()
        return
    _store.get_or_make("line-states", lambda: ensure_line_states() or True)


def connect_signals() -> None:
    """Empty this process's cache whenever the configuration is written (called by the app's ready)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    def forget(**_kwargs) -> None:
        clear()

    for model in (Field, OverflowPolicy, MenuVersion, MenuOption, PartnerBody, Line, Shift, ShiftException):
        for signal in (post_save, post_delete):
            signal.connect(forget, sender=model, weak=False, dispatch_uid=f"helpline-config-{model.__name__}")
    m2m_changed.connect(
        forget, sender=Line.fields.through, weak=False, dispatch_uid="helpline-config-line-fields"
    )
