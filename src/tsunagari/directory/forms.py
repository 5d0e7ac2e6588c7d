"""Search form: validates every query parameter of the search page and the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.core.lgcode import normalize as normalize_lgcode
from tsunagari.core.models import LocalGovernment
from tsunagari.core.vocabulary import AUDIENCES, CHANNELS, TOPICS
from tsunagari.directory.selectors.search import MAX_DEPTH, SearchFilters

DEFAULT_PER_PAGE = 20

LANGUAGE_CHOICES = [
    ("ja", "日本語"), ("en", "English"), ("zh", "中文"), ("ko", "한국어"), ("vi", "Tiếng Việt"),
    ("pt", "Português"), ("es", "Español"), ("tl", "Tagalog"), ("ne", "नेपाली"), ("id", "Bahasa Indonesia"),
    ("th", "ไทย"),
]  # fmt: skip


class SearchForm(forms.Form):
    q = forms.CharField(label=_("キーワード"), required=False, max_length=200)
    topic = forms.MultipleChoiceField(label=_("悩み"), required=False, choices=list(TOPICS.items()))
    audience = forms.MultipleChoiceField(label=_("対象"), required=False, choices=list(AUDIENCES.items()))
    channel = forms.MultipleChoiceField(label=_("相談方法"), required=False, choices=list(CHANNELS.items()))
    language = forms.MultipleChoiceField(label=_("言語"), required=False, choices=LANGUAGE_CHOICES)
    age = forms.IntegerField(label=_("年齢"), required=False, min_value=0, max_value=130)
    area = forms.CharField(label=_("地域（地方公共団体コード）"), required=False, max_length=8)
    open_now = forms.BooleanField(label=_("いま受付中"), required=False)
    is_24h = forms.BooleanField(label=_("24時間対応"), required=False)
    free = forms.BooleanField(label=_("無料"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10000)
    per_page = forms.IntegerField(required=False, min_value=1, max_value=100)

    def clean_area(self) -> str:
        value = self.cleaned_data["area"].strip()
        if not value:
            return ""
        try:
            code = normalize_lgcode(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if not LocalGovernment.objects.filter(pk=code).exists():
            raise forms.ValidationError(
                _("この地方公共団体コードは見つかりません: %(code)s"), params={"code": code}
            )
        return code

    def clean(self):
        data = super().clean()
        per_page = data.get("per_page") or DEFAULT_PER_PAGE
        if (data.get("page") or 1) * per_page > MAX_DEPTH:
            self.add_error(
                None,
                _("表示できるのは先頭 %(depth)s 件までです。条件を絞ってください。") % {"depth": MAX_DEPTH},
            )
        return data

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            topics=data["topic"],
            audiences=data["audience"],
            channels=data["channel"],
            languages=data["language"],
            age=data["age"],
            area=data["area"] or None,
            open_now=data["open_now"],
            is_24h=data["is_24h"],
            free=data["free"],
        )
