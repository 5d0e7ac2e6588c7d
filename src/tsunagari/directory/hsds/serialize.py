"""Directory models → Open Referral HSDS 3.1 objects (dicts holding only HSDS fields).

Ids are the model UUIDs. Taxonomies and terms have internal keys ("topic", "topic:suicide"), so
their HSDS ids are ``stable_uuid("taxonomy", key)`` / ``stable_uuid("taxonomy_term", key)`` and the
term's HSDS ``code`` is the internal key (``topic:suicide``): the shipped tabular schema makes
``taxonomy_terms.code`` unique across taxonomies, and topic and audience share codes (``elderly``).
Attribute ids are ``stable_uuid("attribute", "<link_id>:<term key>")``; an attribute nests its term
without ``taxonomy_detail`` (the term's ``taxonomy`` and ``taxonomy_id`` name its taxonomy).
Optional fields that are empty are left out; required text that is empty (``description`` of
organizations, taxonomies and terms) is written as the name, and the importer reads a description
equal to the name as empty.

**Japan-profile facts** (no HSDS field) are HSDS ``attribute`` objects whose term belongs to the
taxonomy ``tsunagari-profile`` (id ``stable_uuid("taxonomy", "tsunagari-profile")``), with the fact
in ``value`` (text; booleans ``true``/``false``, dates ``YYYY-MM-DD``). ``metadata`` is not used:
HSDS defines it as a change log. Term codes (``tsunagari-profile:<name>``) and their meaning:

* services: ``local_id`` (the source's own id, when not the UUID), ``crisis_line``, ``is_24h``
  (derived from the schedule; informative), ``free_of_charge`` and ``anonymous`` (when known),
  ``hours_text`` (hours as the source writes them), ``schedule`` (the machine-readable hours of
  ``tsunagari.directory.hours`` as JSON — authoritative; HSDS ``schedules`` are derived from it),
  ``area_scope`` (national/prefecture/municipality; derived), ``area_code`` (全国地方公共団体コード);
* services and organizations: ``source_name``, ``source_url``, ``source_retrieved``,
  ``attribution``, ``verification`` (verified/unverified), ``verification_note``;
* organizations: ``local_id``, ``last_verified``, ``area_code``.

A service's ``last_verified`` is HSDS ``assured_date``; ``last_modified`` is its last update (UTC).
Phone numbers are verbatim (a 内線 goes to ``extension``, a number in HSDS, when all digits).
Schedules have ``timezone: 9`` (Asia/Tokyo wall time). URLs with non-ASCII characters are written
percent-encoded (``iri_to_uri``), as HSDS ``uri`` fields must be RFC 3986 URIs.

The functions only use ``.all()`` on related managers, so a caller that prefetches (see
``SERVICE_PREFETCH``) gets no query per related object.
"""

from __future__ import annotations

import json
from datetime import UTC

from django.utils.encoding import iri_to_uri

from tsunagari.core.ids import stable_uuid

PROFILE = "tsunagari-profile"
PROFILE_TERMS: dict[str, str] = {
    "local_id": "The source's own identifier of the record.",
    "crisis_line": "Verified as a line for people in crisis (いのちの危機に対応する窓口).",
    "is_24h": "Open 24 hours (derived from the schedule).",
    "free_of_charge": "Free of charge (無料).",
    "anonymous": "Can be used anonymously (匿名で相談できる).",
    "hours_text": "Opening hours as the source writes them (受付時間).",
    "schedule": "Opening hours, machine-readable: JSON in the tsunagari.directory.hours format.",
    "area_scope": "Area scope: national, prefecture or municipality.",
    "area_code": "全国地方公共団体コード of the area covered (6 digits).",
    "source_name": "Where the facts come from (出典).",
    "source_url": "URL of the source.",
    "source_retrieved": "Date the source was retrieved.",
    "attribution": "Credit required by the source's licence.",
    "last_verified": "Date someone last confirmed the facts.",
    "verification": "verified or unverified (確認状況).",
    "verification_note": "Note on the verification.",
}
SERVICE_PREFETCH = (
    "phones", "schedules", "service_areas", "languages", "contacts", "attributes__term__taxonomy",
    "service_at_locations__location",
)  # fmt: skip


