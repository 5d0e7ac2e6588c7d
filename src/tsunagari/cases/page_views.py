"""The case staff pages under /cases/ (Japanese only, plain HTML forms, no JavaScript).

Access: anonymous users are sent to the login page; a user without any of a page's permissions gets
403; a case, referral or share the policy does not let the user see is a 404 (existence is not
revealed). Every read of personal data goes through ``cases.selectors`` / ``council_selectors``
(audited), every write through the services (audited). Pages: case list (own bodies), the case's
timeline (sections, contacts, referrals with their status history), a new section (the record form
of its kind), referral request and moves (optimistic locking: a conflict is shown, nothing lost),
consents and sharing with a council. The council members' pages are ``council_views``; the
coordinators' dashboard ``dashboard_views``.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tsunagari.cases import (
    council_selectors,
    page_forms,
    policy,
    record_forms,
    referral_states,
    referrals,
    selectors,
    services,
    sharing_services,
)
from tsunagari.cases.errors import InvalidRecordError, StaleRecordError
from tsunagari.cases.models import Case, Section
from tsunagari.cases.referral_models import Referral
from tsunagari.helpline.models import PartnerBody

CASEWORK = "cases.view_case"
REFUSED_MOVES = {
    "terminal": _("このつなぎはすでに終了しています。"),
    "not_allowed": _("この状態からは、その操作はできません。"),
    "wrong_party": _("その操作は相手側の団体が行います。"),
    "reason_required": _("辞退・不成立には理由を書いてください。"),
    "unknown_status": _("その操作はできません。"),
}


def staff_view(*permissions: str):
    """Login required (redirect), then any one of ``permissions`` (else 403); never cached; an
    object the user may not see (``ObjectDoesNotExist`` from a selector or service) is a 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not any(request.user.has_perm(p) for p in permissions):
                raise PermissionDenied
            try:
                return view(request, *args, **kwargs)
            except ObjectDoesNotExist:
                raise Http404 from None

        return never_cache(wrapped)

    return decorator


def _timeline_url(case_id) -> str:
    return reverse("cases:case_timeline", kwargs={"case_id": case_id})


def _describe(section: Section):
    """The assessment's data laid out by its own form version (None for other kinds)."""
    if section.data is None or not section.form_version:
        return None
    try:
        return record_forms.load_form(section.form_version).describe(section.data)
    except (record_forms.FormDefinitionError, FileNotFoundError):
        return None


@require_GET
@staff_view(CASEWORK)
def case_list(request):
    return render(request, "cases/case_list.html", {"cases": selectors.open_cases(request.user)})


def _moves_for(user, referral: Referral) -> list[tuple[str, str]]:
    """The moves the user may make on the handover, as (target, label)."""
    parties = policy.referral_parties(user, referral)
    targets = set()
    for party in parties:
        targets |= referral_states.allowed_next(referral.status, party)
    return [(t.value, page_forms.TARGET_LABELS[t.value]) for t in referral_states.Status if t in targets]


def _timeline_context(request, case_id, **extra):
    page = selectors.case_page(request.user, case_id)
    case = page.case
    entries = [
        {"item": item, "described": _describe(item.section) if item.section else None} for item in page.items
    ]
    handovers = [
        {"referral": r, "events": events, "moves": _moves_for(request.user, r)}
        for r, events in page.handovers
    ]
    return {
        "case": case,
        "entries": entries,
        "handovers": handovers,
        "may_change": policy.may_change_case(request.user, case),
        "may_share": policy.may_share_case(request.user, case)
        or policy.may_record_consent(request.user, case),
        "section_kinds": Section.Kind.choices,
        **extra,
    }


@require_GET
@staff_view(CASEWORK)
def case_timeline(request, case_id):
    return render(request, "cases/case_timeline.html", _timeline_context(request, case_id))


