"""Staff page: what the trial periods would have needed (``/helpline/stats/staffing/``).

Same access as the statistics pages (``stats_views.staff_required``) and audited the same way. The
figures the trials did not publish (handling time, patience, target, model) are a form whose values
every result repeats, marked as assumptions; see :mod:`.trial_staffing`.
"""

from __future__ import annotations

import logging

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from tsunagari.helpline.stats_views import staff_required
from tsunagari.helpline.trial_staffing import Assumptions, trial_needs

audit = logging.getLogger("tsunagari.audit")
DEFAULTS = Assumptions()


class AssumptionsForm(forms.Form):
    model = forms.ChoiceField(
        label=gettext_lazy("モデル"),
        choices=[
            ("a", gettext_lazy("Erlang A（待ち行列・途中で切る人あり）")),
            ("b", gettext_lazy("Erlang B（待たせない・話し中は切れる）")),
            ("c", gettext_lazy("Erlang C（待ち行列・切る人なし）")),
        ],
        initial=DEFAULTS.model,
    )
    aht_minutes = forms.FloatField(
        label=gettext_lazy("1件の対応時間（分）"), min_value=1, max_value=240, initial=DEFAULTS.aht_sec / 60
    )
    patience_sec = forms.FloatField(
        label=gettext_lazy("待てる時間の平均（秒・Erlang A）"),
        min_value=5,
        max_value=3600,
        initial=DEFAULTS.patience_sec,
    )
    target_percent = forms.FloatField(
        label=gettext_lazy("目標（応答率 %、Erlang C は待たずにつながる割合 %）"),
        min_value=1,
        max_value=99,
        initial=DEFAULTS.target * 100,
    )

    def assumptions(self) -> Assumptions:
        data = self.cleaned_data
        return Assumptions(
            aht_sec=data["aht_minutes"] * 60,
            patience_sec=data["patience_sec"],
            target=data["target_percent"] / 100,
            model=data["model"],
        )


@staff_required
def trial_staffing_page(request):
    form = AssumptionsForm(request.GET or {k: f.initial for k, f in AssumptionsForm.base_fields.items()})
    valid = form.is_valid()
    details = {"event": "helpline.staffing.view", "user_id": request.user.pk, "valid": valid}
    audit.info("helpline trial staffing viewed: user %(user_id)s", details, extra={"audit": details})
    if not valid:
        return render(request, "helpline/trial_staffing.html", {"form": form}, status=400)
    assumptions = form.assumptions()
    return render(
        request,
        "helpline/trial_staffing.html",
        {"form": form, "needs": trial_needs(assumptions), "assumptions": assumptions},
    )