def _compact(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "")}


def _sorted(objects) -> list:
    """Rows of a related manager (``.all()``, so prefetching works) in a stable order: by id."""
    return sorted(objects, key=lambda obj: obj.pk)


def _uri(value: str) -> str:
    return iri_to_uri(value) if value else ""


def profile_taxonomy_to_hsds() -> dict:
    return {
        "id": stable_uuid("taxonomy", PROFILE),
        "name": PROFILE,
        "description": "Facts of the tsunagari Japan profile that HSDS has no field for.",
        "version": "1",
    }


def profile_term_to_hsds(name: str, detail: bool = True) -> dict:
    """A term of the profile taxonomy; ``detail`` nests the taxonomy as ``taxonomy_detail``."""
    key = f"{PROFILE}:{name}"
    data = {
        "id": stable_uuid("taxonomy_term", key),
        "code": key,
        "name": name,
        "description": PROFILE_TERMS[name],
        "taxonomy": PROFILE,
        "taxonomy_id": stable_uuid("taxonomy", PROFILE),
    }
    if detail:
        data["taxonomy_detail"] = profile_taxonomy_to_hsds()
    return data


def taxonomy_to_hsds(taxonomy) -> dict:
    return _compact(
        {
            "id": stable_uuid("taxonomy", taxonomy.id),
            "name": taxonomy.name,
            "description": taxonomy.description or taxonomy.name,
            "uri": _uri(taxonomy.uri),
            "version": taxonomy.version,
        }
    )


def taxonomy_term_to_hsds(term, detail: bool = True) -> dict:
    """A term (``code`` = internal key); ``detail`` nests its taxonomy as ``taxonomy_detail``."""
    data = {
        "id": stable_uuid("taxonomy_term", term.id),
        "code": term.id,
        "name": term.name,
        "description": term.description or term.name,
        "taxonomy": term.taxonomy.name,
        "taxonomy_id": stable_uuid("taxonomy", term.taxonomy_id),
    }
    if detail:
        data["taxonomy_detail"] = taxonomy_to_hsds(term.taxonomy)
    return data


def _attribute(entity: str, link_id: str, term: dict, value: str | None = None) -> dict:
    return _compact(
        {
            "id": stable_uuid("attribute", f"{link_id}:{term['code']}"),
            "link_id": link_id,
            "link_entity": entity,
            "taxonomy_term_id": term["id"],
            "value": value,
            "taxonomy_term": term,
        }
    )


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _profile(entity: str, obj, facts: dict) -> list[dict]:
    return [
        _attribute(entity, obj.pk, profile_term_to_hsds(name, detail=False), text)
        for name, value in facts.items()
        if (text := _text(value)) is not None
    ]


def _source_facts(obj) -> dict:
    return {
        "local_id": obj.local_id if obj.local_id != obj.pk else None,
        "source_name": obj.source_name,
        "source_url": obj.source_url,
        "source_retrieved": obj.source_retrieved,
        "attribution": obj.attribution,
        "verification": obj.verification,
        "verification_note": obj.verification_note,
    }


def phone_to_hsds(phone) -> dict:
    return _compact(
        {
            "id": phone.pk,
            "service_id": phone.service_id,
            "organization_id": phone.organization_id,
            "number": phone.number,
            "extension": int(phone.extension) if phone.extension.isdigit() else None,
            "type": phone.type,
            "description": phone.description,
        }
    )


def contact_to_hsds(contact) -> dict:
    return _compact(
        {
            "id": contact.pk,
            "service_id": contact.service_id,
            "organization_id": contact.organization_id,
            "name": contact.name,
            "title": contact.title,
            "department": contact.department,
            "email": contact.email,
        }
    )


def _organization_core(org) -> dict:
    facts = {**_source_facts(org), "last_verified": org.last_verified, "area_code": org.area_id}
    data = _compact(
        {
            "id": org.pk,
            "name": org.name,
            "alternate_name": org.alternate_name,
            "description": org.description or org.name,
            "email": org.email,
            "website": _uri(org.website),
        }
    )
    data["attributes"] = _profile("organization", org, facts)
    return data


