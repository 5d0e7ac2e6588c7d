"""The shared vocabulary of the product (see BRIEF.md): topics, audiences, channels.

Codes are stable identifiers used by the directory, the navigator, the line and the statistics.
Labels here are the Japanese source strings; the Django layer translates them for display.
This module imports nothing from Django so pure modules can use it.
"""

from __future__ import annotations

TOPICS: dict[str, str] = {
    "loneliness": "孤独・孤立、話し相手や居場所がない",
    "suicide": "死にたい・消えたい気持ち",
    "mental_health": "心の不調・病気",
    "poverty": "生活困窮・お金",
    "housing": "住まい",
    "employment": "仕事・失業・職場",
    "family": "家庭・家族関係",
    "caregiving": "介護・ケア（ヤングケアラー含む）",
    "child_rearing": "妊娠・出産・子育て",
    "dv_sexual_violence": "DV・性暴力・ストーカー",
    "abuse": "虐待",
    "bullying_school": "いじめ・不登校・学校",
    "gender_sexuality": "性別の違和、性的指向",
    "single_parent": "ひとり親",
    "foreign_resident": "外国人・外国語での相談",
    "disability": "障害",
    "health_illness": "病気・けが",
    "bereavement": "死別",
    "debt_legal": "借金・法律・消費者トラブル",
    "hikikomori": "ひきこもり",
    "addiction": "依存症",
    "crime_victim": "犯罪被害",
    "elderly": "高齢者の暮らし",
}

AUDIENCES: dict[str, str] = {
    "under18": "18歳以下",
    "youth": "若者（18〜29歳）",
    "adult": "大人",
    "elderly": "高齢者",
    "family_of_person": "家族・周りの人",
    "foreign_resident": "外国人",
    "supporter": "支援者",
}

CHANNELS: dict[str, str] = {
    "phone": "電話",
    "sms": "SMS",
    "line": "LINE",
    "chat": "チャット",
    "email": "メール",
    "in_person": "対面",
    "visit": "訪問（アウトリーチ）",
    "online_form": "ウェブフォーム",
}

#: Age bounds (inclusive) that each age-defined audience covers; used for the `age` filter.
AUDIENCE_AGES: dict[str, tuple[int, int]] = {
    "under18": (0, 18),
    "youth": (18, 29),
    "adult": (18, 200),
    "elderly": (65, 200),
}


def audiences_for_age(age: int) -> set[str]:
    """Audiences a person of ``age`` belongs to (age-neutral audiences are not included)."""
    return {code for code, (low, high) in AUDIENCE_AGES.items() if low <= age <= high}
