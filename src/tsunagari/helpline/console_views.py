"""The counsellor and coordinator console (staff only; plain HTML forms, no JavaScript).

Pages: incoming contacts, the record form of a contact (built from the current form definition),
a record (read-only, laid out by the version it was written with) and the coordinators' queue
with take/close actions. Access is by permission (see ``roles``): anonymous users are sent to the
login page, users without the permission get 403. Need-to-know (see ``access``): a counsellor lists
and records only the contacts their own partner bodies answered; another body's contact is a 404.
Every page view is written to the audit log (user id, action, object id); writes are logged by
``console_services``. The chats' pages are in ``chat_console_views``.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tsunagari.helpline import access, record_forms
from tsunagari.helpline import console_selectors as selectors
from tsunagari.helpline import console_services as services

ERROR_MESSAGES = {
    "required": _("この項目は必須です。"),
    "invalid_type": _("入力の形式が正しくありません。"),
    "invalid_choice": _("選択肢から選んでください。"),
    "max_choices": _("%(max)s 個まで選べます。"),
    "max_length": _("%(limit_value)s 文字以内で入力してください。"),
    "not_applicable": _("「%(controller)s」にチェックがないときは、空にしてください。"),
    "unknown_code": _("登録されている分野から選んでください。"),
    "unknown_field": _("この版の記録票にない項目です。"),
}

CONFLICT_MESSAGES = {
    "not_answered": _("この相談はまだ接続されていません。"),
    "already_recorded": _("この相談にはすでに記録があります。"),
    "case_not_waiting": _("この案件はすでに受け付けられています。"),
    "case_not_in_progress": _("この案件は対応中ではありません。"),
    "not_your_case": _("自分が受け付けた案件だけを終了できます。"),
}


def _login_url() -> str:
    """The staff login page (settings.LOGIN_URL: counsellors need not be admin staff)."""
    return settings.LOGIN_URL


def console_view(*permissions: str):
    """Login required (redirect), then any one of ``permissions`` (else 403); never cached."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), _login_url())
            if not any(request.user.has_perm(p) for p in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return never_cache(wrapped)

    return decorator


# -- the record form, built from a form definition ----------------------------------------------


# Django's own messages for the same problems, worded alike (and never repeating the value).
_DJANGO_MESSAGES = {
    "required": ERROR_MESSAGES["required"],
    "invalid_choice": ERROR_MESSAGES["invalid_choice"],
    "invalid_list": ERROR_MESSAGES["invalid_type"],
    "max_length": ERROR_MESSAGES["max_length"],
}


def _form_field(f: record_forms.FieldDef, field_choices: list[tuple[str, str]]) -> forms.Field:
    label = gettext(f.label)
    if f.required:
        label = gettext("%(label)s（必須）") % {"label": label}
    common = {
        "label": label,
        "help_text": escape(gettext(f.help)) if f.help else "",
        "required": f.required,
        "error_messages": _DJANGO_MESSAGES,
    }
    if f.type == "choice":
        choices = [(o.value, gettext(o.label)) for o in f.options]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if f.type == "multichoice":
        choices = [(o.value, gettext(o.label)) for o in f.options]
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if f.type == "text":
        widget = forms.Textarea(attrs={"rows": 5, "cols": 60}) if f.multiline else forms.TextInput
        return forms.CharField(max_length=f.max_length, widget=widget, **common)
    if f.type == "boolean":
        return forms.BooleanField(**{**common, "required": False})
    # "field": the line's consultation fields (分野), by code
    choices = [("", gettext("選んでください")), *field_choices]
    return forms.ChoiceField(choices=choices, **common)


class RecordForm(forms.Form):
    """The Django form of one form definition, plus the "serious → coordinator" flag. Field-level
    checks are Django's; the definition's validator (the one the service runs) adds the rest."""

    def __init__(self, definition: record_forms.FormDefinition, field_choices, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.field_codes = [code for code, _name in field_choices]
        for f in definition.fields:
            self.fields[f.id] = _form_field(f, field_choices)
        self.fields["serious"] = forms.BooleanField(
            required=False,
            label=_("深刻な相談として、つなぎ支援コーディネーターにつなぐ"),
            help_text=_(
                "いのちの危険がある、ほかの機関との調整が必要など、コーディネーターの対応が必要なときに"
                "チェックします。保存すると、コーディネーターの受付待ちに入ります。"
            ),
        )

    def sections(self):
        """(legend, bound fields) per section of the definition."""
        return [(gettext(s.legend), [self[f.id] for f in s.fields]) for s in self.definition.sections]

    def record_data(self) -> dict:
        return {f.id: self.cleaned_data[f.id] for f in self.definition.fields if f.id in self.cleaned_data}

    def clean(self):
        cleaned = super().clean()
        result = self.definition.validate(self.record_data(), field_codes=self.field_codes)
        self.add_definition_errors(result.errors)
        return cleaned

    def add_definition_errors(self, errors) -> None:
        for error in errors:
            if error.field in self.fields and error.field in self.errors:
                continue  # Django's own message for this field is already shown
            self.add_error(error.field if error.field in self.fields else None, self._message(error))

    def _message(self, error: record_forms.FieldError) -> str:
        params = dict(error.params)
        if "max" in params:
            params["limit_value"] = params["max"]
        if "controller" in params:
            controller = self.definition.field(params["controller"])
            params["controller"] = gettext(controller.label) if controller else params["controller"]
        template = ERROR_MESSAGES.get(error.code, ERROR_MESSAGES["invalid_type"])
        return str(template) % params if params else str(template)


# -- pages ---------------------------------------------------------------------------------------


@require_GET
@console_view("helpline.add_consultationrecord")
def contact_list(request):
    bodies = access.bodies_of(request.user)
    fields, lines = selectors.filter_choices(body_ids=bodies)
    field_code = request.GET.get("field") or None
    if field_code not in {f.code for f in fields}:
        field_code = None
    line_id = request.GET.get("line") or ""
    line_id = int(line_id) if line_id.isdigit() and int(line_id) in {line.pk for line in lines} else None
    contacts = selectors.incoming_contacts(field_code=field_code, line_id=line_id, body_ids=bodies)
    services.audit(request.user, "helpline.contacts.list")
    return render(
        request,
        "helpline/console_contacts.html",
        {
            "contacts": contacts,
            "fields": fields,
            "lines": lines,
            "chosen_field": field_code,
            "chosen_line": line_id,
            "days": selectors.INCOMING_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
@console_view("helpline.add_consultationrecord")
def record_new(request, contact_id):
    summary = selectors.contact_summary(contact_id)
    if summary is None or summary.answered_at is None:
        raise Http404
    if not access.may_see_contact(request.user, summary.contact.pk):
        raise Http404  # another body's contact: not revealed
    if summary.record_id is not None:
        messages.info(request, CONFLICT_MESSAGES["already_recorded"])
        return redirect("helpline:console_contacts")
    definition = record_forms.load_form(record_forms.current_version())
    field_choices = selectors.field_choices()
    notice = None
    if request.method == "POST":
        form = RecordForm(definition, field_choices, request.POST)
        if request.POST.get("form_version") != definition.version:
            notice = _("記録票が新しい版になりました。内容を確かめて、もう一度保存してください。")
        elif form.is_valid():
            try:
                record = services.save_record(
                    contact_id=summary.contact.pk,
                    counsellor=request.user,
                    data=form.record_data(),
                    serious=form.cleaned_data["serious"],
                )
            except services.RecordInvalid as exc:
                form.add_definition_errors(exc.errors)
            except services.ConsoleConflict as exc:
                messages.error(request, CONFLICT_MESSAGES[exc.code])
                return redirect("helpline:console_contacts")
            else:
                messages.success(request, _("記録を保存しました。"))
                return redirect("helpline:console_record", record_id=record.pk)
    else:
        form = RecordForm(
            definition, field_choices, initial={"field": summary.field.code if summary.field else ""}
        )
    services.audit(request.user, "helpline.contact.view", summary.contact.pk)
    return render(
        request,
        "helpline/console_record_form.html",
        {"form": form, "definition": definition, "summary": summary, "notice": notice},
        status=400 if (form.is_bound and (form.errors or notice)) else 200,
    )


@require_GET
@console_view("helpline.add_consultationrecord", "helpline.view_consultationrecord")
def record_detail(request, record_id: int):
    record = selectors.get_record(record_id)
    if record is None:
        raise Http404
    if not selectors.record_visible_to(request.user, record):
        raise PermissionDenied
    view = selectors.record_view(record)
    services.audit(request.user, "helpline.record.view", record.pk)
    return render(request, "helpline/console_record.html", {"view": view, "record": record})


@require_GET
@console_view("helpline.view_coordinationcase")
def queue(request):
    entries = selectors.coordinators_queue()
    services.audit(request.user, "helpline.queue.view")
    return render(request, "helpline/console_queue.html", {"entries": entries})


def _case_action(request, case_id: int, action, done_message):
    try:
        action(case_id=case_id, coordinator=request.user)
    except ObjectDoesNotExist:
        raise Http404 from None
    except services.ConsoleConflict as exc:
        messages.error(request, CONFLICT_MESSAGES[exc.code])
    else:
        messages.success(request, done_message)
    return redirect("helpline:console_queue")


@require_POST
@console_view("helpline.change_coordinationcase")
def case_take(request, case_id: int):
    return _case_action(request, case_id, services.take_case, _("案件を受け付けました。"))


@require_POST
@console_view("helpline.change_coordinationcase")
def case_close(request, case_id: int):
    return _case_action(request, case_id, services.close_case, _("案件を終了しました。"))
