"""Waves, sampling with access codes, online drafts, mail-in imports and response rates (Django)."""

from __future__ import annotations

import json

import pytest

from tests.survey.collection_fixtures import read_csv, write_frame
from tsunagari.cli import main
from tsunagari.survey import selectors, services
from tsunagari.survey.csvrows import ValidationReport
from tsunagari.survey.models import AccessCode, Response, Sample, SampleFrame, SampleMember, Wave

pytestmark = pytest.mark.django_db


def test_waves_national_and_local():
    national = services.create_wave("令和５年", "national", 1)
    assert (national.instrument, national.instrument_version, national.local_government) == (
        "national",
        1,
        None,
    )
    tottori = services.create_wave("鳥取県", "tottori", 1)
    assert tottori.local_government_id == "310000"
    with pytest.raises(services.CollectionError, match="belongs to local government 310000"):
        services.create_wave("x", "tottori", 1, "131016")


def test_sample_records_seed_and_strata_and_keeps_no_personal_data(drawn):
    wave, mailing = drawn
    sample = Sample.objects.get(wave=wave)
    assert (sample.size, sample.seed, sample.allocation) == (10, 7, {"A": 6, "B": 4})
    frame = SampleFrame.objects.get(wave=wave)
    assert (frame.rows, frame.strata_column, frame.stratum_sizes) == (100, "district", {"A": 60, "B": 40})
    assert list(mailing[0]) == ["access_code", "resident_id", "name", "address", "district"]
    assert sorted(row["district"] for row in mailing) == ["A"] * 6 + ["B"] * 4
    stored = json.dumps(list(AccessCode.objects.values()), default=str) + json.dumps(
        list(SampleMember.objects.values()), default=str
    )
    for row in mailing:
        assert row["access_code"] not in stored and row["name"] not in stored and row["address"] not in stored
    assert AccessCode.objects.filter(member__sample=sample).count() == 10


def test_same_seed_same_sample(tmp_path, drawn):
    _, first = drawn
    again = services.create_wave("テスト2", "toy", 1)
    frame = tmp_path / "frame.csv"
    services.draw_sample(
        again, frame, size=10, seed=7, strata="district", mailing_list=tmp_path / "again.csv"
    )
    second = read_csv(tmp_path / "again.csv")
    assert [r["resident_id"] for r in second] == [r["resident_id"] for r in first]
    assert {r["access_code"] for r in second}.isdisjoint(r["access_code"] for r in first)


def test_bad_frame_reports_rows_and_columns_and_writes_nothing(tmp_path, toy_dir):
    wave = services.create_wave("テスト", "toy", 1)
    frame = tmp_path / "bad.csv"
    frame.write_text("resident_id,district\nR1,A\nR2,\nR3,B,extra\n", encoding="utf-8")
    with pytest.raises(ValidationReport) as caught:
        services.draw_sample(wave, frame, size=1, seed=1, strata="district", mailing_list=tmp_path / "m.csv")
    assert [(p.row, p.column, p.reason) for p in caught.value.problems] == [
        (2, "district", "empty cell"),
        (3, "", "3 cells, the header has 2"),
    ]
    with pytest.raises(ValidationReport, match="column 'ward': missing column"):
        services.draw_sample(wave, frame, size=1, seed=1, strata="ward", mailing_list=tmp_path / "m.csv")
    with pytest.raises(services.CollectionError, match="larger than the frame"):
        services.draw_sample(
            wave, write_frame(tmp_path / "f.csv", {"A": 3}), size=4, seed=1, mailing_list=tmp_path / "m.csv"
        )
    assert not (tmp_path / "m.csv").exists()
    assert (
        not Sample.objects.filter(wave=wave).exists() and not SampleFrame.objects.filter(wave=wave).exists()
    )


def test_online_draft_resume_and_submit_once(drawn):
    _, mailing = drawn
    code = mailing[0]["access_code"]
    for bad, reason in (("nonsense", "malformed"), ("AAAA-AAAA-AAAA", "unknown")):
        with pytest.raises(services.CollectionError, match=reason):
            services.open_response(bad)
    response = services.open_response(code.lower().replace("-", " "))
    assert services.save_answer(response, "worried", "1", direction="next") is None
    assert response.current_question == "followup"
    assert "is not an option" in services.save_answer(response, "followup", "z", direction="next")
    resumed = services.open_response(code)
    assert resumed.pk == response.pk and resumed.answers == {"worried": "1"}
    assert resumed.current_question == "followup" and resumed.channel == "online"
    services.save_answer(resumed, "followup", "a", direction="next")
    services.save_answer(resumed, "worried", "2", direction="stay")  # the follow-up is dropped
    assert Response.objects.get(pk=resumed.pk).answers == {"worried": "2"}
    services.submit(resumed)
    assert Response.objects.get(pk=resumed.pk).status == "submitted"
    with pytest.raises(services.CollectionError, match="used"):
        services.open_response(code)


def test_a_closed_wave_takes_no_answers(drawn):
    wave, mailing = drawn
    wave.is_open = False
    wave.save()
    with pytest.raises(services.CollectionError, match="closed"):
        services.open_response(mailing[0]["access_code"])


