"""Models of the network app, one module per area; import them from here."""

from tsunagari.network.models.access import BodyEditor, PlatformOfficer
from tsunagari.network.models.campaigns import (
    Campaign,
    CampaignItem,
    CampaignPage,
    EntryTag,
    EntryVisitCount,
)
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
from tsunagari.network.models.training import Certificate, Course, CoursePart, TrainingSession

__all__ = [
    "BodyEditor",
    "Campaign",
    "CampaignItem",
    "CampaignPage",
    "Certificate",
    "Committee",
    "CommitteeSeat",
    "ContactPerson",
    "Course",
    "CoursePart",
    "Delivery",
    "EntryTag",
    "EntryVisitCount",
    "Event",
    "EventMaterial",
    "Issue",
    "MemberBody",
    "MemberBodyTopic",
    "Membership",
    "Newsletter",
    "Platform",
    "PlatformOfficer",
    "Registration",
    "Subscriber",
    "TrainingSession",
]
