"""Models of the network app, one module per area; import them from here."""

from tsunagari.network.models.events import Event, EventMaterial, Registration
from tsunagari.network.models.newsletter import Delivery, Issue, Newsletter, Subscriber
from tsunagari.network.models.platforms import (
    Committee,
    CommitteeSeat,
    ContactPerson,
    MemberBody,
    MemberBodyTopic,
    Membership,
    Platform,
)

__all__ = [
    "Committee",
    "CommitteeSeat",
    "ContactPerson",
    "Delivery",
    "Event",
    "EventMaterial",
    "Issue",
    "MemberBody",
    "MemberBodyTopic",
    "Membership",
    "Newsletter",
    "Platform",
    "Registration",
    "Subscriber",
]
