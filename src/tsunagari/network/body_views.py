"""Member body pages. Thin: reads through ``network.policy`` / ``selectors_public``, writes through
``body_services``.

- ``my_bodies`` (login): the bodies the user may edit (``policy.editable_bodies``) and the platforms
  they manage (``policy.manageable_platforms``), with links to their public member and resource lists.
- ``edit_body`` (login): a body's public profile and contact people. 404 when the policy denies,
  so the page does not reveal whether a body exists. Showing the contact people (personal data) is
  recorded in the audit log; so is changing them (``body_services.save_contacts``). Never cached.
- ``public_body`` (public): a listed body's profile, platforms and directory services; 404 for
  bodies without an open listed membership.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tsunagari.cases import audit
from tsunagari.core.vocabulary import TOPICS
from tsunagari.network import body_services, policy, selectors_public
from tsunagari.network.body_forms import BodyProfileForm, ContactFormSet, contacts_initial, profile_initial
from tsunagari.network.models import MemberBody
from tsunagari.network.services import NetworkRuleError

PER_PAGE = 50


def _login_required(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


@_login_required
def my_bodies(request):
    bodies = policy.editable_bodies(request.user).order_by("name_key", "pk")
    page = Paginator(bodies, PER_PAGE).get_page(request.GET.get("page"))
    platforms = policy.manageable_platforms(request.user).order_by("scope", "name", "pk")
    return render(request, "network/bodies/mine.html", {"page": page, "platforms": platforms})


@require_http_methods(["GET", "POST"])
@_login_required
def edit_body(request, body_id: int):
    body = get_object_or_404(MemberBody, pk=body_id)
    if not policy.may_edit_body(request.user, body):
        raise Http404
    actor = audit.actor_of(request.user)
    if request.method == "POST":
        form = BodyProfileForm(request.POST)
        contacts = ContactFormSet(request.POST, prefix="contacts")
        if form.is_valid() and contacts.is_valid():
            try:
                with transaction.atomic():
                    data = form.cleaned_data
                    body_services.update_profile(
                        body,
                        description=data["description"],
                        website=data["website"],
                        address=data["address"],
                        nationwide=data["nationwide"],
                        area_codes=data["area_codes"],
                        topics=data["topics"],
                    )
                    body_services.save_contacts(body, contacts.rows(), request.user)
            except NetworkRuleError as error:
                form.add_error(None, f"保存できませんでした: {error}")
            else:
                messages.success(request, "団体の紹介と担当者を保存しました。")
                return redirect("network:body_edit", body.pk)
        messages.error(request, "入力内容を確認してください。保存していません。")
        status = 400
    else:
        form = BodyProfileForm(initial=profile_initial(body))
        contacts = ContactFormSet(initial=contacts_initial(body), prefix="contacts")
        status = 200
    audit.record(actor, audit.READ, "network.body_contacts", body.pk, body_services.CONTACT_FIELDS)
    listed = selectors_public.is_listed(body.pk)
    areas = body.areas.select_related("parent").order_by("code")
    context = {"body": body, "form": form, "contacts": contacts, "listed": listed, "areas": areas}
    return render(request, "network/bodies/edit.html", context, status=status)


def public_body(request, body_id: int):
    body = selectors_public.public_body(body_id)
    if body is None:
        raise Http404
    context = {
        "body": body,
        "topics": [TOPICS[t.code] for t in body.topics.all() if t.code in TOPICS],
        "areas": sorted(body.areas.all(), key=lambda g: g.code),
        "memberships": selectors_public.body_memberships(body),
        "services": selectors_public.body_services(body),
    }
    return render(request, "network/bodies/public.html", context)