def organization_to_hsds(org, services: bool = False) -> dict:
    """An HSDS organization with its phones, contacts and profile attributes; ``services=True``
    adds ``services`` (id, name, status of each), as HSDS's ``/organizations/{id}`` serves it."""
    data = _organization_core(org)
    data["phones"] = [phone_to_hsds(p) for p in org.phones.all()]
    data["contacts"] = [contact_to_hsds(c) for c in _sorted(org.contacts.all())]
    if services:
        listed = _sorted(org.services.all())
        data["services"] = [{"id": s.pk, "name": s.name, "status": s.status} for s in listed]
    return data


def schedule_to_hsds(schedule, notes: str | None = None) -> dict:
    return _compact(
        {
            "id": schedule.pk,
            "service_id": schedule.service_id,
            "freq": schedule.freq,
            "byday": schedule.byday,
            "bymonthday": schedule.bymonthday,
            "opens_at": schedule.opens_at,
            "closes_at": schedule.closes_at,
            "timezone": 9,
            "description": schedule.description,
            "notes": notes,
        }
    )


def location_to_hsds(location) -> dict:
    data = _compact(
        {
            "id": location.pk,
            "location_type": location.location_type,
            "organization_id": location.organization_id,
            "name": location.name,
            "description": location.description,
            "latitude": float(location.latitude) if location.latitude is not None else None,
            "longitude": float(location.longitude) if location.longitude is not None else None,
        }
    )
    address = {
        "id": stable_uuid("address", location.pk),
        "location_id": location.pk,
        "address_1": location.address_1,
        "city": location.city,
        "region": location.region,
        "state_province": location.region,
        "postal_code": location.postal_code,
        "country": "JP",
        "address_type": location.location_type,
    }
    data["addresses"] = [_compact(address)] if all(address.values()) else []
    return data


def service_to_hsds(service) -> dict:
    """A full HSDS service: organization (brief), phones, schedules, service areas, languages,
    contacts, service at locations and attributes (terms and profile facts)."""
    spec = service.schedule_spec if isinstance(service.schedule_spec, dict) else None
    updated = (
        service.updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if service.updated_at else None
    )
    data = _compact(
        {
            "id": service.pk,
            "organization_id": service.organization_id,
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "url": _uri(service.url),
            "email": service.email,
            "status": service.status,
            "application_process": service.application_process,
            "fees_description": service.fees_description,
            "eligibility_description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": _text(service.last_verified),
            "last_modified": updated,
        }
    )
    data["organization"] = _organization_core(service.organization)
    data["phones"] = [phone_to_hsds(p) for p in service.phones.all()]
    notes = spec.get("note") if spec else None
    data["schedules"] = [schedule_to_hsds(s, notes) for s in service.schedules.all()]
    data["service_areas"] = [
        _compact({"id": a.pk, "service_id": service.pk, "name": a.name, "description": a.description})
        for a in _sorted(service.service_areas.all())
    ]
    data["languages"] = [
        _compact({"id": lang.pk, "service_id": service.pk, "code": lang.code, "name": lang.name})
        for lang in sorted(service.languages.all(), key=lambda lang: lang.code)
    ]
    data["contacts"] = [contact_to_hsds(c) for c in _sorted(service.contacts.all())]
    data["service_at_locations"] = [
        _compact(
            {
                "id": sal.pk,
                "service_id": service.pk,
                "location_id": sal.location_id,
                "description": sal.description,
                "location": location_to_hsds(sal.location),
            }
        )
        for sal in _sorted(service.service_at_locations.all())
    ]
    terms = sorted(service.attributes.all(), key=lambda a: a.term_id)
    data["attributes"] = [
        _attribute("service", service.pk, taxonomy_term_to_hsds(a.term, detail=False)) for a in terms
    ]
    facts = {
        **_source_facts(service),
        "crisis_line": service.crisis_line,
        "is_24h": service.is_24h,
        "free_of_charge": service.free_of_charge,
        "anonymous": service.anonymous,
        "hours_text": service.hours_text,
        "schedule": json.dumps(spec, ensure_ascii=False, sort_keys=True) if spec is not None else None,
        "area_scope": service.area_scope,
        "area_code": service.area_id,
    }
    data["attributes"] += _profile("service", service, facts)
    return data
