"""Forms of the chats (visitor and counsellor): what may be written, with messages that never repeat
the text back. A message is required (whitespace only counts as empty) and at most
``chat_services.MESSAGE_MAX`` characters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.helpline.chat_services import MESSAGE_MAX

MESSAGE_ERRORS = {
    "required": _("メッセージを入れてください。"),
    "max_length": _("%(limit_value)s 文字以内で入力してください。"),
}


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("メッセージ"),
        max_length=MESSAGE_MAX,
        error_messages=MESSAGE_ERRORS,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
    )


class StartForm(forms.Form):
    """Starting a web chat: nothing is required; the field helps to reach the right counsellor."""

    field = forms.ChoiceField(label=_("相談したいこと（えらばなくてもかまいません）"), required=False)
    message = forms.CharField(
        label=_("最初のメッセージ（書かなくてもかまいません）"),
        required=False,
        max_length=MESSAGE_MAX,
        error_messages=MESSAGE_ERRORS,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
    )

    def __init__(self, field_choices, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("えらばない")), *field_choices]
        self.fields["field"].widget = forms.RadioSelect(choices=self.fields["field"].choices)
