"""Reads of survey collection: a wave's instrument, drafts for the answer pages, response rates."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db.models import Count, Q

from tsunagari.survey.instrument import Instrument, load_instrument
from tsunagari.survey.models import Response, SampleMember, Wave


def instrument_of(wave: Wave) -> Instrument:
    """The instrument version the wave runs on."""
    return load_instrument(wave.instrument, wave.instrument_version)


def wave(pk: int) -> Wave | None:
    return Wave.objects.select_related("local_government").filter(pk=pk).first()


def draft(pk: int) -> Response | None:
    """An unsubmitted online response with its wave, or ``None``."""
    return (
        Response.objects.select_related("wave")
        .filter(pk=pk, status=Response.Status.DRAFT, access_code__used_at__isnull=True, wave__is_open=True)
        .first()
    )


@dataclass(frozen=True)
class StratumRate:
    """Sampled members of a stratum and their submitted responses (``rate`` is a fraction)."""

    stratum: str
    sampled: int
    submitted: int
    online: int
    mail: int
    drafts: int

    @property
    def rate(self) -> float:
        return self.submitted / self.sampled if self.sampled else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "rate": self.rate}


def response_rates(wave: Wave) -> list[StratumRate]:
    """One row per stratum of the wave's sample, in stratum order, then the total (stratum ``None``)."""
    submitted = Q(access_code__response__status=Response.Status.SUBMITTED)
    rows = (
        SampleMember.objects.filter(sample__wave=wave)
        .values("stratum")
        .annotate(
            sampled=Count("pk"),
            submitted=Count("pk", filter=submitted),
            online=Count("pk", filter=submitted & Q(access_code__response__channel=Response.Channel.ONLINE)),
            mail=Count("pk", filter=submitted & Q(access_code__response__channel=Response.Channel.MAIL)),
            drafts=Count("pk", filter=Q(access_code__response__status=Response.Status.DRAFT)),
        )
        .order_by("stratum")
    )
    rates = [StratumRate(**row) for row in rows]
    if rates:
        fields = ("sampled", "submitted", "online", "mail", "drafts")
        rates.append(StratumRate(None, *(sum(getattr(r, f) for r in rates) for f in fields)))
    return rates