def _mail_file(path, header, *rows):
    path.write_text("\n".join([",".join(header), *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    return path


def test_mail_import_all_or_nothing_with_a_report(tmp_path, drawn):
    wave, mailing = drawn
    codes = [row["access_code"] for row in mailing]
    services.submit(services.open_response(codes[3]))
    bad = _mail_file(
        tmp_path / "bad.csv",
        ["access_code", "worried", "followup", "events"],
        [codes[0], "1", "a", "x;y"],
        [codes[1], "2", "b", "x"],  # follow-up answered although skipped
        [codes[2], "3", "", "x;none"],  # no option 3; none with x
        [codes[0], "1", "", ""],  # same code twice
        ["AAAA-AAAA-AAAA", "", "", ""],  # unknown code
        [codes[3], "", "", ""],  # already answered online
    )
    with pytest.raises(ValidationReport) as caught:
        services.import_mail(wave, bad)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {
        (2, "followup"),
        (3, "worried"),
        (3, "events"),
        (4, "access_code"),
        (5, "access_code"),
        (6, "access_code"),
    }
    assert "answered although skipped" in str(caught.value)
    assert not Response.objects.filter(wave=wave, channel="mail").exists()

    header_bad = _mail_file(
        tmp_path / "h.csv", ["access_code", "undocumented", "nosuch"], [codes[0], "p", "1"]
    )
    with pytest.raises(ValidationReport) as caught:
        services.import_mail(wave, header_bad)
    assert {(p.row, p.column) for p in caught.value.problems} == {(0, "undocumented"), (0, "nosuch")}

    draft = services.open_response(codes[1])
    services.save_answer(draft, "worried", "1", direction="next")
    good = _mail_file(
        tmp_path / "good.csv",
        ["access_code", "worried", "followup", "events"],
        [codes[0], "1", "a", "y;x"],
        [codes[1], "2", "", ""],
    )
    assert services.import_mail(wave, good) == 2
    first = Response.objects.get(access_code__member__sample__wave=wave, answers__followup="a")
    assert (first.status, first.channel, first.answers) == (
        "submitted",
        "mail",
        {"worried": "1", "followup": "a", "events": ["x", "y"]},
    )
    assert Response.objects.get(pk=draft.pk).channel == "mail"  # the mail return replaced the draft
    assert AccessCode.objects.filter(used_at__isnull=False).count() == 3


def test_response_rate_by_stratum_selector_and_cli(drawn, capsys):
    wave, mailing = drawn
    by_stratum = {}
    for row in mailing:
        by_stratum.setdefault(row["district"], []).append(row["access_code"])
    services.submit(services.open_response(by_stratum["A"][0]))
    services.submit(services.open_response(by_stratum["A"][1]))
    services.open_response(by_stratum["B"][0])  # a draft is not a response
    rates = {r.stratum: r for r in selectors.response_rates(wave)}
    assert (rates["A"].sampled, rates["A"].submitted, rates["A"].online, rates["A"].rate) == (6, 2, 2, 2 / 6)
    assert (rates["B"].submitted, rates["B"].drafts) == (0, 1)
    assert (rates[None].sampled, rates[None].submitted) == (10, 2)
    assert main(["survey", "response-rate", "--wave", str(wave.pk), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["stratum"] for s in data["strata"]] == ["A", "B", None]
    assert data["strata"][0]["rate"] == pytest.approx(1 / 3)


def test_cli_wave_sample_and_import(tmp_path, capsys):
    assert main(["survey", "wave-create", "--name", "令和５年", "--instrument", "national"]) == 0
    wave = Wave.objects.get(name="令和５年")
    frame = write_frame(tmp_path / "frame.csv", {"北部": 5, "南部": 15})
    out = tmp_path / "mailing.csv"
    args = [
        "survey",
        "sample",
        str(frame),
        "--wave",
        str(wave.pk),
        "--size",
        "4",
        "--strata",
        "district",
        "--seed",
        "2023",
        "--mailing-list",
        str(out),
    ]
    assert main([*args[:8], "ward", *args[9:]]) == 1  # no such column: nothing written
    assert "column 'ward': missing column" in capsys.readouterr().err
    assert not out.exists() and not Sample.objects.filter(wave=wave).exists()
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "seed 2023" in printed and "北部\t1" in printed and "南部\t3" in printed
    codes = [row["access_code"] for row in read_csv(out)]
    answers = _mail_file(
        tmp_path / "answers.csv",
        ["access_code", "direct", "ucla_1", "ucla_2", "ucla_3", "events"],
        [codes[0], "4", "3", "2", "1", "living_alone;moving"],
        [codes[1], "6", "", "", "", "none;moving"],
    )
    assert main(["survey", "import-mail", str(answers), "--wave", str(wave.pk)]) == 1
    err = capsys.readouterr().err
    assert "row 2 (line 3), column 'direct': 6 is not an option of direct" in err
    assert "row 2 (line 3), column 'events'" in err
    assert not Response.objects.filter(wave=wave).exists()
    answers.write_text(
        answers.read_text(encoding="utf-8").replace(",6,", ",5,").replace("none;moving", "none"),
        encoding="utf-8",
    )
    assert main(["survey", "import-mail", str(answers), "--wave", str(wave.pk)]) == 0
    assert Response.objects.filter(wave=wave, status="submitted", channel="mail").count() == 2


def test_cli_instrument_check(tmp_path, capsys):
    from tsunagari.survey.instrument import INSTRUMENTS_DIR

    assert main(["survey", "instrument-check", str(INSTRUMENTS_DIR / "tottori_v1.yaml")]) == 0
    out = capsys.readouterr().out
    assert "tottori@1: 18 questions, 7 asked" in out and "tottori_views_on_support\tnot asked" in out
    bad = tmp_path / "bad_v1.yaml"
    bad.write_text("instrument: bad\nversion: 1\ntitle: {ja: x}\nquestions: []\n", encoding="utf-8")
    assert main(["survey", "instrument-check", str(bad)]) == 1
    assert "key 'questions': must be a non-empty list" in capsys.readouterr().err
