"""Staff who owe the second factor are anonymous to every page until they pass it.

Installed after ``django_otp.middleware.OTPMiddleware``. For a user who logged in with a password,
needs a second factor (``core.two_factor``) and has not verified one in this session:

- ``request.user`` is an anonymous user, so no view (the admin included) grants them anything;
  ``request.password_user`` keeps the logged-in user for the two-factor views;
- a response that sends them to a login page (``settings.LOGIN_URL`` or the admin's), or refuses a
  GET with 403, becomes a redirect to the code step (enrolment if they have no device yet), with
  the page they wanted as ``next``;
- right after the password step (the request that logged them in) its redirect goes to the code
  step too, with the original target as ``next``.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from tsunagari.core import two_factor


def _unverified_anonymous() -> AnonymousUser:
    user = AnonymousUser()
    user.otp_device = None
    user.is_verified = lambda: False
    return user


def _login_paths() -> set[str]:
    paths = {urlsplit(resolve_url(settings.LOGIN_URL)).path}
    with suppress(NoReverseMatch):
        paths.add(reverse("admin:login"))
    return paths


def code_step_url(user, next_url: str) -> str:
    """The verify page, or the enrolment page for a user without a confirmed device."""
    name = "two_factor:verify" if two_factor.confirmed_devices(user).exists() else "two_factor:setup"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        password_user = request.user
        request.password_user = password_user
        effective = SimpleLazyObject(lambda: self._effective_user(request, password_user))
        request.user = effective
        response = self.get_response(request)
        if response.status_code not in (301, 302, 303, 403):
            return response  # the user is not even loaded for most responses
        if request.user is not effective:
            return self._after_login(request, response)
        return self._after_refusal(request, password_user, response)

    @staticmethod
    def _effective_user(request, user):
        if two_factor.is_pending(request.session, user):
            return _unverified_anonymous()
        return user

    @staticmethod
    def _after_login(request, response):
        """``login()`` (or ``logout()``) replaced request.user: send a pending user to the code step."""
        user = request.user
        if response.status_code == 403 or not two_factor.is_pending(request.session, user):
            return response
        return HttpResponseRedirect(code_step_url(user, response["Location"]))

    @staticmethod
    def _after_refusal(request, password_user, response):
        """A login redirect or a 403 for a user who owes the second factor: to the code step."""
        if response.status_code == 403:
            if request.method in ("GET", "HEAD") and two_factor.is_pending(request.session, password_user):
                return HttpResponseRedirect(code_step_url(password_user, request.get_full_path()))
            return response
        target = urlsplit(response["Location"])
        if target.path not in _login_paths() or not two_factor.is_pending(request.session, password_user):
            return response
        return HttpResponseRedirect(code_step_url(password_user, QueryDict(target.query).get("next", "")))
