"""A demo configuration of the unified line, to run and show it on one machine (with the simulator).

Four fields, a voice menu (Japanese, with English behind digit 9), three fictional partner bodies
(デモ団体A–C) with five lines staffed around the clock, and overflow policies. Nothing here is real:

* the dial numbers are **fictional and cannot be dialled**: "+810000000001" … — after the country
  code +81 a Japanese number never starts with 0 (the trunk prefix), so no such number exists;
* the windows named in the overflow messages are fictional too ("デモ窓口（架空）").

:func:`load_demo` is idempotent: it creates what is missing and resets the demo objects' settings.
"""

from __future__ import annotations

from datetime import datetime, time

from django.db import transaction

from tsunagari.helpline.models import (
    Field,
    Line,
    MenuOption,
    MenuVersion,
    OverflowPolicy,
    PartnerBody,
    Shift,
)
from tsunagari.helpline.routing import JST

MENU_NAME = "デモメニュー（架空の設定）"

FIELDS = [
    # code, name, crisis, general, digit, Japanese prompt, English prompt
    ("inochi", "死にたい・消えたい", True, False, "1", "死にたい、消えたいほどつらい方は1を。", "If you are thinking of ending your life, press 1."),
    ("kodomo", "18歳以下", False, False, "2", "18歳以下の方は2を。", "If you are 18 or younger, press 2."),
    ("kurashi", "生活・お金・仕事", False, False, "3", "生活やお金、仕事のご相談は3を。", "For money, work or daily life, press 3."),
    ("kodoku", "孤独・孤立・その他", False, True, "4", "孤独や孤立、そのほかのご相談は4を押してください。", "For loneliness or anything else, press 4."),
]  # fmt: skip

# Fictional, undiallable numbers: +81 followed by 0 is never a valid Japanese number.
LINES = [
    # body, line name, dial, fields, accepts crisis calls
    ("デモ団体A", "A-1", "+810000000001", ["kodoku", "kurashi"], False),
    ("デモ団体A", "A-2", "+810000000002", ["kodoku"], False),
    ("デモ団体B", "B-1", "+810000000003", ["kodomo", "kodoku"], False),
    ("デモ団体C", "C-1", "+810000000004", ["inochi"], True),
    ("デモ団体C", "C-2", "+810000000005", ["inochi", "kodoku"], True),
]

_WINDOWS = [
    {
        "name": "デモ窓口（架空）",
        "contact": "デモ用の架空の窓口です",
        "hours": [{"start": "00:00", "end": "00:00"}],
    },
    {
        "name": "デモ夜間窓口（架空）",
        "contact": "デモ用の架空の窓口です",
        "hours": [{"start": "18:00", "end": "06:00"}],
    },
]
POLICIES = {
    "inochi": [{"step": "queue", "max_length": 5, "max_wait_seconds": 300}, {"step": "message", "windows": _WINDOWS}],
    "kodomo": [
        {"step": "general_field", "field": "kodoku"},
        {"step": "queue", "max_length": 5, "max_wait_seconds": 600},
        {"step": "message", "windows": _WINDOWS},
    ],
    "kurashi": [
        {"step": "general_field", "field": "kodoku"},
        {"step": "queue", "max_length": 5, "max_wait_seconds": 600},
        {"step": "message", "windows": _WINDOWS},
    ],
    "kodoku": [
        {"step": "queue", "max_length": 10, "max_wait_seconds": 600},
        {"step": "callback_offer"},
        {"step": "message", "windows": _WINDOWS},
    ],
}  # fmt: skip


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create or reset the demo configuration; returns how many of each object it holds."""
    fields = {}
    for position, (code, name, crisis, general, _digit, _ja, _en) in enumerate(FIELDS, start=1):
        fields[code], _ = Field.objects.update_or_create(
            code=code, defaults={"name": name, "crisis": crisis, "general": general, "position": position}
        )
    menu, _ = MenuVersion.objects.update_or_create(
        name=MENU_NAME,
        defaults={
            "valid_from": datetime(2024, 1, 1, tzinfo=JST),
            "valid_until": None,
            "greeting_ja": "こちらは孤独・孤立相談ダイヤル、#9999のデモです。ご相談の内容に合わせて番号を押してください。",
            "greeting_foreign": "For consultation in English, press 9.",
            "foreign_language": "en-US",
            "foreign_digit": "9",
        },
    )
    for code, _name, _crisis, _general, digit, ja, en in FIELDS:
        MenuOption.objects.update_or_create(
            menu=menu, digit=digit, defaults={"field": fields[code], "prompt_ja": ja, "prompt_foreign": en}
        )
    lines = []
    for body_name, line_name, dial, codes, accepts_crisis in LINES:
        body, _ = PartnerBody.objects.get_or_create(name=body_name)
        line, _ = Line.objects.update_or_create(
            body=body,
            name=line_name,
            defaults={"dial": dial, "accepts_crisis": accepts_crisis, "active": True},
        )
        line.fields.set([fields[c] for c in codes])
        for weekday in range(7):  # around the clock: 00:00–翌00:00 every day
            Shift.objects.get_or_create(line=line, weekday=weekday, start=time(0), end=time(0))
        lines.append(line)
    for code, steps in POLICIES.items():
        OverflowPolicy.objects.update_or_create(field=fields[code], defaults={"steps": steps})
    return {
        "fields": len(fields),
        "menu_options": len(FIELDS),
        "lines": len(lines),
        "policies": len(POLICIES),
    }
