"""Forms of the member-body pages: a body's public profile and its contact people (staff pages,
Japanese only like the network's other staff pages)."""

from __future__ import annotations

import re

from django import forms

from tsunagari.core.models import LocalGovernment
from tsunagari.core.vocabulary import TOPICS
from tsunagari.network.body_services import ContactRow

_CODE_SEPARATORS = re.compile(r"[\s,、，]+")
_PHONE = re.compile(r"^[0-9０-９+＋()（）\-－‐ #＃]*$")


class BodyProfileForm(forms.Form):
    description = forms.CharField(
        label="活動内容", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    website = forms.URLField(
        label="ウェブサイト", required=False, max_length=500, assume_scheme="https",
        help_text="https:// から始まるアドレス",
    )  # fmt: skip
    address = forms.CharField(label="所在地", required=False, max_length=300)
    nationwide = forms.BooleanField(label="全国で活動している", required=False)
    area_codes = forms.CharField(
        label="活動地域（全国地方公共団体コード）",
        required=False,
        max_length=2000,
        help_text="6桁のコードを空白か読点で区切って入力します（例: 131016 312011）。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    topics = forms.MultipleChoiceField(
        label="活動分野",
        required=False,
        choices=list(TOPICS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_area_codes(self) -> list[str]:
        raw = self.cleaned_data["area_codes"]
        codes = [c for c in _CODE_SEPARATORS.split(raw.translate(_FULLWIDTH_DIGITS)) if c]
        malformed = [c for c in codes if not re.fullmatch(r"\d{6}", c)]
        if malformed:
            raise forms.ValidationError(f"6桁の数字ではないコードがあります: {'、'.join(malformed)}")
        codes = list(dict.fromkeys(codes))
        known = set(LocalGovernment.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise forms.ValidationError(f"存在しない地方公共団体コードです: {'、'.join(unknown)}")
        return codes

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("nationwide") and "area_codes" in cleaned and not cleaned["area_codes"]:
            self.add_error("area_codes", "全国で活動していない場合は、活動地域を1つ以上入力してください。")
        return cleaned


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class ContactForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="氏名", max_length=100, required=False)
    department = forms.CharField(label="部署・役職", max_length=200, required=False)
    email = forms.EmailField(label="メールアドレス", required=False)
    phone = forms.CharField(label="電話番号", max_length=30, required=False)
    is_primary = forms.BooleanField(label="主担当", required=False)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not _PHONE.match(phone):
            raise forms.ValidationError("電話番号は数字・ハイフン・括弧だけで入力してください。")
        if phone and sum(ch.isdigit() for ch in phone) < 3:
            raise forms.ValidationError("電話番号が短すぎます。")
        return phone

    def clean(self):
        cleaned = super().clean()
        filled = any(cleaned.get(f) for f in ("department", "email", "phone"))
        if not (cleaned.get("name") or "").strip() and (filled or cleaned.get("id")):
            self.add_error("name", "氏名を入力してください（削除する場合は「削除」を選びます）。")
        return cleaned


class BaseContactFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        primaries = [f for f in self._kept() if f.cleaned_data.get("is_primary")]
        if len(primaries) > 1:
            raise forms.ValidationError("主担当は1人だけ選んでください。")

    def _kept(self):
        return [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.cleaned_data.get("name") or "").strip()
        ]

    def rows(self) -> list[ContactRow]:
        """The contact people to keep, in order (blank extra forms and deleted ones left out)."""
        return [
            ContactRow(
                id=form.cleaned_data.get("id"),
                name=form.cleaned_data["name"],
                department=form.cleaned_data.get("department", ""),
                email=form.cleaned_data.get("email", ""),
                phone=form.cleaned_data.get("phone", ""),
                is_primary=bool(form.cleaned_data.get("is_primary")),
            )
            for form in self._kept()
        ]


ContactFormSet = forms.formset_factory(
    ContactForm, formset=BaseContactFormSet, extra=1, can_delete=True, max_num=20, validate_max=True
)


def profile_initial(body) -> dict:
    return {
        "description": body.description,
        "website": body.website,
        "address": body.address,
        "nationwide": body.nationwide,
        "area_codes": " ".join(body.areas.order_by("code").values_list("code", flat=True)),
        "topics": list(body.topics.values_list("code", flat=True)),
    }


def contacts_initial(body) -> list[dict]:
    return [
        {
            "id": c.pk,
            "name": c.name,
            "department": c.department,
            "email": c.email,
            "phone": c.phone,
            "is_primary": c.is_primary,
        }
        for c in body.contacts.all()
    ]
