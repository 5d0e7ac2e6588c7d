"""Staff page: the hours of the coming week when a field has no staffed line."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django.utils import timezone

from tsunagari.helpline.coverage import ExceptionSpec, ShiftSpec, coverage
from tsunagari.helpline.models import Field, Line


def _specs(first, days: int) -> tuple[list[ShiftSpec], list[ExceptionSpec]]:
    lines = Line.objects.filter(active=True).prefetch_related("fields", "shifts", "exceptions")
    shifts, exceptions = [], []
    last = first + timedelta(days=days)
    for line in lines:
        codes = frozenset(f.code for f in line.fields.all())
        shifts += [ShiftSpec(str(line.pk), codes, s.weekday, s.start, s.end) for s in line.shifts.all()]
        by_day: dict = {}
        for e in line.exceptions.all():
            if first - timedelta(days=1) <= e.date <= last:
                spans = by_day.setdefault(e.date, [])
                if e.staffed:
                    spans.append((e.start, e.end))
        exceptions += [ExceptionSpec(str(line.pk), day, tuple(spans)) for day, spans in by_day.items()]
    return shifts, exceptions


@staff_member_required
def coverage_page(request):
    first = timezone.localdate()
    days = 7
    result = coverage(*_specs(first, days), first, days)
    fields = list(Field.objects.all())
    tables = [
        (
            field,
            [(day, [result.lines(day, hour, field.code) for hour in range(24)]) for day in result.days],
            len(result.gaps([field.code])[field.code]),
        )
        for field in fields
    ]
    return render(request, "helpline/coverage.html", {"tables": tables, "hours": range(24), "first": first})
