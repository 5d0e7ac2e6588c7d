"""Reads for the report page: waves with submitted responses, and a wave's answers for estimation.

Only what the estimates need leaves the database: each submitted response's answers and its sample
stratum, never an access code or a time stamp; the page shows aggregates only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from tsunagari.survey.models import Response, SampleFrame, Wave


@dataclass(frozen=True)
class WaveAnswers:
    answers: list[dict]
    strata: list[str]
    stratum_sizes: dict[str, int]


def waves_with_responses() -> list[Wave]:
    """Waves with at least one submitted response, newest first; ``submitted`` annotated."""
    return list(
        Wave.objects.annotate(
            submitted=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED))
        )
        .filter(submitted__gt=0)
        .order_by("-created_at")
    )


def wave_answers(wave: Wave) -> WaveAnswers | None:
    """The submitted answers with their strata and the frame's stratum sizes; None without a frame."""
    frame = SampleFrame.objects.filter(wave=wave).first()
    if frame is None:
        return None
    rows = (
        Response.objects.filter(wave=wave, status=Response.Status.SUBMITTED)
        .order_by("pk")
        .values_list("answers", "access_code__member__stratum")
    )
    answers, strata = [], []
    for answer, stratum in rows:
        answers.append(answer or {})
        strata.append(stratum or "")
    sizes = {str(k): int(v) for k, v in (frame.stratum_sizes or {}).items()}
    return WaveAnswers(answers, strata, sizes)
