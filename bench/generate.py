"""Deterministic SYNTHETIC support directory for the search benchmark (pure; no Django).

Everything here is made up: names, organisations, descriptions and hours are assembled from a
vocabulary of real support-related words so that the search index sees realistic Japanese text
(common bigrams such as 相談 and 支援 in most records, rarer words in a few). None of it describes a
real service, and it is only ever written to the benchmark databases (``bench/out/`` SQLite file
and the PostgreSQL database ``tsunagari_bench``), never to the real directory.

``generate(n, seed)`` yields the same records for the same ``(n, seed)`` on every machine: about
5% national services, the rest spread round-robin over every local government in
``core/data/local_governments.csv`` (prefectures, cities, wards, towns, villages), so every
municipality has services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tsunagari.core.ids import stable_uuid
from tsunagari.core.lgcode import load_local_governments
from tsunagari.core.vocabulary import AUDIENCES, CHANNELS, TOPICS

#: Bump whenever the generated data changes (the benchmark databases are rebuilt when it does).
GENERATOR_VERSION = 1
DEFAULT_SEED = 20261122
NATIONAL_SHARE = 0.05
SYNTHETIC_NOTE = "SYNTHETIC benchmark record (bench/generate.py); not a real service"

# (subject word used in names, topic codes, audience codes, words for descriptions)
SUBJECTS: list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    ("孤独・孤立", ("loneliness",), ("adult", "youth", "elderly"), ("孤独", "孤立", "話し相手", "居場所")),
    ("居場所づくり", ("loneliness",), ("youth", "adult"), ("居場所", "交流", "仲間づくり")),
    ("こころの健康", ("mental_health",), ("adult", "youth"), ("心の不調", "うつ", "ストレス", "眠れない")),
    (
        "自殺予防",
        ("suicide", "mental_health"),
        ("adult", "youth"),
        ("死にたい気持ち", "つらい気持ち", "自死"),
    ),
    ("いのちの電話", ("suicide",), ("adult", "youth", "under18"), ("死にたい気持ち", "つらい気持ち", "孤独")),
    ("生活困窮", ("poverty",), ("adult",), ("生活費", "家賃", "失業", "生活保護", "生活困窮")),
    ("生活自立", ("poverty", "employment"), ("adult",), ("生活費", "就労", "家計", "生活困窮")),
    ("借金", ("debt_legal",), ("adult",), ("借金", "多重債務", "返済", "債務整理")),
    ("多重債務", ("debt_legal",), ("adult",), ("借金", "多重債務", "返済", "過払い金")),
    ("消費生活", ("debt_legal",), ("adult", "elderly"), ("消費者トラブル", "契約", "悪質商法", "詐欺")),
    ("法律", ("debt_legal",), ("adult",), ("法律問題", "離婚", "相続", "借金")),
    ("住まい", ("housing",), ("adult", "elderly"), ("住まい", "家賃", "住居", "入居")),
    ("居住支援", ("housing",), ("adult", "elderly"), ("住まい", "住居", "入居", "保証人")),
    ("就労", ("employment",), ("youth", "adult"), ("仕事", "就職", "職場", "働きづらさ")),
    ("若者サポート", ("employment", "hikikomori"), ("youth",), ("就職", "仕事", "居場所", "働きづらさ")),
    ("家庭", ("family",), ("adult", "family_of_person"), ("家族関係", "夫婦", "親子関係", "離婚")),
    ("介護", ("caregiving", "elderly"), ("elderly", "family_of_person"), ("介護", "認知症", "介護保険")),
    ("ヤングケアラー", ("caregiving",), ("under18", "youth"), ("家族の世話", "介護", "ヤングケアラー")),
    ("子育て", ("child_rearing",), ("adult", "family_of_person"), ("子育て", "育児", "妊娠", "出産")),
    ("妊娠", ("child_rearing",), ("youth", "adult"), ("妊娠", "出産", "産後", "予期せぬ妊娠")),
    ("DV", ("dv_sexual_violence",), ("adult",), ("DV", "配偶者からの暴力", "避難", "保護")),
    (
        "性暴力被害",
        ("dv_sexual_violence", "crime_victim"),
        ("adult", "youth"),
        ("性暴力", "性被害", "ワンストップ"),
    ),
    (
        "児童虐待",
        ("abuse", "child_rearing"),
        ("under18", "family_of_person"),
        ("虐待", "子どもの安全", "通告"),
    ),
    ("いじめ", ("bullying_school",), ("under18", "family_of_person"), ("いじめ", "学校", "友だち関係")),
    ("不登校", ("bullying_school",), ("under18", "family_of_person"), ("不登校", "学校", "学び")),
    ("教育", ("bullying_school",), ("under18", "family_of_person"), ("学校", "進路", "学び")),
    ("性の多様性", ("gender_sexuality",), ("youth", "adult"), ("LGBT", "性的指向", "性自認")),
    ("ひとり親", ("single_parent", "child_rearing"), ("adult",), ("ひとり親", "養育費", "児童扶養手当")),
    ("外国人", ("foreign_resident",), ("foreign_resident",), ("外国人", "在留", "多言語", "通訳")),
    ("多文化共生", ("foreign_resident",), ("foreign_resident",), ("外国人", "日本語", "多言語", "生活")),
    ("障害者", ("disability",), ("adult", "family_of_person"), ("障害", "障害福祉サービス", "就労")),
    ("難病", ("health_illness",), ("adult",), ("難病", "療養", "医療費")),
    ("がん", ("health_illness",), ("adult", "family_of_person"), ("がん", "治療", "療養", "仕事との両立")),
    ("遺族", ("bereavement",), ("adult", "family_of_person"), ("死別", "遺族", "グリーフケア")),
    (
        "ひきこもり",
        ("hikikomori",),
        ("youth", "adult", "family_of_person"),
        ("ひきこもり", "居場所", "家族会"),
    ),
    (
        "依存症",
        ("addiction", "mental_health"),
        ("adult", "family_of_person"),
        ("依存症", "アルコール", "薬物"),
    ),
    ("ギャンブル依存症", ("addiction",), ("adult", "family_of_person"), ("ギャンブル", "依存症", "借金")),
    ("犯罪被害者", ("crime_victim",), ("adult", "family_of_person"), ("犯罪被害", "支援", "被害者")),
    ("高齢者", ("elderly",), ("elderly", "family_of_person"), ("高齢者", "見守り", "介護", "認知症")),
    (
        "地域包括支援",
        ("elderly", "caregiving"),
        ("elderly", "family_of_person"),
        ("介護", "高齢者", "見守り"),
    ),
]

WINDOWS = [
    "相談窓口", "相談センター", "支援センター", "電話相談", "相談室", "ホットライン", "相談ダイヤル",
    "LINE相談", "サロン", "支援窓口", "なんでも相談", "ネットワーク", "ひろば", "総合相談",
]  # fmt: skip

NATIONAL_PREFIXES = ["全国", "よりそい", "こころの", "にじいろ", "あなたの", "ほっと", "つながる", "みんなの"]

NPO_NAMES = [
    "ひだまり", "つながりの会", "ささえあい", "こもれび", "あおぞら", "ほっとスペース", "ゆずりは",
    "ふれあいネット", "みらいの種", "よりどころ", "ともしび", "はなみずき", "かけはし", "あかり", "おむすび",
    "ぬくもり", "ひなた", "わかば", "ひとやすみ", "たんぽぽ",
]  # fmt: skip
NPO_FORMS = ["特定非営利活動法人", "一般社団法人", "公益社団法人", "社会福祉法人"]

STAFF = ["保健師", "社会福祉士", "相談員", "臨床心理士", "専門の相談員", "弁護士", "精神保健福祉士",
         "ボランティアの相談員", "公認心理師", "ピアサポーター"]  # fmt: skip
CHANNEL_PHRASES = {
    "phone": "電話", "sms": "SMS", "line": "LINE", "chat": "チャット", "email": "メール",
    "in_person": "面談", "visit": "訪問", "online_form": "ウェブフォーム",
}  # fmt: skip

SENTENCES = [
    "秘密は守られます。",
    "匿名での相談もできます。",
    "ひとりで抱え込まず、まずはお気軽にご連絡ください。",
    "必要に応じて関係機関と連携し、支援につなぎます。",
    "お金や住まいのことなど、困りごとをいっしょに整理します。",
    "面談は予約制です。",
    "ご家族や周りの方からの相談もお受けします。",
    "相談は無料です。",
    "どこに相談したらよいかわからないときもご利用ください。",
    "同じ経験をもつ仲間と話せる交流会も開いています。",
    "話を聞いてほしいだけのときも大丈夫です。",
    "緊急の場合は110番または119番に連絡してください。",
]

#: Rare phrases: each occurs in a small share of records, so some queries match only a few.
RARE = [
    ("ゲートキーパー養成講座を開いています。", 0.004),
    ("フードバンクと連携して食料を届けます。", 0.01),
    ("子ども食堂の情報もお知らせします。", 0.01),
    ("ピアサポートの場があります。", 0.006),
    ("手話通訳の手配ができます。", 0.002),
    ("盲導犬同伴でも来所できます。", 0.0005),
]

# schedule_spec dicts in the tsunagari.directory.hours format, with the source's wording.
YEAR_END = [{"from": "12-29", "to": "01-03"}]
SCHEDULES: list[tuple[dict | None, str, float]] = [
    (
        {"rules": [{"days": "weekdays", "opens": "09:00", "closes": "17:00"}], "public_holidays": "closed",
         "closed_periods": YEAR_END},
        "平日9時〜17時（祝日・年末年始を除く）",
        0.34,
    ),
    (
        {"rules": [{"days": "weekdays", "opens": "08:30", "closes": "17:15"}], "public_holidays": "closed",
         "closed_periods": YEAR_END},
        "月〜金 8:30〜17:15（祝日・年末年始を除く）",
        0.2,
    ),
    ({"is_24h": True}, "24時間365日", 0.05),
    ({"rules": [{"days": "daily", "opens": "17:00", "closes": "22:00"}]}, "毎日17時〜22時", 0.08),
    ({"rules": [{"days": "daily", "opens": "20:00", "closes": "06:00"}]}, "毎日20時〜翌朝6時", 0.03),
    (
        {"rules": [{"days": "weekdays", "opens": "10:00", "closes": "20:00"},
                   {"days": ["sat"], "opens": "10:00", "closes": "16:00"}], "public_holidays": "closed"},
        "平日10時〜20時、土曜10時〜16時",
        0.1,
    ),
    ({"rules": [{"days": ["sat", "sun"], "opens": "13:00", "closes": "17:00"}]}, "土日13時〜17時", 0.04),
    ({"rules": [{"days_of_month": [10, 25], "opens": "10:00", "closes": "16:00"}]}, "毎月10日・25日 10時〜16時", 0.03),
    (None, "曜日・時間は地域により異なります", 0.13),
]  # fmt: skip

STATUSES = [("active", 0.96), ("inactive", 0.02), ("temporarily closed", 0.01), ("defunct", 0.01)]
LANGUAGES = ["en", "zh", "ko", "vi", "pt", "tl", "ne", "es", "th", "id"]


@dataclass
class Area:
    code: str
    prefecture_code: str
    kind: str
    label: str  # display name, e.g. "札幌市中央区"


@dataclass
class SynthOrganization:
    id: str
    local_id: str
    name: str
    area_code: str | None


@dataclass
class SynthService:
    id: str
    local_id: str
    organization_id: str
    organization_name: str
    name: str
    alternate_name: str
    description: str
    eligibility_description: str
    status: str
    minimum_age: int | None
    maximum_age: int | None
    free_of_charge: bool | None
    anonymous: bool | None
    is_24h: bool
    hours_text: str
    schedule_spec: dict | None
    area_scope: str
    area_code: str | None
    prefecture_code: str
    terms: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


def areas() -> list[Area]:
    """Every local government of the shipped list, with a display name (wards prefixed by their city)."""
    rows = load_local_governments()
    names = {r["code"]: r["name"] for r in rows}
    result = []
    for r in sorted(rows, key=lambda r: r["code"]):
        label = r["name"]
        if r["kind"] == "ward" and r["parent_code"]:
            label = names[r["parent_code"]] + r["name"]
        result.append(Area(r["code"], r["prefecture_code"], r["kind"], label))
    return result


def _office(area: Area) -> str:
    if area.kind == "prefecture":
        return {"東京都": "東京都庁", "北海道": "北海道庁"}.get(area.label, area.label + "庁")
    return area.label + {"town": "役場", "village": "役場", "ward": "役所", "special_ward": "役所"}.get(
        area.kind, "役所"
    )


def _weighted(rng: random.Random, choices: list[tuple], weight_index: int = -1):
    return rng.choices(choices, weights=[c[weight_index] for c in choices])[0]


class _Organizations:
    """A few organisations per area (the local government, its 社会福祉協議会, some NPOs)."""

    def __init__(self) -> None:
        self.by_key: dict[str, SynthOrganization] = {}

    def get(self, key: str, name: str, area_code: str | None) -> SynthOrganization:
        org = self.by_key.get(key)
        if org is None:
            local_id = f"bench-org-{key}"
            org = self.by_key[key] = SynthOrganization(
                stable_uuid("organization", local_id), local_id, name, area_code
            )
        return org


def generate(n: int, seed: int = DEFAULT_SEED) -> tuple[list[SynthOrganization], list[SynthService]]:
    """``n`` synthetic services and their organisations; the same for the same ``(n, seed)``."""
    rng = random.Random(seed)
    all_areas = areas()
    organizations = _Organizations()
    services = [_service(number, rng, all_areas, organizations) for number in range(n)]
    return list(organizations.by_key.values()), services


def _area_for(number: int, rng: random.Random, all_areas: list[Area]) -> Area | None:
    # Deterministic spread: ~5% national, the rest round-robin over every local government.
    if rng.random() < NATIONAL_SHARE:
        return None
    return all_areas[number % len(all_areas)]


def _service(number: int, rng: random.Random, all_areas: list[Area], orgs: _Organizations) -> SynthService:
    area = _area_for(number, rng, all_areas)
    subject, topics, audiences, words = rng.choice(SUBJECTS)
    window = rng.choice(WINDOWS)
    if area is None:
        prefix = rng.choice(NATIONAL_PREFIXES)
        name = f"{prefix}{subject}{window}"
        npo = rng.choice(NPO_NAMES)
        form = rng.choice(NPO_FORMS)
        org = orgs.get(f"national-{form}-{npo}", f"{form}{npo}", None)
        where = "全国どこからでも"
        eligibility = "全国にお住まいの方"
    else:
        kind = rng.random()
        if kind < 0.55:
            org = orgs.get(f"{area.code}-office", _office(area), area.code)
        elif kind < 0.8:
            org = orgs.get(f"{area.code}-shakyo", f"{area.label}社会福祉協議会", area.code)
        else:
            npo = rng.choice(NPO_NAMES)
            form = rng.choice(NPO_FORMS)
            org = orgs.get(f"{area.code}-{form}-{npo}", f"{form}{npo}", area.code)
        name = f"{area.label}{subject}{window}"
        where = f"{area.label}内"
        eligibility = f"{area.label}に住んでいる、または通勤・通学している方"
    audience_codes = sorted(set(rng.sample(audiences, k=min(len(audiences), rng.randint(1, 2)))))
    if rng.random() < 0.1 and "family_of_person" not in audience_codes:
        audience_codes.append("family_of_person")
    channel_codes = ["phone", *rng.sample([c for c in CHANNELS if c != "phone"], k=rng.randint(0, 3))]
    if rng.random() < 0.1:
        channel_codes.remove("phone")
        if not channel_codes:
            channel_codes = ["in_person"]
    staff = rng.choice(STAFF)
    channel_text = "・".join(CHANNEL_PHRASES[c] for c in channel_codes)
    audience_text = "、".join(AUDIENCES[a] for a in audience_codes)
    topic_words = rng.sample(words, k=min(len(words), 2))
    topic_text = "や".join(topic_words)
    sentences = [
        rng.choice(
            [
                f"{topic_text}など、{subject}に関する悩みについて{staff}が{channel_text}で相談に応じます。",
                f"{topic_text}のことで困っている方の話を{staff}が{channel_text}で聞きます。",
                f"{subject}について、{staff}が{channel_text}で相談を受け付けています。{topic_text}もご相談ください。",
                f"{topic_text}に悩む方を、{staff}が{channel_text}で支援します。",
            ]
        ),
        f"{audience_text}の方が対象です。",
    ]
    sentences += rng.sample(SENTENCES, k=rng.randint(1, 3))
    for phrase, share in RARE:
        if rng.random() < share:
            sentences.append(phrase)
    if area is not None and rng.random() < 0.3:
        sentences.append(f"{where}の関係機関と連携しています。")
    schedule, hours_text, _ = _weighted(rng, SCHEDULES)
    status = _weighted(rng, STATUSES)[0]
    minimum_age = maximum_age = None
    if subject in ("ひきこもり", "若者サポート") and rng.random() < 0.5:
        minimum_age, maximum_age = 15, 39
    elif "under18" in audience_codes and rng.random() < 0.3:
        maximum_age = 18
    terms = sorted(
        [f"topic:{t}" for t in topics]
        + [f"audience:{a}" for a in audience_codes]
        + [f"channel:{c}" for c in channel_codes]
    )
    assert all(t.split(":")[1] in (TOPICS | AUDIENCES | CHANNELS) for t in terms)
    local_id = f"bench-{number:07d}"
    return SynthService(
        id=stable_uuid("service", local_id),
        local_id=local_id,
        organization_id=org.id,
        organization_name=org.name,
        name=name,
        alternate_name="",
        description="".join(sentences),
        eligibility_description=eligibility,
        status=status,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        free_of_charge=rng.random() < 0.9,
        anonymous=rng.random() < 0.6 if rng.random() < 0.8 else None,
        is_24h=bool(schedule and schedule.get("is_24h")),
        hours_text=hours_text,
        schedule_spec=schedule,
        area_scope="national"
        if area is None
        else ("prefecture" if area.kind == "prefecture" else "municipality"),
        area_code=None if area is None else area.code,
        prefecture_code="" if area is None else area.prefecture_code,
        terms=terms,
        languages=sorted(["ja", *rng.sample(LANGUAGES, k=rng.randint(2, 6))])
        if "foreign_resident" in topics
        else [],
    )
