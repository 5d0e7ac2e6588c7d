"""Forms of the public network pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("氏名"), max_length=100)
    email = forms.EmailField(label=_("メールアドレス"))
