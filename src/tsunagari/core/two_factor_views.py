"""The second login step: verify a TOTP code, or enrol a TOTP device (shown as a QR code, the
otpauth:// URI and the secret) and confirm it with a first code.

Both pages serve only a user who logged in with a password (``request.password_user``, set by
``core.two_factor_middleware``); on success the session is marked verified as ``django_otp.login``
does and the user goes on to ``next`` (a same-site URL, else ``settings.LOGIN_REDIRECT_URL``). A
user with a confirmed device cannot enrol another one before verifying (no bypass of the factor).
"""

from __future__ import annotations

import logging
from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagari.core import two_factor

audit = logging.getLogger("tsunagari.audit")


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("確認コード（6桁）"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("6桁の数字を入力してください。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "8"}
        ),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()


def _next_url(request) -> str:
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _mark_verified(request, device) -> None:
    """As ``django_otp.login`` does, with a new session key and CSRF token (the privilege rose)."""
    request.user = request.password_user
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)


def _password_user_or_login(request):
    user = getattr(request, "password_user", None)
    if user is None or not user.is_authenticated:
        return None, redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if not two_factor.is_pending(request.session, user):
        return None, redirect(_next_url(request))
    return user, None


@never_cache
@sensitive_post_parameters("token")
def verify(request):
    """Ask a user with a confirmed device for the current code."""
    user, response = _password_user_or_login(request)
    if response is not None:
        return response
    devices = list(two_factor.confirmed_devices(user))
    if not devices:
        return redirect(f"{reverse('two_factor:setup')}?{request.GET.urlencode()}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = next(
                (
                    d
                    for d in TOTPDevice.objects.select_for_update().filter(pk__in=[d.pk for d in devices])
                    if d.verify_token(form.cleaned_data["token"])
                ),
                None,
            )
        if device is not None:
            _mark_verified(request, device)
            return redirect(_next_url(request))
        audit.warning("two-factor code refused: user %(user_id)s", {"user_id": user.pk})
        form.add_error(
            "token", _("確認コードが正しくないか、期限が切れています。新しいコードを入力してください。")
        )
    return render(
        request,
        "two_factor/verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


def _qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (no style attributes: the CSP allows none)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=4, light="#fff", title="TOTP QR")


@never_cache
@sensitive_post_parameters("token")
def setup(request):
    """Enrol a TOTP device: show its key, then confirm it with a first code."""
    user, response = _password_user_or_login(request)
    if response is not None:
        return response
    if two_factor.confirmed_devices(user).exists():
        return redirect(f"{reverse('two_factor:verify')}?{request.GET.urlencode()}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=two_factor.DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            accepted = device.verify_token(form.cleaned_data["token"])
            if accepted:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
        if accepted:
            audit.info("two-factor device enrolled: user %(user_id)s", {"user_id": user.pk})
            _mark_verified(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _(
                "確認コードが正しくないか、期限が切れています。アプリに表示されている新しいコードを入力してください。"
            ),
        )
    uri = device.config_url
    return render(
        request,
        "two_factor/setup.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "otpauth_uri": uri,
            "secret": b32encode(device.bin_key).decode(),
            "qr_svg": mark_safe(_qr_svg(uri)),
        },
    )
