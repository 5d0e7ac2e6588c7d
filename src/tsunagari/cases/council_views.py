"""Council pages under /cases/councils/, /cases/meetings/ and /cases/shared/ (Japanese only).

- "shared with my council": the shares in force with the user's councils (a short case reference,
  never a name) and one share's sections — only those sections, each read audited
  (``council_selectors.shared_case``); a share of another council or one that ended is a 404.
- councils: the user's councils and, with ``cases.add_council``, a form to set one up (single or
  joint); a council's composition and meetings for its members, its secretariat and who may share
  with it (else 404); its secretariat adds member bodies and people, ends memberships and records
  meetings (``council_services``; others 403). A meeting's minutes are read audited; the
  secretariat edits them with optimistic locking (a conflict is shown, 409, nothing lost).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tsunagari.cases import council_forms, council_selectors, council_services, policy
from tsunagari.cases.council_models import CouncilMember
from tsunagari.cases.errors import StaleRecordError
from tsunagari.cases.page_views import _describe, staff_view


@require_GET
@staff_view("cases.view_shared_sections")
def shared_list(request):
    return render(
        request,
        "cases/shared_list.html",
        {
            "shares": council_selectors.shared_with_me(request.user),
            "councils": council_selectors.councils_of(request.user),
        },
    )


@require_GET
@staff_view("cases.view_shared_sections")
def shared_detail(request, share_id):
    shared = council_selectors.shared_case(request.user, share_id)
    entries = [{"section": s, "described": _describe(s)} for s in shared.sections]
    return render(request, "cases/shared_detail.html", {"shared": shared, "entries": entries})


@require_http_methods(["GET", "POST"])
@staff_view("cases.view_council", "cases.add_council")
def council_list(request):
    may_add = policy.may_add_council(request.user)
    form = council_forms.CouncilForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if form is None:
            _forbidden()
        if form.is_valid():
            try:
                council = council_services.create_council(
                    request.user, form.cleaned_data["name"], form.cleaned_data["local_governments"]
                )
            except ValidationError as exc:
                form.add_error("local_governments", exc)
            else:
                messages.success(request, _("協議会を登録しました。"))
                return redirect("cases:council_detail", council_id=council.pk)
    return render(
        request,
        "cases/council_list.html",
        {"councils": council_selectors.councils_of(request.user), "form": form},
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _forbidden():
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def _council_page(request, council_id, status=200, **forms):
    council, bodies, members, meetings = council_selectors.council_detail(request.user, council_id)
    may_manage = policy.may_manage_council(request.user, council)
    if may_manage:
        forms.setdefault("body_form", council_forms.MemberBodyForm())
        forms.setdefault("member_form", council_forms.MemberForm(bodies=bodies))
        forms.setdefault("meeting_form", council_forms.MeetingForm())
    return render(
        request,
        "cases/council_detail.html",
        {
            "council": council,
            "bodies": bodies,
            "members": members,
            "meetings": meetings,
            "may_manage": may_manage,
            **forms,
        },
        status=status,
    )


@require_GET
@staff_view("cases.view_council")
def council_detail(request, council_id: int):
    return _council_page(request, council_id)


def _managed_council(request, council_id: int):
    """404 when the user may not see the council, 403 when they may see but not run it."""
    council, bodies, _members, _meetings = council_selectors.council_detail(request.user, council_id)
    if not policy.may_manage_council(request.user, council):
        _forbidden()
    return council, bodies


@require_POST
@staff_view("cases.change_council")
def member_body_new(request, council_id: int):
    council, _bodies = _managed_council(request, council_id)
    form = council_forms.MemberBodyForm(request.POST)
    if form.is_valid():
        if council.member_bodies.filter(name=form.cleaned_data["name"]).exists():
            form.add_error("name", _("同じ名称の構成機関がすでにあります。"))
        else:
            council_services.add_member_body(request.user, council.pk, form.cleaned_data["name"])
            messages.success(request, _("構成機関を追加しました。"))
            return redirect("cases:council_detail", council_id=council.pk)
    return _council_page(request, council.pk, status=400, body_form=form)


@require_POST
@staff_view("cases.change_council")
def member_new(request, council_id: int):
    council, bodies = _managed_council(request, council_id)
    form = council_forms.MemberForm(request.POST, bodies=bodies)
    if form.is_valid():
        data = form.cleaned_data
        try:
            council_services.add_member(
                request.user, council.pk, data["username"], data["role"], member_body=data["member_body"]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("構成員を追加しました。"))
            return redirect("cases:council_detail", council_id=council.pk)
    return _council_page(request, council.pk, status=400, member_form=form)


@require_POST
@staff_view("cases.change_council")
def membership_end(request, membership_id: int):
    membership = CouncilMember.objects.get(pk=membership_id)
    _managed_council(request, membership.council_id)
    council_services.end_membership(request.user, membership.pk)
    messages.success(request, _("構成員の登録を終了しました。この人は共有された記録を見られなくなりました。"))
    return redirect("cases:council_detail", council_id=membership.council_id)


@require_POST
@staff_view("cases.add_meeting")
def meeting_new(request, council_id: int):
    council, _bodies = _managed_council(request, council_id)
    if not policy.may_record_meeting(request.user, council):
        _forbidden()
    form = council_forms.MeetingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        meeting = council_services.record_meeting(
            request.user, council.pk, held_at=data["held_at"], title=data["title"], minutes=data["minutes"]
        )
        messages.success(request, _("会議を記録しました。"))
        return redirect("cases:meeting_detail", meeting_id=meeting.pk)
    return _council_page(request, council.pk, status=400, meeting_form=form)


@require_http_methods(["GET", "POST"])
@staff_view("cases.view_meeting")
def meeting_detail(request, meeting_id):
    meeting = council_selectors.meeting(request.user, meeting_id)
    may_manage = policy.may_edit_minutes(request.user, meeting)
    form, conflict, status = None, None, 200
    if may_manage:
        form = council_forms.MinutesForm(
            request.POST or None, initial={"version": meeting.version, "minutes": meeting.minutes}
        )
    if request.method == "POST":
        if form is None:
            _forbidden()
        if form.is_valid():
            try:
                council_services.update_minutes(
                    request.user, meeting.pk, form.cleaned_data["version"], form.cleaned_data["minutes"]
                )
            except StaleRecordError as exc:
                # keep what the user wrote, against the version now stored, and show the stored text
                conflict, status = str(exc), 409
                meeting = council_selectors.meeting(request.user, meeting_id)
                form = council_forms.MinutesForm(
                    initial={"version": meeting.version, "minutes": form.cleaned_data["minutes"]}
                )
            else:
                messages.success(request, _("議事録を保存しました。"))
                return redirect("cases:meeting_detail", meeting_id=meeting.pk)
        else:
            status = 400
    return render(
        request,
        "cases/meeting_detail.html",
        {"meeting": meeting, "form": form, "conflict": conflict, "show_stored": conflict is not None},
        status=status,
    )
