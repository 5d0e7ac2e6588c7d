"""Pages of つながりサポーター training. Thin: reads through ``training_selectors``, writes
through ``training_services``.

- ``courses`` (public): the active courses with their parts and upcoming sessions, each linking to
  the session's event page, where people register (capacity and waiting list are the events').
- ``verify`` (public): anyone enters a certificate's code and sees only valid / revoked / unknown
  (or "looks mistyped"), the course, the completion date and the holder's name as printed. The
  code is sent by POST so it does not land in addresses, histories or access logs; nothing about
  the lookup is logged or stored, and no cookie is set (the form is exempt from CSRF: a read-only
  lookup has nothing to forge). Why no rate limit is needed: ``certificate_codes``.
- Staff pages (login, then a model permission, else 403; never cached): courses, a course's
  sessions and participants, attendance per session, certificate PDF, revocation. Every page that
  shows personal data records the access in the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari.cases import audit
from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.network import certificate_codes, policy, training_selectors, training_services
from tsunagari.network.certificate_pdf import certificate_pdf
from tsunagari.network.models import Certificate, Course, Registration, TrainingSession
from tsunagari.network.services import NetworkRuleError
from tsunagari.network.staff_access import staff_view
from tsunagari.network.training_forms import AttendanceForm, RevokeForm, VerifyForm


@require_http_methods(["GET"])
def courses(request):
    """Public: active courses, their parts and upcoming sessions (registration on the event page)."""
    context = {"courses": training_selectors.public_courses(timezone.now()), "crisis_lines": crisis_lines()}
    return render(request, "network/training/courses.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    form = VerifyForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = training_selectors.verify(form.cleaned_data["code"])
        else:
            status = 400
    context = {"form": form, "result": result, "crisis_lines": crisis_lines()}
    return render(request, "network/training/verify.html", context, status=status)


@staff_view("network.view_course")
def staff_courses(request):
    courses = Course.objects.select_related("platform").order_by("-is_active", "title", "pk")
    return render(request, "network/training/staff_courses.html", {"courses": courses})


@staff_view("network.view_course", "network.view_certificate")
def staff_course(request, course_id: int):
    course = get_object_or_404(Course, pk=course_id)
    rows = training_selectors.roster(course)
    audit.record(
        audit.actor_of(request.user), audit.READ, "network.course_roster", course.pk, ["name", "email"]
    )
    context = {
        "course": course,
        "parts": course.parts.all(),
        "sessions": training_selectors.sessions(course),
        "rows": rows,
    }
    return render(request, "network/training/staff_course.html", context)


@require_POST
@staff_view("network.view_course", "network.add_certificate")
def staff_issue(request, course_id: int):
    course = get_object_or_404(Course, pk=course_id)
    issued = training_services.issue_for_completed(course, request.user)
    messages.success(request, f"修了証を{len(issued)}件発行しました。")
    return redirect("network:training_staff_course", course.pk)


@require_http_methods(["GET", "POST"])
@staff_view("network.view_registration", "network.change_registration")
def staff_attendance(request, session_id: int):
    session = get_object_or_404(
        TrainingSession.objects.select_related("part__course", "event__platform"), pk=session_id
    )
    if not policy.may_manage_event(request.user, session.event):
        raise Http404  # participants' names and e-mail: only for those who manage the platform
    registrations = list(session.event.registrations.filter(status=Registration.Status.CONFIRMED))
    form = AttendanceForm(registrations, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            training_services.record_attendance(session, form.attended_ids(), request.user)
            messages.success(request, "出席を記録しました。")
            return redirect("network:training_staff_attendance", session.pk)
        status = 400
    audit.record(
        audit.actor_of(request.user),
        audit.READ,
        "network.event_attendance",
        session.event_id,
        ["name", "email"],
    )
    context = {"session": session, "form": form, "registrations": registrations}
    return render(request, "network/training/staff_attendance.html", context, status=status)


@staff_view("network.view_certificate")
def staff_certificate_pdf(request, certificate_id: int):
    certificate = get_object_or_404(Certificate, pk=certificate_id)
    if certificate.is_revoked:
        raise PermissionDenied("a revoked certificate is not printed")
    audit.record(
        audit.actor_of(request.user), audit.READ, "network.certificate", certificate.pk, ["holder_name"]
    )
    pdf = certificate_pdf(certificate, request.build_absolute_uri(reverse("network:certificate_verify")))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.pk}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@staff_view("network.view_certificate", "network.change_certificate")
def staff_revoke(request, certificate_id: int):
    certificate = get_object_or_404(Certificate.objects.select_related("course"), pk=certificate_id)
    form = RevokeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                training_services.revoke_certificate(certificate, request.user, form.cleaned_data["reason"])
            except NetworkRuleError:
                form.add_error(None, "この修了証はすでに失効しています。")
            else:
                messages.success(request, "修了証を失効させました。")
                return redirect("network:training_staff_course", certificate.course_id)
        status = 400
    audit.record(
        audit.actor_of(request.user), audit.READ, "network.certificate", certificate.pk, ["holder_name"]
    )
    context = {"certificate": certificate, "code": certificate_codes.display(certificate.code), "form": form}
    return render(request, "network/training/staff_revoke.html", context, status=status)
