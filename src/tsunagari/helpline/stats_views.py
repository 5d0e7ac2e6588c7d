"""Staff pages: the line's statistics for a period, with CSV and Excel exports of the same figures.

Access: a logged-in staff member with the ``helpline.view_contact`` permission (superusers have it);
anonymous users are sent to the login page, other users get 403. Every access (page or export) is
logged to ``tsunagari.audit`` with the user id and what was viewed (period, field, body, format) —
never personal data, and the statistics themselves hold none (counts only).

Charts are inline SVG drawn on the server (no script, no third-party request), each with a
``<title>``/``<desc>`` and the same figures in a table beside it.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import wraps

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagari.helpline import record_forms, scenarios, statistics, stats_selectors
from tsunagari.helpline.models import Contact, Field, PartnerBody

audit = logging.getLogger("tsunagari.audit")

PERMISSION = "helpline.view_contact"
MAX_DAYS = 366
DEFAULT_DAYS = 7
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

WEEKDAY_LABELS = [
    gettext_lazy("月曜日"),
    gettext_lazy("火曜日"),
    gettext_lazy("水曜日"),
    gettext_lazy("木曜日"),
    gettext_lazy("金曜日"),
    gettext_lazy("土曜日"),
    gettext_lazy("日曜日"),
]


def staff_required(view):
    """Login required (else the admin login page), then staff with :data:`PERMISSION` (else 403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (user.is_active and user.is_staff and user.has_perm(PERMISSION)):
            audit.warning(
                "helpline statistics refused: user %(user_id)s, %(path)s",
                {"user_id": user.pk, "path": request.path},
                extra={
                    "audit": {"event": "helpline.stats.refused", "user_id": user.pk, "path": request.path}
                },
            )
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# --- the filter form ---------------------------------------------------------------------------


class StatsFilterForm(forms.Form):
    first = forms.DateField(
        label=gettext_lazy("開始日"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    last = forms.DateField(
        label=gettext_lazy("終了日"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    field = forms.ChoiceField(label=gettext_lazy("分野"), required=False)
    body = forms.ChoiceField(label=gettext_lazy("連携団体"), required=False)
    channel = forms.ChoiceField(
        label=gettext_lazy("手段"),
        required=False,
        choices=[("", gettext_lazy("電話とチャットのすべて")), *Contact.Channel.choices],
    )

    def __init__(self, *args, fields=(), bodies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [
            ("", _("すべての分野")),
            *((f.code, f.name) for f in fields),
            (stats_selectors.NO_FIELD, _("分野の選択なし")),
        ]
        self.fields["body"].choices = [
            ("", _("すべての団体")),
            *((str(b.pk), b.name) for b in bodies),
            (str(stats_selectors.NO_BODY), _("団体なし")),
        ]

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("終了日は開始日と同じか、それより後の日にしてください。"))
            elif (last - first).days + 1 > MAX_DAYS:
                self.add_error("last", _("期間は%(days)d日以内にしてください。") % {"days": MAX_DAYS})
        return data

    def to_filter(self) -> stats_selectors.Filter:
        data = self.cleaned_data
        body = data.get("body")
        return stats_selectors.Filter(
            first=data["first"],
            last=data["last"],
            field=data.get("field") or None,
            body=int(body) if body not in (None, "") else None,
            channel=data.get("channel") or None,
        )


def _form(request) -> StatsFilterForm:
    fields = list(Field.objects.all())
    bodies = list(PartnerBody.objects.order_by("name"))
    if "first" in request.GET or "last" in request.GET:
        data = request.GET
    else:
        today = timezone.localdate()
        data = {"first": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(), "last": today.isoformat()}
    return StatsFilterForm(data, fields=fields, bodies=bodies)


def _audit(request, what: str, f: stats_selectors.Filter | None) -> None:
    details = {
        "event": "helpline.stats.view",
        "user_id": request.user.pk,
        "format": what,
        "first": f.first.isoformat() if f else None,
        "last": f.last.isoformat() if f else None,
        "field": f.field if f else None,
        "body": f.body if f else None,
        "channel": f.channel if f else None,
    }
    audit.info(
        "helpline statistics viewed: user %(user_id)s, %(format)s, %(first)s..%(last)s, field %(field)s, body %(body)s",
        details,
        extra={"audit": details},
    )


# --- the figures, labelled ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One labelled row of a breakdown."""

    key: str
    label: str
    figures: statistics.Figures


@dataclass(frozen=True)
class ShareLine:
    key: str
    label: str
    count: int
    percent: Decimal | None


@dataclass(frozen=True)
class Stats:
    filter: stats_selectors.Filter
    report: statistics.Report
    records: statistics.RecordSummary
    sections: list[tuple[str, str, list[Line]]]  # (id, title, lines)
    age_bands: list[ShareLine]
    types: list[ShareLine]
    field_label: str
    body_label: str


def _option_labels(field_id: str) -> dict[str, str]:
    """Value → translated label of a field of the common record, from its newest version back to
    v1 (a value keeps the label of the newest version that has it)."""
    labels: dict[str, str] = {}
    for version in reversed(record_forms.available_versions()):
        field = record_forms.load_form(version).field(field_id)
        for option in field.options if field else ():
            labels.setdefault(option.value, _(option.label))
    if field_id == stats_selectors.AGE_BAND_KEY:
        labels.pop(stats_selectors.UNKNOWN_AGE_BAND, None)
    return labels


def _stats(f: stats_selectors.Filter) -> Stats:
    report = stats_selectors.report(f)
    age_labels = _option_labels(stats_selectors.AGE_BAND_KEY)
    type_labels = _option_labels(stats_selectors.TYPES_KEY)
    records = stats_selectors.record_summary(f, band_order=list(age_labels))
    field_names = stats_selectors.field_names()
    body_names = stats_selectors.body_names()
    no_field, no_body = _("分野の選択なし"), _("団体なし")

    def field_label(code):
        return field_names.get(code, code) if code is not None else no_field

    def body_label(key):
        return body_names.get(key, str(key)) if key is not None else no_body

    sections = [
        ("total", _("合計"), [Line("total", _("合計"), report.total)]),
        ("field", _("分野別"), [Line(r.key or "", field_label(r.key), r.figures) for r in report.by_field]),
        (
            "day",
            _("日別"),
            [Line(r.key.isoformat(), _day_label(r.key), r.figures) for r in report.by_day],
        ),
        (
            "hour",
            _("時間帯別"),
            [Line(str(r.key), _("%(hour)d時台") % {"hour": r.key}, r.figures) for r in report.by_hour],
        ),
        (
            "weekday",
            _("曜日別"),
            [Line(str(r.key), str(WEEKDAY_LABELS[r.key]), r.figures) for r in report.by_weekday],
        ),
        (
            "body",
            _("連携団体別"),
            [Line(str(r.key or ""), body_label(r.key), r.figures) for r in report.by_body],
        ),
    ]
    age_bands = [
        ShareLine(
            s.key or "",
            age_labels.get(s.key, s.key) if s.key else _("不明・記録なし"),
            s.count,
            s.percent,
        )
        for s in records.age_bands
    ]
    types = [ShareLine(s.key or "", type_labels.get(s.key, s.key), s.count, s.percent) for s in records.types]
    return Stats(
        filter=f,
        report=report,
        records=records,
        sections=sections,
        age_bands=age_bands,
        types=types,
        field_label=field_label(f.field)
        if f.field and f.field != stats_selectors.NO_FIELD
        else (no_field if f.field else _("すべての分野")),
        body_label=body_label(f.body)
        if f.body not in (None, stats_selectors.NO_BODY)
        else (no_body if f.body == stats_selectors.NO_BODY else _("すべての団体")),
    )


def _day_label(day: date) -> str:
    return f"{day.isoformat()}（{str(WEEKDAY_LABELS[day.weekday()])[0]}）"


# --- charts (inline SVG geometry; drawn by templates/helpline/stats_chart.html) -----------------


def _nice_ceiling(value: float) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return int(top) if top >= 4 else 4
    return int(10 * magnitude)


def column_chart(chart_id: str, title: str, desc: str, lines: list[Line], *, label_every: int = 1) -> dict:
    """Grouped columns: offered and connected per line (e.g. per hour or day)."""
    width, height = 720, 260
    left, right, top, bottom = 56, 8, 24, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_ceiling(max((line.figures.offered for line in lines), default=0))
    n = max(len(lines), 1)
    group = plot_w / n
    bar = group * 0.8 / 2
    series = [
        ("offered", _("呼出件数"), lambda fig: fig.offered),
        ("connected", _("接続完了"), lambda fig: fig.connected),
    ]
    bars, labels = [], []
    for i, line in enumerate(lines):
        x0 = left + i * group + group * 0.1
        for s, (css, name, value_of) in enumerate(series):
            value = value_of(line.figures)
            h = plot_h * value / top_value
            bars.append(
                {
                    "x": round(x0 + s * bar, 2),
                    "y": round(top + plot_h - h, 2),
                    "w": round(bar, 2),
                    "h": round(h, 2),
                    "css": css,
                    "tip": f"{line.label} {name}: {value}",
                }
            )
        if i % label_every == 0:
            labels.append(
                {"x": round(left + (i + 0.5) * group, 2), "y": height - bottom + 16, "text": line.label}
            )
    ticks = [
        {"y": round(top + plot_h - plot_h * k / 4, 2), "text": f"{top_value * k / 4:g}", "x": left - 6}
        for k in range(5)
    ]
    return {
        "id": chart_id,
        "title": title,
        "desc": desc,
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "base": top + plot_h,
        "bars": bars,
        "labels": labels,
        "ticks": ticks,
        "legend": [
            {"css": css, "name": name, "x": left + 150 * k, "y": 12}
            for k, (css, name, _v) in enumerate(series)
        ],
    }


def percent_chart(chart_id: str, title: str, desc: str, items: list[tuple[str, Decimal | None]]) -> dict:
    """Horizontal bars of percentages (0–100), e.g. the answer rate of each field."""
    label_w, bar_w, row_h, top = 220, 380, 26, 8
    rows = []
    for i, (label, percent) in enumerate(items):
        w = bar_w * min(float(percent), 100.0) / 100 if percent is not None else 0
        y = top + i * row_h
        rows.append(
            {
                "y": y,
                "text_y": y + row_h * 0.65,
                "label": label,
                "w": round(w, 2),
                "value": f"{percent}%" if percent is not None else "—",
                "value_x": round(label_w + w + 6, 2),
            }
        )
    return {
        "id": chart_id,
        "title": title,
        "desc": desc,
        "width": label_w + bar_w + 70,
        "height": top * 2 + row_h * max(len(items), 1),
        "label_w": label_w,
        "bar_h": row_h - 8,
        "rows": rows,
        "grid": [{"x": label_w + bar_w * k / 4, "text": f"{25 * k}%"} for k in range(5)],
    }


# --- views ---------------------------------------------------------------------------------------


def _query(f: stats_selectors.Filter) -> str:
    params = {"first": f.first.isoformat(), "last": f.last.isoformat()}
    if f.field:
        params["field"] = f.field
    if f.body is not None:
        params["body"] = str(f.body)
    if f.channel:
        params["channel"] = f.channel
    return urlencode(params)


def _presets() -> list[dict]:
    return [
        {
            "name": t.name,
            "first": t.first,
            "last": t.last,
            "query": urlencode({"first": t.first.isoformat(), "last": t.last.isoformat()}),
        }
        for t in scenarios.trials()
    ]


@staff_required
def stats_page(request):
    form = _form(request)
    if not form.is_valid():
        _audit(request, "html-invalid", None)
        return render(request, "helpline/stats.html", {"form": form, "presets": _presets()}, status=400)
    f = form.to_filter()
    _audit(request, "html", f)
    stats = _stats(f)
    by = {sid: lines for sid, _title, lines in stats.sections}
    period = f"{f.first.isoformat()}〜{f.last.isoformat()}"
    charts = {
        "field": percent_chart(
            "chart-field",
            _("分野別の応答率"),
            _("%(period)s の分野ごとの応答率（接続完了 ÷ 呼出件数）。数値は下の表にあります。")
            % {"period": period},
            [(line.label, line.figures.answer_rate) for line in by["field"]],
        ),
        "day": column_chart(
            "chart-day",
            _("日別の呼出件数と接続完了"),
            _("%(period)s の日ごとの呼出件数と接続完了の件数。数値は下の表にあります。") % {"period": period},
            [
                Line(row.key.isoformat(), f"{row.key.month}/{row.key.day}", row.figures)
                for row in stats.report.by_day
            ],
            label_every=max(1, -(-len(stats.report.by_day) // 16)),
        ),
        "hour": column_chart(
            "chart-hour",
            _("時間帯別の呼出件数と接続完了"),
            _("%(period)s の時間帯（日本時間）ごとの呼出件数と接続完了の件数。数値は下の表にあります。")
            % {"period": period},
            [Line(line.key, line.key, line.figures) for line in by["hour"]],
        ),
        "age": percent_chart(
            "chart-age",
            _("推定年代の割合"),
            _(
                "相談記録の推定年代ごとの割合（推定年代の記録があるものに対する割合）。数値は下の表にあります。"
            ),
            [(share.label, share.percent) for share in stats.age_bands if share.key],
        ),
    }
    query = _query(f)
    return render(
        request,
        "helpline/stats.html",
        {
            "form": form,
            "stats": stats,
            "charts": charts,
            "presets": _presets(),
            "channel_label": dict(Contact.Channel.choices).get(f.channel, _("電話とチャットのすべて")),
            "csv_url": f"{reverse('helpline:stats_csv')}?{query}",
            "xlsx_url": f"{reverse('helpline:stats_xlsx')}?{query}",
        },
    )


def _export_filter(request) -> stats_selectors.Filter | HttpResponseBadRequest:
    form = _form(request)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    return form.to_filter()


def _safe_text(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _num(value):
    return "" if value is None else value


def _figure_header() -> list[str]:
    """Column titles of a row of figures: key, name, then the values of ``_figure_values``."""
    return [
        _("キー"),
        _("名称"),
        _("呼出件数"),
        _("接続完了"),
        _("応答率（%）"),
        _("未接続"),
        _("放棄"),
        _("平均待ち時間（秒）"),
        _("平均応答待ち時間（秒）"),
    ]


def _figure_values(fig) -> list:
    """A row's figures in the order of ``_figure_header`` (after key and name); None where undefined."""
    return [
        fig.offered,
        fig.connected,
        fig.answer_rate,
        fig.not_connected,
        fig.abandoned,
        fig.average_wait,
        fig.average_answer_wait,
    ]


def table_rows(stats: Stats) -> tuple[list[str], list[list]]:
    """The export table: one header and the rows of every section (figures, then shares)."""
    header = [_("区分"), *_figure_header(), _("件数"), _("割合（%）")]
    rows = []
    for _sid, title, lines in stats.sections:
        for line in lines:
            values = [_num(value) for value in _figure_values(line.figures)]
            rows.append([title, line.key, line.label, *values, "", ""])
    for title, shares in ((_("推定年代"), stats.age_bands), (_("相談の類型"), stats.types)):
        for share in shares:
            rows.append(
                [title, share.key, share.label, "", "", "", "", "", "", "", share.count, _num(share.percent)]
            )
    rows.append(
        [
            _("つなぎ支援"),
            "serious",
            _("深刻な相談（記録）"),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            stats.records.serious,
            "",
        ]
    )
    rows.append(
        [
            _("つなぎ支援"),
            "coordinated",
            _("つなぎに関して調整した深刻な相談"),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            stats.records.coordinated,
            "",
        ]
    )
    rows.append(
        [_("相談記録"), "records", _("相談記録の件数"), "", "", "", "", "", "", "", stats.records.records, ""]
    )
    return header, rows


def _filename(f: stats_selectors.Filter, extension: str) -> str:
    return f"helpline-stats-{f.first.isoformat()}_{f.last.isoformat()}.{extension}"


@staff_required
def stats_csv(request):
    f = _export_filter(request)
    if isinstance(f, HttpResponse):
        return f
    _audit(request, "csv", f)
    header, rows = table_rows(_stats(f))
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: spreadsheet programs then read the file as UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_text(v) if isinstance(v, str) else v for v in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(f, "csv")}"'
    return response


@staff_required
def stats_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    f = _export_filter(request)
    if isinstance(f, HttpResponse):
        return f
    _audit(request, "xlsx", f)
    stats = _stats(f)
    book = Workbook()
    summary = book.active
    summary.title = _("概要")
    for label, value in (
        (_("開始日"), f.first),
        (_("終了日"), f.last),
        (_("分野"), stats.field_label),
        (_("連携団体"), stats.body_label),
        (_("手段"), str(dict(Contact.Channel.choices).get(f.channel, _("電話とチャットのすべて")))),
        (_("時刻"), _("日本時間（Asia/Tokyo）")),
        (_("応答率"), _("接続完了 ÷ 呼出件数（%、小数第1位で四捨五入）")),
    ):
        summary.append([label, _safe_text(value) if isinstance(value, str) else value])
        if isinstance(value, date):
            summary.cell(row=summary.max_row, column=2).number_format = "yyyy-mm-dd"
    figure_header = _figure_header()
    for _sid, title, lines in stats.sections:
        sheet = book.create_sheet(title)
        sheet.append(figure_header)
        for line in lines:
            sheet.append([_safe_text(line.key), _safe_text(line.label), *_figure_values(line.figures)])
            for column in (5, 8, 9):
                sheet.cell(row=sheet.max_row, column=column).number_format = "0.0"
        sheet.freeze_panes = "C2"
    for title, shares in ((_("推定年代"), stats.age_bands), (_("相談の類型"), stats.types)):
        sheet = book.create_sheet(title)
        sheet.append([_("キー"), _("名称"), _("件数"), _("割合（%）")])
        for share in shares:
            sheet.append([_safe_text(share.key), _safe_text(share.label), share.count, share.percent])
            sheet.cell(row=sheet.max_row, column=4).number_format = "0.0"
    sheet = book.create_sheet(_("つなぎ支援"))
    sheet.append([_("相談記録の件数"), stats.records.records])
    sheet.append([_("深刻な相談（記録）"), stats.records.serious])
    sheet.append([_("つなぎに関して調整した深刻な相談"), stats.records.coordinated])
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    output = io.BytesIO()
    book.save(output)
    response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(f, "xlsx")}"'
    return response
