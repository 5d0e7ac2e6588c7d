"""Staff page: the hours of the coming week when a field has no staffed line."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django.utils import timezone

from tsunagari.helpline.coverage import LineSpec, coverage
from tsunagari.helpline.models import Field, Line


def _line_specs(first, days: int) -> list[LineSpec]:
    lines = Line.objects.filter(active=True).prefetch_related("fields", "shifts", "exceptions")
    specs = []
    for line in lines:
        exceptions: dict = {}
        for e in line.exceptions.all():
            if first - timedelta(days=1) <= e.date <= first + timedelta(days=days):
                spans = exceptions.setdefault(e.date, [])
                if e.staffed:
                    spans.append((e.start, e.end))
        specs.append(
            LineSpec(
                str(line.pk),
                frozenset(f.code for f in line.fields.all()),
                tuple((s.weekday, s.start, s.end) for s in line.shifts.all()),
                {day: tuple(spans) for day, spans in exceptions.items()},
            )
        )
    return specs


@staff_member_required
def coverage_page(request):
    first = timezone.localdate()
    days = 7
    result = coverage(_line_specs(first, days), first, days)
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
