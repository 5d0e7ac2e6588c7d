"""The CPSV-J CSV importer (pure; no Django): the real 2021 file and malformed fixtures."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest

from tsunagari.core.vocabulary import AUDIENCES, CHANNELS, TOPICS
from tsunagari.directory.importers.cpsvj import (
    DEFAULT_MAPPING,
    REQUIRED_COLUMNS,
    MappingError,
    load_mapping,
    parse_cpsvj,
    stable_id,
)
from tsunagari.directory.importers.errors import ImportValidationError, RowError

CANDIDATES = (
    DEFAULT_MAPPING.parent / "notalone-cas-2021" / "data.csv",  # shipped with the package
    Path("/work/shared/data/notalone-cas-2021/data.csv"),
)
REAL_CSV = next((path for path in CANDIDATES if path.exists()), CANDIDATES[0])


@pytest.fixture(scope="module")
def services():
    if not REAL_CSV.exists():
        pytest.skip(f"notalone-cas-2021/data.csv not found in {[str(p) for p in CANDIDATES]}")
    return parse_cpsvj(REAL_CSV)


@pytest.fixture(scope="module")
def by_name(services):
    return {service.name: service for service in services}


# --------------------------------------------------------------------------- the real file


def test_real_file_has_122_services_with_unique_stable_ids(services):
    assert len(services) == 122
    ids = [service.id for service in services]
    assert len(set(ids)) == 122
    assert all(re.fullmatch(r"cas2021-[0-9a-f]{12}", sid) for sid in ids)
    assert [service.row for service in services] == list(range(4, 126))  # records, header = 1


def test_parsing_twice_gives_identical_services(services):
    again = parse_cpsvj(REAL_CSV)
    assert [s.id for s in again] == [s.id for s in services]
    assert again == services


def test_stable_id_is_sha1_of_nfkc_provider_and_name():
    digest = hashlib.sha1("厚生労働省|生活困窮者自立支援制度".encode()).hexdigest()[:12]
    assert stable_id("厚生労働省", "生活困窮者自立支援制度") == "cas2021-" + digest
    assert stable_id(" ＦＲＥＳＣ ", "ヘルプデスク") == stable_id("FRESC", "ヘルプデスク")
    assert stable_id("", "児童手当") != stable_id("内閣府", "児童手当")


def test_every_row_has_a_topic_and_an_audience_from_the_vocabulary(services):
    for service in services:
        assert service.topics, service.name
        assert service.audiences, service.name
        assert set(service.topics) <= set(TOPICS)
        assert set(service.audiences) <= set(AUDIENCES)
        assert set(service.channels) <= set(CHANNELS)


@pytest.mark.parametrize(
    ("name", "topics"),
    [
        ("生活困窮者自立支援制度", {"poverty"}),
        ("住居確保給付金", {"housing", "poverty"}),
        ("生活保護制度", {"poverty"}),
        ("日本司法支援センター（法テラス）", {"debt_legal"}),
        ("消費者ホットライン", {"debt_legal"}),
        ("DV相談ナビ", {"dv_sexual_violence"}),
        ("児童相談所", {"abuse", "child_rearing"}),
        ("総合労働相談コーナー", {"employment", "gender_sexuality", "foreign_resident"}),
        ("ひきこもり支援推進事業", {"hikikomori", "loneliness"}),
        ("依存症相談拠点機関", {"addiction"}),
        ("精神保健福祉センター", {"mental_health"}),
        ("児童扶養手当", {"single_parent"}),
        ("遺族年金", {"bereavement"}),
        ("地域包括支援センター", {"elderly", "caregiving"}),
        ("犯罪被害者等早期援助団体", {"crime_victim"}),
        ("ＦＲＥＳＣヘルプデスク", {"foreign_resident"}),
        ("障害年金", {"disability"}),
        ("高等学校等就学支援金・高校生等奨学給付金", {"bullying_school", "poverty"}),
    ],
)
def test_rows_map_to_expected_topics(by_name, name, topics):
    assert topics <= set(by_name[name].topics)


@pytest.mark.parametrize(
    ("name", "absent"),
    [
        ("求職者支援制度", {"caregiving", "child_rearing"}),  # names of training courses
        ("特別児童扶養手当", {"single_parent"}),  # contains 児童扶養手当
        ("摂食障害情報ポータルサイト", {"disability"}),
        ("死亡一時金", {"disability", "elderly"}),
        ("こども医療でんわ相談", {"housing"}),  # お住まい
        (
            "低所得の子育て世帯に対する子育て世帯生活支援特別給付金（ひとり親世帯以外の低所得の子育て世帯分）",
            {"single_parent"},
        ),
    ],
)
def test_misleading_keywords_do_not_give_topics(by_name, name, absent):
    assert not absent & set(by_name[name].topics)


def test_audiences(by_name):
    assert "under18" in by_name["児童相談所"].audiences
    assert "under18" in by_name["性暴力に関するSNS相談「Cure time（キュアタイム）」"].audiences
    assert by_name["児童手当"].audiences == ("adult",)  # claimed by parents
    assert by_name["生活保護制度"].audiences == ("adult",)  # the default
    assert "elderly" in by_name["老齢年金"].audiences
    assert "family_of_person" in by_name["ひきこもり支援推進事業"].audiences
    assert "foreign_resident" in by_name["ＦＲＥＳＣヘルプデスク"].audiences


def test_phones_and_channels(by_name):
    housing = by_name["住居確保給付金"]
    assert [(p["number"], p["digits"], p["label"]) for p in housing.phones] == [
        ("0120-23-5572", "0120235572", "住居確保給付金相談")
    ]
    assert "phone" in housing.channels
    assert [p["number"] for p in by_name["DV相談ナビ"].phones] == ["#8008"]
    assert [p["number"] for p in by_name["児童相談所"].phones] == ["189"]
    assert [p["number"] for p in by_name["消費者ホットライン"].phones] == ["188"]
    assert [p["number"] for p in by_name["救急安心センター"].phones] == ["#7119"]
    assert [p["number"] for p in by_name["ＦＲＥＳＣヘルプデスク"].phones] == ["0570-011000", "03-5363-3013"]
    office = by_name["小児慢性特定疾病医療費助成制度"].phones[0]
    assert (office["number"], office["extension"]) == ("03-5253-1111", "7937")
    assert by_name["DV相談プラス"].channels == ("phone", "chat", "email", "in_person", "online_form")
    assert not by_name["生活困窮者自立支援制度"].phones
    # no postal code became a phone number
    assert all(p["digits"] not in {"1600004", "6008799"} for s in by_name.values() for p in s.phones)


def test_fields(by_name):
    housing = by_name["住居確保給付金"]
    assert housing.organization == "厚生労働省"
    assert housing.url == "https://corona-support.mhlw.go.jp/jukyokakuhokyufukin/index.html"
    assert housing.urls == ("https://corona-support.mhlw.go.jp/jukyokakuhokyufukin/counter.html",)
    assert housing.description.startswith("離職などにより住居を失った方")
    assert "\n\n市区町村ごとに定める額を上限に" in housing.description  # abstract, then provisions
    assert housing.eligibility.startswith("主たる生計維持者が")
    assert housing.application.startswith("お住まいの市区町村の自立相談支援機関から申請可能")
    assert housing.issue_type == "給付・助成"
    assert housing.raw["name"] == "住居確保給付金" and housing.raw["body"].startswith("「住居確保給付金」")
    # detail_url holding two URLs: the first is the url, the second joins urls
    aids = by_name["補装具費支給制度"]
    assert aids.row == 15
    assert aids.url.endswith("/yogu/index.html") and aids.urls[0].endswith("/yogu/aiyo.html")
    assert by_name["入院助産制度"].url == "" and by_name["入院助産制度"].organization == ""


def test_every_override_matches_a_row(services):
    mapping = load_mapping()
    keys = {s.id for s in services} | {s.name for s in services}
    assert mapping.version >= 1
    assert [key for key in mapping.overrides if key not in keys] == []


# --------------------------------------------------------------------------- mapping validation


def write_mapping(tmp_path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\ntopics: {debt_lgal: [借金]}\naudiences: {}\nchannels: {}\n", "topics.debt_lgal"),
        ("version: 1\ntopics: {}\naudiences: {kids: [子ども]}\nchannels: {}\n", "audiences.kids"),
        ("version: 1\ntopics: {}\naudiences: {}\nchannels: {fax: [FAX]}\n", "channels.fax"),
        (
            "version: 1\ntopics: {}\naudiences: {}\nchannels: {}\noverrides: {X: {topics: [money]}}\n",
            "overrides.X.topics",
        ),
        (
            "version: 1\ntopics: {}\naudiences: {}\nchannels: {}\ndefault_audiences: [everyone]\n",
            "default_audiences",
        ),
        (
            "version: 1\ntopics: {poverty: {keywords: [困窮], unless: [x]}}\naudiences: {}\nchannels: {}\n",
            "topics.poverty",
        ),
        ("topics: {}\naudiences: {}\nchannels: {}\n", "version"),
        ("version: 1\ntopics: {}\naudiences: {}\nchannels: {}\ntopic: {}\n", "topic"),
    ],
)
def test_invalid_mapping_names_the_key(tmp_path, text, message):
    with pytest.raises(MappingError, match=re.escape(message)):
        load_mapping(write_mapping(tmp_path, text))


# --------------------------------------------------------------------------- malformed files

KEYS = ["from https://example.org/sheet", "provider", "name", "abstract", "provisions", "target",
        "how_to_apply", "detail_url", "contact", "issue_type"]  # fmt: skip
LABELS = ["本文", "制度所管組織", "タイトル（制度名）", "概要", "支援内容", "対象者", "利用•申請方法",
          "詳細参照先", "お問い合わせ先", "タグ（テーマ）"]  # fmt: skip
TYPES = ["", "xsd:string", "ic:名称型", "ic:記述型", "ic:記述型", "xsd:string", "xsd:string", "xsd:anyURI",
         "ic:連絡先型", "xsd:string"]  # fmt: skip


def row(name="相談窓口", provider="厚生労働省", url="https://example.go.jp/a.html", contact="", body="本文"):
    return [
        body,
        provider,
        name,
        "生活に困窮している方の相談窓口",
        "支援",
        "どなたでも",
        "窓口へ",
        url,
        contact,
        "暮らしの相談",
    ]


def write_csv(tmp_path, rows, keys=KEYS, header_rows=None) -> Path:
    path = tmp_path / "data.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(header_rows if header_rows is not None else [keys, LABELS, TYPES])
        writer.writerows(rows)
    return path


def errors_of(path) -> list[RowError]:
    with pytest.raises(ImportValidationError) as caught:
        parse_cpsvj(path)
    return caught.value.errors


def test_valid_fixture(tmp_path):
    path = write_csv(tmp_path, [row(contact="相談ダイヤル（0120-000-111）"), row(name="別の窓口", url="")])
    first, second = parse_cpsvj(path)
    assert (first.row, second.row) == (4, 5)
    assert first.phones[0]["number"] == "0120-000-111" and "phone" in first.channels
    assert first.topics == ("poverty",) and "under18" in first.audiences  # どなたでも
    assert second.url == "" and second.phones == ()


def test_missing_name_column(tmp_path):
    keys = [key if key != "name" else "title" for key in KEYS]
    errors = errors_of(write_csv(tmp_path, [row()], keys=keys))
    assert [(e.file, e.row, e.column) for e in errors] == [("data.csv", 1, "name")]
    assert "missing" in errors[0].reason


def test_every_missing_column_is_reported(tmp_path):
    errors = errors_of(write_csv(tmp_path, [row()], keys=["本文", "name"]))
    assert {e.column for e in errors} == set(REQUIRED_COLUMNS) - {"name"}
    assert {e.row for e in errors} == {1}


def test_empty_name_in_row_5(tmp_path):
    errors = errors_of(write_csv(tmp_path, [row(), row(name="  ")]))
    assert [(e.row, e.column) for e in errors] == [(5, "name")]
    assert str(errors[0]) == "data.csv row 5, column 'name': name is empty"


def test_bad_detail_url(tmp_path):
    errors = errors_of(write_csv(tmp_path, [row(), row(name="b"), row(name="c", url="www.example.go.jp/x")]))
    assert [(e.row, e.column) for e in errors] == [(6, "detail_url")]
    assert "www.example.go.jp/x" in errors[0].reason


def test_row_numbers_are_csv_records_not_lines(tmp_path):
    multi_line = row(body="一行目\n二行目\n三行目\n四行目")
    errors = errors_of(write_csv(tmp_path, [multi_line, row(name="b", url="ftp://example.go.jp/")]))
    assert [(e.row, e.column) for e in errors] == [(5, "detail_url")]  # physical line 8


def test_duplicate_stable_id(tmp_path):
    errors = errors_of(write_csv(tmp_path, [row(), row(name="b"), row(name="相談窓口 ")]))
    assert [(e.row, e.column) for e in errors] == [(6, "name")]
    assert "row 4" in errors[0].reason


def test_all_errors_are_reported_together(tmp_path):
    rows = [row(), row(name=""), row(name="b", url="not a url"), row(name="相談窓口")]
    with pytest.raises(ImportValidationError) as caught:
        parse_cpsvj(write_csv(tmp_path, rows))
    assert [(e.row, e.column) for e in caught.value.errors] == [(5, "name"), (6, "detail_url"), (7, "name")]
    message = str(caught.value)
    assert message.startswith("3 validation errors:")
    assert "data.csv row 6, column 'detail_url'" in message


def test_missing_type_row(tmp_path):
    errors = errors_of(write_csv(tmp_path, [row(), row(name="b")], header_rows=[KEYS, LABELS]))
    assert [(e.row, e.column) for e in errors] == [(3, "")]


def test_not_utf8(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(",".join(KEYS).encode() + "\n相談".encode("shift_jis"))
    errors = errors_of(path)
    assert [(e.file, e.row) for e in errors] == [("data.csv", 0)]
    assert str(errors[0]).startswith("data.csv: not UTF-8")


def test_blank_records_are_skipped(tmp_path):
    path = write_csv(tmp_path, [row(), [], [""] * len(KEYS), row(name="b")])
    assert [s.row for s in parse_cpsvj(path)] == [4, 7]
