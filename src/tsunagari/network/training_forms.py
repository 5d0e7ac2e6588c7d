"""Forms of the training pages: the public verification form and the staff forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("確認コード"),
        max_length=40,
        help_text=_(
            "修了証に印字された16文字のコード（例: 7KQ2-M9XD-4TFB-R8HD）。ハイフンはなくてもかまいません。"
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class AttendanceForm(forms.Form):
    """Who attended: one checkbox per confirmed registration of the session."""

    attended = forms.MultipleChoiceField(
        label=_("出席した人"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, registrations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(r.pk), f"{r.name}（{r.email}）") for r in registrations]
        self.fields["attended"].initial = [str(r.pk) for r in registrations if r.attended]

    def attended_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["attended"]}


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("失効の理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("理由を書いてください。"))
        return reason
