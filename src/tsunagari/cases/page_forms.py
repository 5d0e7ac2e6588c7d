"""Forms of the case staff pages. The assessment form is generated from the current versioned
record form (``cases.record_forms``); the definition's own validator runs in ``clean`` so the page
shows the same errors the service would raise. Messages are Japanese and never repeat a value."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tsunagari.cases import record_forms
from tsunagari.cases.referral_models import Referral
from tsunagari.cases.referral_states import REASON_REQUIRED, Status
from tsunagari.cases.sharing_models import Consent

ERROR_MESSAGES = {
    "required": _("この項目は必須です。"),
    "invalid_type": _("入力の形式が正しくありません。"),
    "invalid_choice": _("選択肢から選んでください。"),
    "max_choices": _("%(max)s 個まで選べます。"),
    "max_length": _("%(limit_value)s 文字以内で入力してください。"),
    "not_applicable": _("「%(controller)s」にチェックがないときは、空にしてください。"),
    "unknown_field": _("この版の記録票にない項目です。"),
}
_DJANGO_MESSAGES = {
    "required": ERROR_MESSAGES["required"],
    "invalid_choice": ERROR_MESSAGES["invalid_choice"],
    "invalid_list": ERROR_MESSAGES["invalid_type"],
    "max_length": ERROR_MESSAGES["max_length"],
    "invalid": ERROR_MESSAGES["invalid_type"],
}
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _record_field(f: record_forms.FieldDef) -> forms.Field:
    label = gettext(f.label)
    if f.required:
        label = gettext("%(label)s（必須）") % {"label": label}
    common = {
        "label": label,
        "help_text": escape(gettext(f.help)) if f.help else "",
        "required": f.required,
        "error_messages": _DJANGO_MESSAGES,
    }
    choices = [(o.value, gettext(o.label)) for o in f.options]
    if f.type == "choice":
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if f.type == "multichoice":
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if f.type == "boolean":
        return forms.BooleanField(**{**common, "required": False})
    if f.type == "text":
        widget = forms.Textarea(attrs={"rows": 4, "cols": 60}) if f.multiline else forms.TextInput
        return forms.CharField(max_length=f.max_length, widget=widget, **common)
    raise ValueError(f"field type {f.type!r} is not used by case record forms")


class StaffForm(forms.Form):
    """A form of the case pages: labels without Django's trailing colon, and the fields' names
    prefixed with ``prefix_name`` when a page shows several forms."""

    prefix_name: str | None = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


class SectionForm(StaffForm):
    """A new timeline entry of ``kind``: its date, narrative and, for an assessment, the fields of
    the current record form version."""

    occurred_at = forms.DateTimeField(
        label=_("日時（必須）"),
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        error_messages=_DJANGO_MESSAGES,
    )
    body = forms.CharField(
        label=_("本文"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        error_messages=_DJANGO_MESSAGES,
    )

    def __init__(self, *args, definition: record_forms.FormDefinition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))
        for f in definition.fields if definition else ():
            self.fields[f.id] = _record_field(f)

    def sections(self):
        if self.definition is None:
            return []
        return [(gettext(s.legend), [self[f.id] for f in s.fields]) for s in self.definition.sections]

    def record_data(self) -> dict | None:
        if self.definition is None:
            return None
        return {f.id: self.cleaned_data[f.id] for f in self.definition.fields if f.id in self.cleaned_data}

    def clean(self):
        cleaned = super().clean()
        if self.definition is not None:
            self.add_definition_errors(self.definition.validate(self.record_data()).errors)
        elif not (cleaned.get("body") or "").strip() and "body" not in self.errors:
            self.add_error("body", ERROR_MESSAGES["required"])
        return cleaned

    def add_definition_errors(self, errors) -> None:
        for error in errors:
            if error.field in self.fields and error.field in self.errors:
                continue
            params = dict(error.params)
            if "max" in params:
                params["limit_value"] = params["max"]
            if "controller" in params and self.definition is not None:
                controller = self.definition.field(params["controller"])
                params["controller"] = gettext(controller.label) if controller else params["controller"]
            template = ERROR_MESSAGES.get(error.code, ERROR_MESSAGES["invalid_type"])
            message = str(template) % params if params else str(template)
            self.add_error(error.field if error.field in self.fields else None, message)


class ReferralRequestForm(StaffForm):
    kind = forms.ChoiceField(
        label=_("種類（必須）"),
        choices=Referral.Kind.choices,
        widget=forms.RadioSelect,
        error_messages=_DJANGO_MESSAGES,
    )
    to_body = forms.TypedChoiceField(
        label=_("依頼先の団体（必須）"), coerce=int, error_messages=_DJANGO_MESSAGES
    )
    reason = forms.CharField(
        label=_("依頼の理由（必須）"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages=_DJANGO_MESSAGES,
    )

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_body"].choices = [("", gettext("選んでください")), *[(b.pk, b.name) for b in bodies]]


TARGET_LABELS = {
    Status.RECEIVED.value: _("受領する"),
    Status.ACCEPTED.value: _("受諾する"),
    Status.REJECTED.value: _("辞退する（理由が必要）"),
    Status.IN_PROGRESS.value: _("対応を始める"),
    Status.COMPLETED.value: _("完了を報告する"),
    Status.CANCELLED.value: _("取り消す"),
    Status.FAILED.value: _("不成立を報告する（理由が必要）"),
}


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    target = forms.ChoiceField(
        label=_("操作"), choices=list(TARGET_LABELS.items()), error_messages=_DJANGO_MESSAGES
    )
    note = forms.CharField(
        label=_("理由・報告"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages=_DJANGO_MESSAGES,
    )

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target")
        if target in {s.value for s in REASON_REQUIRED} and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("辞退・不成立には理由を書いてください。"))
        return cleaned


class ConsentForm(StaffForm):
    prefix_name = "consent"
    council = forms.TypedChoiceField(
        label=_("共有先の協議会（必須）"), coerce=int, error_messages=_DJANGO_MESSAGES
    )
    purpose = forms.CharField(
        label=_("共有の目的（必須）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages=_DJANGO_MESSAGES,
    )
    given_by = forms.ChoiceField(
        label=_("同意した人（必須）"),
        choices=Consent.GivenBy.choices,
        widget=forms.RadioSelect,
        error_messages=_DJANGO_MESSAGES,
    )
    recorded_how = forms.ChoiceField(
        label=_("記録の方法（必須）"),
        choices=Consent.RecordedHow.choices,
        widget=forms.RadioSelect,
        error_messages=_DJANGO_MESSAGES,
    )
    given_at = forms.DateTimeField(
        label=_("同意の日時（必須）"),
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        error_messages=_DJANGO_MESSAGES,
    )

    def __init__(self, *args, councils=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = [
            ("", gettext("選んでください")),
            *[(c.pk, c.name) for c in councils],
        ]


class ShareForm(StaffForm):
    prefix_name = "share"
    """Which council, which sections (explicitly chosen), on which basis."""

    BASIS_CHOICES = [
        ("consent", _("本人の同意にもとづいて共有する")),
        ("override", _("同意によらずに共有する（理由が必要）")),
    ]

    council = forms.TypedChoiceField(
        label=_("共有先の協議会（必須）"), coerce=int, error_messages=_DJANGO_MESSAGES
    )
    sections = forms.MultipleChoiceField(
        label=_("共有する記録（1つ以上選ぶ）"),
        widget=forms.CheckboxSelectMultiple,
        error_messages=_DJANGO_MESSAGES,
    )
    basis = forms.ChoiceField(
        label=_("共有の根拠（必須）"), widget=forms.RadioSelect, error_messages=_DJANGO_MESSAGES
    )
    consent = forms.ChoiceField(label=_("記録された同意"), required=False, error_messages=_DJANGO_MESSAGES)
    override_reason = forms.CharField(
        label=_("同意によらずに共有する理由"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "生命・身体の保護のために必要など、同意を得られない理由と共有が必要な理由を書きます。監査記録に残ります。"
        ),
        error_messages=_DJANGO_MESSAGES,
    )

    def __init__(self, *args, councils=(), sections=(), consents=(), may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.consents = {str(c.pk): c for c in consents if c.in_force}
        self.fields["council"].choices = [
            ("", gettext("選んでください")),
            *[(c.pk, c.name) for c in councils],
        ]
        self.fields["sections"].choices = [
            (str(s.pk), f"{s.occurred_at:%Y-%m-%d %H:%M} {s.get_kind_display()}") for s in sections
        ]
        self.fields["basis"].choices = self.BASIS_CHOICES if may_override else self.BASIS_CHOICES[:1]
        self.fields["consent"].choices = [
            ("", gettext("選んでください")),
            *[
                (pk, f"{c.council.name}（{c.given_at:%Y-%m-%d}・{c.get_given_by_display()}）")
                for pk, c in self.consents.items()
            ],
        ]
        if not may_override:
            del self.fields["override_reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("basis") == "consent":
            consent = self.consents.get(cleaned.get("consent") or "")
            if consent is None:
                self.add_error("consent", _("この共有の根拠となる同意を選んでください。"))
            elif cleaned.get("council") is not None and consent.council_id != cleaned["council"]:
                self.add_error("consent", _("選んだ協議会への同意ではありません。"))
        elif cleaned.get("basis") == "override" and not (cleaned.get("override_reason") or "").strip():
            self.add_error("override_reason", _("同意によらずに共有する理由を書いてください。"))
        return cleaned