@require_http_methods(["GET", "POST"])
@staff_view("cases.change_case")
def section_new(request, case_id, kind: str):
    if kind not in Section.Kind.values:
        raise Http404
    case = Case.objects.only("id", "body_id").get(pk=case_id)
    if not policy.may_view_case(request.user, case):
        raise Http404
    if not policy.may_change_case(request.user, case):
        raise PermissionDenied
    definition = None
    if kind in services.SECTION_KINDS_WITH_FORM:
        definition = record_forms.load_form(record_forms.current_version())
    notice = None
    if request.method == "POST":
        form = page_forms.SectionForm(request.POST, definition=definition)
        if definition is not None and request.POST.get("form_version") != definition.version:
            notice = _("記録票が新しい版になりました。内容を確かめて、もう一度保存してください。")
        elif form.is_valid():
            try:
                services.add_section(
                    request.user,
                    case.pk,
                    kind,
                    occurred_at=form.cleaned_data["occurred_at"],
                    body=form.cleaned_data["body"],
                    data=form.record_data(),
                )
            except InvalidRecordError as exc:
                form.add_definition_errors(exc.errors)
            else:
                messages.success(request, _("記録を追加しました。"))
                return redirect(_timeline_url(case.pk))
    else:
        form = page_forms.SectionForm(definition=definition)
    return render(
        request,
        "cases/section_form.html",
        {
            "form": form,
            "case": case,
            "kind_label": Section.Kind(kind).label,
            "definition": definition,
            "notice": notice,
            "kind": kind,
        },
        status=400 if form.is_bound and (form.errors or notice) else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_view("cases.change_case")
def referral_new(request, case_id):
    case = Case.objects.only("id", "body_id").get(pk=case_id)
    if not policy.may_view_case(request.user, case):
        raise Http404
    if not policy.may_change_case(request.user, case):
        raise PermissionDenied
    bodies = PartnerBody.objects.exclude(pk=case.body_id).order_by("name")
    form = page_forms.ReferralRequestForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        referrals.request(
            request.user,
            case.pk,
            form.cleaned_data["kind"],
            to_body=bodies.get(pk=form.cleaned_data["to_body"]),
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("つなぎを依頼しました。"))
        return redirect(_timeline_url(case.pk))
    return render(
        request,
        "cases/referral_form.html",
        {"form": form, "case": case},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_view(CASEWORK, "cases.view_referral")
def referral_detail(request, referral_id):
    """One handover for the case's staff or either party: its status history (the closed loop)
    and the moves the user may make. A POST makes a move: a refused move (400) or a stale version
    (409: someone moved it since the page was read) is shown on the page, nothing is written."""
    error, status = None, 200
    form = None
    if request.method == "POST":
        referral = Referral.objects.get(pk=referral_id)
        if not policy.may_view_referral(request.user, referral):
            raise Http404
        form = page_forms.TransitionForm(request.POST)
        if form.is_valid():
            try:
                referrals.transition(
                    request.user,
                    referral.pk,
                    form.cleaned_data["version"],
                    form.cleaned_data["target"],
                    note=form.cleaned_data["note"].strip(),
                )
            except StaleRecordError as exc:
                error, status = str(exc), 409
            except referral_states.TransitionRefused as exc:
                error, status = str(REFUSED_MOVES.get(exc.code, REFUSED_MOVES["unknown_status"])), 400
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("つなぎの状態を変更しました。"))
                return redirect("cases:referral_detail", referral_id=referral.pk)
        else:
            error, status = " ".join(str(e) for errors in form.errors.values() for e in errors), 400
    referral, events = selectors.referral_detail(request.user, referral_id)
    return render(
        request,
        "cases/referral_detail.html",
        {
            "referral": referral,
            "events": events,
            "moves": _moves_for(request.user, referral),
            "error": error,
            "may_view_case": policy.may_view_case(request.user, referral.case),
            "note": form.data.get("note", "") if form is not None else "",
        },
        status=status,
    )


# -- consents and sharing --------------------------------------------------------------------------


def _share_context(request, case, consent_form=None, share_form=None):
    user = request.user
    consents = council_selectors.consents_of_case(user, case.pk)
    councils = council_selectors.councils_to_share_with(user)
    sections = list(
        Section.objects.filter(case=case).only("id", "kind", "occurred_at").order_by("occurred_at")
    )
    may_override = policy.may_override_consent(user, case)
    return {
        "case": case,
        "consents": consents,
        "shares": council_selectors.shares_of_case(user, case.pk),
        "may_record_consent": policy.may_record_consent(user, case),
        "may_share": policy.may_share_case(user, case),
        "may_override": may_override,
        "consent_form": consent_form or page_forms.ConsentForm(councils=councils),
        "share_form": share_form
        or page_forms.ShareForm(
            councils=councils, sections=sections, consents=consents, may_override=may_override
        ),
    }


def _case_for_sharing(request, case_id) -> Case:
    case = Case.objects.only("id", "body_id").get(pk=case_id)
    if not policy.may_view_case(request.user, case):
        raise Http404
    if not (policy.may_share_case(request.user, case) or policy.may_record_consent(request.user, case)):
        raise PermissionDenied
    return case


@require_http_methods(["GET", "POST"])
@staff_view("cases.add_caseshare", "cases.add_consent")
def case_sharing(request, case_id):
    case = _case_for_sharing(request, case_id)
    if request.method == "GET":
        return render(request, "cases/case_sharing.html", _share_context(request, case))
    if not policy.may_share_case(request.user, case):
        raise PermissionDenied
    user = request.user
    consents = council_selectors.consents_of_case(user, case.pk)
    sections = list(
        Section.objects.filter(case=case).only("id", "kind", "occurred_at").order_by("occurred_at")
    )
    form = page_forms.ShareForm(
        request.POST,
        councils=council_selectors.councils_to_share_with(user),
        sections=sections,
        consents=consents,
        may_override=policy.may_override_consent(user, case),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            sharing_services.share_case(
                user,
                case.pk,
                data["council"],
                data["sections"],
                consent_id=data["consent"] if data["basis"] == "consent" else None,
                override_reason=data.get("override_reason", "") if data["basis"] == "override" else "",
            )
        except sharing_services.ShareRefused as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("同意によらずに共有する権限がありません。"))
        else:
            messages.success(request, _("協議会に共有しました。"))
            return redirect("cases:case_sharing", case_id=case.pk)
    return render(
        request, "cases/case_sharing.html", _share_context(request, case, share_form=form), status=400
    )


@require_POST
@staff_view("cases.add_consent")
def consent_new(request, case_id):
    case = _case_for_sharing(request, case_id)
    if not policy.may_record_consent(request.user, case):
        raise PermissionDenied
    form = page_forms.ConsentForm(
        request.POST, councils=council_selectors.councils_to_share_with(request.user)
    )
    if form.is_valid():
        data = form.cleaned_data
        sharing_services.record_consent(
            request.user,
            case.pk,
            data["council"],
            purpose=data["purpose"],
            given_by=data["given_by"],
            recorded_how=data["recorded_how"],
            given_at=data["given_at"],
        )
        messages.success(request, _("同意を記録しました。"))
        return redirect("cases:case_sharing", case_id=case.pk)
    return render(
        request, "cases/case_sharing.html", _share_context(request, case, consent_form=form), status=400
    )


@require_POST
@staff_view("cases.change_consent")
def consent_withdraw(request, consent_id):
    from tsunagari.cases.sharing_models import Consent

    case_id = Consent.objects.values_list("case_id", flat=True).get(pk=consent_id)
    sharing_services.withdraw_consent(request.user, consent_id)
    messages.success(request, _("同意の撤回を記録しました。この同意による共有は終了しました。"))
    return redirect("cases:case_sharing", case_id=case_id)


@require_POST
@staff_view("cases.change_caseshare")
def share_end(request, share_id):
    share = sharing_services.end_share(request.user, share_id)
    messages.success(request, _("共有を取り消しました。"))
    return redirect("cases:case_sharing", case_id=share.case_id)
