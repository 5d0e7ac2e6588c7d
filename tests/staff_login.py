"""Logging staff users in for tests, as the real login flow would leave them.

``login_staff(client, user)`` is the one way tests log a staff user in: the password step done and,
where the user's role needs a second factor (``tsunagari.core.two_factor.needs_two_factor``), that
factor verified too, so tests of staff pages do not each reimplement the login flow.

The second factor is marked in the session exactly as ``django_otp.login`` marks it (the persistent
id of a confirmed TOTP device of the user, created here if the user has none). The real code step
(a TOTP code computed from the device key) is tested in ``tests/core/test_two_factor.py``.
"""

from __future__ import annotations

TEST_DEVICE_NAME = "test device"


def totp_device(user):
    """The user's confirmed TOTP device (created if the user has none)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TEST_DEVICE_NAME, confirmed=True)
    return device


def login_staff(client, user) -> None:
    """Log ``user`` in on the test ``client``, with the second factor verified where needed."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from tsunagari.core.two_factor import needs_two_factor

    client.force_login(user)
    if needs_two_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
