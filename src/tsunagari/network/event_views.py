"""Public event pages and the iCalendar feed. Thin: reads through ``event_selectors``, writes
through ``event_services``."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.network import event_mail, event_selectors, event_services, ical, waitlist
from tsunagari.network.forms import RegistrationForm
from tsunagari.network.models import Registration


def event_index(request):
    events = event_selectors.upcoming_events(timezone.now())
    for event in events:
        event.seats_left = event_selectors.seats_left(event)
    return render(request, "network/events.html", {"events": events, "crisis_lines": crisis_lines()})


@require_http_methods(["GET", "POST"])
def event_detail(request, event_id: int):
    event = event_selectors.public_event(event_id)
    if event is None:
        raise Http404
    form = RegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                registration = event_services.register(event, **form.cleaned_data)
            except event_services.AlreadyRegistered:
                form.add_error("email", _("このメールアドレスはすでに申し込まれています。"))
            except event_services.RegistrationClosed:
                form.add_error(None, _("申込は締め切りました。"))
            else:
                url = reverse("network:event", args=[event.pk])
                return redirect(f"{url}?registered={registration.status}")
        status = 400
    registered = request.GET.get("registered")
    context = {
        "event": event,
        "form": form,
        "seats_left": event_selectors.seats_left(event),
        "materials": event_selectors.public_materials(event),
        "registered": registered if registered in Registration.Status.values else None,
        "open": waitlist.registration_open(
            timezone.now(), event.starts_at, event.registration_closes_at, event.cancelled
        ),
        "crisis_lines": crisis_lines(),
    }
    return render(request, "network/event.html", context, status=status)


def event_feed(request):
    def page_url(event_id: int) -> str:
        return request.build_absolute_uri(reverse("network:event", args=[event_id]))

    text = ical.calendar(event_selectors.feed_events(timezone.now(), page_url), name=_("つながり イベント"))
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def cancel_registration(request, token: str):
    """GET shows the registration and a button; POST cancels it (the signed token is the
    authority, as for unsubscribing; a mail scanner's GET changes nothing)."""
    registration = event_mail.registration_for_token(token)
    if registration is None:
        raise Http404
    if request.method == "POST" and registration.status != Registration.Status.CANCELLED:
        event_services.cancel_registration(registration)
        registration.refresh_from_db()
    context = {"registration": registration, "event": registration.event, "crisis_lines": crisis_lines()}
    return render(request, "network/cancel.html", context)
