"""Forms of the council pages (create a council, member bodies and people, meetings and minutes).
Messages are Japanese and never repeat a submitted value."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tsunagari.cases.council_models import CouncilMember
from tsunagari.cases.page_forms import (
    _DJANGO_MESSAGES,
    DATETIME_FORMATS,
    DATETIME_INPUT,
    ERROR_MESSAGES,
    StaffForm,
)
from tsunagari.core.models import LocalGovernment


class CouncilForm(StaffForm):
    name = forms.CharField(label=_("名称（必須）"), max_length=200, error_messages=_DJANGO_MESSAGES)
    local_governments = forms.CharField(
        label=_("設置する地方公共団体のコード（必須）"),
        help_text=_("全国地方公共団体コード（6桁）。共同で設置するときは、カンマで区切って複数書きます。"),
        max_length=400,
        error_messages=_DJANGO_MESSAGES,
    )

    def clean_local_governments(self):
        codes = [
            c.strip()
            for c in self.cleaned_data["local_governments"].replace("、", ",").split(",")
            if c.strip()
        ]
        if not codes:
            raise forms.ValidationError(ERROR_MESSAGES["required"])
        found = {lg.code: lg for lg in LocalGovernment.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                _(
                    "登録されていないコードがあります（%(count)d件）。6桁の全国地方公共団体コードを確かめてください。"
                )
                % {"count": len(unknown)}
            )
        return [found[c] for c in dict.fromkeys(codes)]


class MemberBodyForm(StaffForm):
    prefix_name = "body"
    name = forms.CharField(label=_("構成機関の名称（必須）"), max_length=200, error_messages=_DJANGO_MESSAGES)


class MemberForm(StaffForm):
    prefix_name = "member"
    username = forms.CharField(
        label=_("職員のユーザー名（必須）"), max_length=150, error_messages=_DJANGO_MESSAGES
    )
    role = forms.ChoiceField(
        label=_("役割（必須）"), choices=CouncilMember.Role.choices, error_messages=_DJANGO_MESSAGES
    )
    member_body = forms.TypedChoiceField(
        label=_("構成機関"), coerce=int, required=False, empty_value=None, error_messages=_DJANGO_MESSAGES
    )

    def __init__(self, *args, bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_body"].choices = [("", "—"), *[(b.pk, b.name) for b in bodies]]

    def clean_username(self):
        user = (
            get_user_model()
            .objects.filter(username=self.cleaned_data["username"].strip(), is_active=True)
            .first()
        )
        if user is None:
            raise forms.ValidationError(_("このユーザー名の職員は見つかりません。"))
        return user


class MeetingForm(StaffForm):
    prefix_name = "meeting"
    title = forms.CharField(label=_("会議名（必須）"), max_length=200, error_messages=_DJANGO_MESSAGES)
    held_at = forms.DateTimeField(
        label=_("開催日時（必須）"),
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        error_messages=_DJANGO_MESSAGES,
    )
    minutes = forms.CharField(
        label=_("議事録"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        error_messages=_DJANGO_MESSAGES,
    )


class MinutesForm(StaffForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    minutes = forms.CharField(
        label=_("議事録"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 60}),
        error_messages=_DJANGO_MESSAGES,
    )
