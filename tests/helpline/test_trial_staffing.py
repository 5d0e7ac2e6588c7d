"""What the trials would have needed: the pure sizing, the staff page and the CLI."""

from __future__ import annotations

import json
import logging

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.staff_login import login_staff
from tsunagari.cli import main
from tsunagari.helpline import scenarios
from tsunagari.helpline.erlang import evaluate
from tsunagari.helpline.trial_staffing import Assumptions, as_dict, trial_need, trial_needs

PAGE = "helpline:trial_staffing"


def test_every_trial_is_sized_from_its_published_figures():
    needs = trial_needs()
    assert [n.trial_id for n in needs] == [t.id for t in scenarios.trials()]
    for need, trial in zip(needs, scenarios.trials(), strict=True):
        assert (need.offered, need.connected, need.days) == (trial.offered, trial.connected, len(trial.days))
        assert need.staffing.calls_per_day == pytest.approx(trial.offered / len(trial.days))


def test_the_lines_needed_reach_the_target_and_one_fewer_does_not():
    assumptions = Assumptions()
    for need in trial_needs(assumptions):
        lines = need.staffing.peak_lines
        erlangs = need.staffing.calls_per_day / 24 * assumptions.aht_sec / 3600

        def answered(n, erlangs=erlangs):
            return evaluate(
                "a", erlangs, n, aht_sec=assumptions.aht_sec, patience_sec=assumptions.patience_sec
            ).answered_fraction

        assert answered(lines) >= assumptions.target > answered(lines - 1)


def test_the_published_rates_below_the_target_imply_fewer_lines_than_needed():
    for need in trial_needs():
        rate = need.connected / need.offered
        assert rate < 0.8
        assert need.staffing.implied_lines < need.staffing.peak_lines


def test_longer_calls_need_more_lines():
    trial = scenarios.trial("trial1")
    short = trial_need(trial, Assumptions(aht_sec=600)).staffing.peak_lines
    long = trial_need(trial, Assumptions(aht_sec=2400)).staffing.peak_lines
    assert long > short


def test_patience_is_dropped_outside_erlang_a_and_bad_models_are_refused():
    assert Assumptions(model="b").patience_sec is None
    with pytest.raises(ValueError, match="model"):
        Assumptions(model="x")


def test_results_say_their_assumptions_are_not_published():
    summary = as_dict(trial_needs()[0])
    assert summary["assumptions"]["published"] is False
    assert summary["assumptions"]["aht_sec"] == 1200.0


def test_cli_prints_every_trial_as_json(capsys):
    assert main(["helpline", "trial-staffing", "--aht-sec", "900", "--target", "0.7", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [t["trial"] for t in out["trials"]] == [t.id for t in scenarios.trials()]
    assert all(t["assumptions"]["aht_sec"] == 900 for t in out["trials"])


def test_cli_refuses_a_target_out_of_range():
    with pytest.raises(SystemExit, match="target"):
        main(["helpline", "trial-staffing", "--target", "1.5"])


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user("planner", password="a-long-password-1", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_contact", content_type__app_label="helpline")
    )
    return user


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse(PAGE))
    assert response.status_code == 302 and "next=" in response["Location"]


@pytest.mark.django_db
def test_staff_see_every_trial_with_the_assumptions(client, staff, caplog):
    login_staff(client, staff)
    with caplog.at_level(logging.INFO, logger="tsunagari.audit"):
        html = client.get(
            reverse(PAGE), {"model": "a", "aht_minutes": 30, "patience_sec": 90, "target_percent": 75}
        ).content.decode()
    for trial in scenarios.trials():
        assert trial.name in html
    assert "仮定" in html and "30" in html
    expected = trial_need(scenarios.trial("newyear"), Assumptions(aht_sec=1800, patience_sec=90, target=0.75))
    assert f"<strong>{expected.staffing.peak_lines}</strong>" in html
    assert any(getattr(r, "audit", {}).get("event") == "helpline.staffing.view" for r in caplog.records)


@pytest.mark.django_db
def test_bad_assumptions_are_refused_with_the_field_named(client, staff):
    login_staff(client, staff)
    response = client.get(
        reverse(PAGE), {"model": "a", "aht_minutes": 0, "patience_sec": 60, "target_percent": 80}
    )
    assert response.status_code == 400
    assert 'id="id_aht_minutes-errors"' in response.content.decode()
