"""The ``tsunagari`` command, called through its real entry point."""

from __future__ import annotations

import json

import pytest

from tsunagari.cli import main

pytestmark = pytest.mark.django_db


def test_search_json_shape(capsys):
    assert main(["directory", "search", "孤独", "--json", "--limit", "5"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert 0 < len(results) <= 5
    for item in results:
        assert set(item) >= {"id", "name", "topics", "phones", "is_24h", "open_now", "score"}
        assert isinstance(item["phones"], list) and isinstance(item["score"], int)


def test_search_with_filters(capsys):
    assert (
        main(["directory", "search", "相談", "--area", "13", "--topic", "suicide", "--age", "30", "--json"])
        == 0
    )
    results = json.loads(capsys.readouterr().out)
    assert results and all("suicide" in r["topics"] for r in results)


def test_search_bad_area_is_a_clear_error(capsys):
    assert main(["directory", "search", "孤独", "--area", "999999"]) == 1
    assert "area" in capsys.readouterr().err


def test_import_reports_row_and_column_and_fails(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nservices:\n  - id: x\n    name: ''\n", encoding="utf-8")
    assert main(["directory", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "nothing imported" in err and "row 1" in err


def test_setup_is_idempotent(capsys):
    assert main(["setup"]) == 0
    out = capsys.readouterr().out
    assert "0 created, 0 updated" in out


def test_stale_lists_unverified_entries(capsys):
    assert main(["directory", "stale"]) == 0
    assert "never" in capsys.readouterr().out


def test_triage_json_puts_verified_crisis_lines_first(capsys):
    from tsunagari.directory.models import Service

    assert main(["triage", "もう消えたい。借金が返せない", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["crisis"] is True
    assert out["topics"][0] == "suicide" and "debt_legal" in out["topics"]
    first = Service.objects.get(pk=out["services"][0]["id"])
    assert first.crisis_line and first.verification == "verified" and first.is_24h
    for item in out["services"]:
        assert set(item) == {"id", "name", "phones", "is_24h"}


def test_triage_without_crisis_suggests_services_for_the_topics(capsys):
    from tsunagari.directory.models import Service

    assert main(["triage", "I lost my job and cannot pay my rent", "--lang", "en", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["crisis"] is False and {"employment", "housing"} <= set(out["topics"])
    first = Service.objects.get(pk=out["services"][0]["id"])
    codes = {t.split(":")[1] for t in first.terms.values_list("id", flat=True)}
    assert codes & {"employment", "housing"}


def test_triage_unknown_language_is_an_error(capsys):
    assert main(["triage", "hello", "--lang", "xx"]) == 1
    assert "language" in capsys.readouterr().err
