"""Writes of a member body's public profile and contact people by the people who edit it.

``update_profile`` changes only what a member may change about its own body (description, website,
address, nationwide, areas and topics of activity) through ``services.save_body``, so the name and
address keys used for duplicate detection stay right and the topic rules hold. The name, corporate
number, memberships and the directory link are the secretariat's (admin).

``save_contacts`` replaces the body's contact people with the rows given (existing rows are
updated in place by id, rows left out are deleted, new rows created); at most one is primary, and
when there are contacts but none is marked, the first is. Contact people are personal data: the
write is recorded in the audit log (who, which body, which fields — never the values).

A broken rule raises ``services.NetworkRuleError`` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction

from tsunagari.cases import audit
from tsunagari.network import services
from tsunagari.network.models import ContactPerson, MemberBody

PROFILE_FIELDS = ("description", "website", "address", "nationwide")
CONTACT_FIELDS = ("name", "department", "email", "phone", "is_primary")


@dataclass(frozen=True)
class ContactRow:
    """One contact person as edited: ``id`` None for a new one."""

    name: str
    department: str = ""
    email: str = ""
    phone: str = ""
    is_primary: bool = False
    id: int | None = None


@transaction.atomic
def update_profile(
    body: MemberBody,
    *,
    description: str,
    website: str,
    address: str,
    nationwide: bool,
    area_codes: Iterable[str],
    topics: Iterable[str],
) -> MemberBody:
    """Replace ``body``'s public profile (see the module docstring)."""
    return services.save_body(
        body,
        topics=list(topics),
        area_codes=list(area_codes),
        description=description.strip(),
        website=website.strip(),
        address=address.strip(),
        nationwide=bool(nationwide),
    )


@transaction.atomic
def save_contacts(body: MemberBody, rows: Sequence[ContactRow], actor) -> list[ContactPerson]:
    """Make ``rows`` the body's contact people (see the module docstring); returns them in order."""
    existing = {c.pk: c for c in ContactPerson.objects.select_for_update().filter(body=body)}
    foreign = [row.id for row in rows if row.id is not None and row.id not in existing]
    if foreign:
        raise services.NetworkRuleError("a contact person of another body cannot be edited here")
    for row in rows:
        if not row.name.strip():
            raise services.NetworkRuleError("a contact person needs a name")
    if sum(1 for row in rows if row.is_primary) > 1:
        raise services.NetworkRuleError("only one contact person can be the primary contact")
    primary_index = next((i for i, row in enumerate(rows) if row.is_primary), 0)
    kept_ids = {row.id for row in rows if row.id is not None}
    removed = [pk for pk in existing if pk not in kept_ids]
    ContactPerson.objects.filter(pk__in=removed).delete()
    saved = []
    for index, row in enumerate(rows):
        values = {
            "name": row.name.strip(),
            "department": row.department.strip(),
            "email": row.email.strip(),
            "phone": row.phone.strip(),
            "is_primary": index == primary_index,
        }
        if row.id is None:
            saved.append(ContactPerson.objects.create(body=body, **values))
            continue
        contact = existing[row.id]
        changed = [field for field, value in values.items() if getattr(contact, field) != value]
        if changed:
            for field in changed:
                setattr(contact, field, values[field])
            contact.save(update_fields=changed)
        saved.append(contact)
    audit.record(
        audit.actor_of(actor),
        audit.UPDATE,
        "network.body_contacts",
        body.pk,
        CONTACT_FIELDS,
        reason=f"{len(saved)} kept or added, {len(removed)} removed",
    )
    return saved
