"""Who must pass a second factor (TOTP) after the password, and whether a session has passed it.

Staff in roles that see personal data must verify a TOTP code (django-otp) before any staff page
(the admin included) serves them: members of the role groups in :data:`ROLES_REQUIRING_TWO_FACTOR`
and superusers. Analysts (aggregates only) and other users do not need it.
The middleware (``core.two_factor_middleware``) treats a user who needs the factor and has not
passed it as anonymous, so every page that requires login sends them to the code step.

Verification is stored in the session exactly as ``django_otp.login`` stores it (the device's
``persistent_id`` under ``django_otp.DEVICE_ID_SESSION_KEY``).
"""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY

ROLES_REQUIRING_TWO_FACTOR: frozenset[str] = frozenset(
    {
        "counsellor",
        "supervisor",
        "coordinator",
        "council_member",
        "municipal_officer",
        "auditor",
        # the network's staff see member bodies' contact people (names, e-mail, telephone)
        "platform_secretariat",
        "local_platform_officer",
        "member_body_editor",
    }
)
"""Role groups whose members see personal data and so must use a second factor."""

DEVICE_NAME = "TOTP"
"""Name of the TOTP device created at enrolment."""


def needs_two_factor(user) -> bool:
    """True if ``user`` (authenticated) must verify a TOTP code before using staff pages."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=ROLES_REQUIRING_TWO_FACTOR).exists()


def verified_device(session, user):
    """The device that verified ``user`` in ``session``, or None."""
    from django_otp.models import Device

    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id or user is None or not getattr(user, "is_authenticated", False):
        return None
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def is_pending(session, user) -> bool:
    """True if ``user`` logged in with a password but still owes the second factor.

    A verified session costs one query (its device), an unverified one without a device id none
    for the device and one for the user's groups."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    device = getattr(user, "otp_device", _UNSET)
    if device is _UNSET:
        device = verified_device(session, user)
    # else: django_otp's middleware already loaded it from this session and checked that it is
    # the user's and confirmed (one query per request instead of two)
    return device is None and needs_two_factor(user)


_UNSET = object()


def confirmed_devices(user):
    """The user's confirmed TOTP devices."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.devices_for_user(user, confirmed=True)
