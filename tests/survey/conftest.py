"""Fixtures of the collection tests: a toy instrument (skip logic, two languages) and a drawn sample."""

from __future__ import annotations

import pytest

from tests.survey.collection_fixtures import read_csv, write_frame, write_toy
from tsunagari.survey import selectors, services
from tsunagari.survey.instrument import load_instrument


@pytest.fixture
def toy_dir(tmp_path, monkeypatch):
    """Waves on instrument ``toy`` load it from a temporary directory (national ones still load)."""
    directory = tmp_path / "instruments"
    write_toy(directory)

    def load(name, version):
        return load_instrument(name, version, directory) if name == "toy" else load_instrument(name, version)

    monkeypatch.setattr(selectors, "load_instrument", load)
    monkeypatch.setattr(services, "load_instrument", load)
    return directory


@pytest.fixture
def drawn(tmp_path, toy_dir):
    """A toy wave with 10 drawn from 100 (district A 60, B 40); returns (wave, mailing rows)."""
    wave = services.create_wave("テスト", "toy", 1)
    frame = write_frame(tmp_path / "frame.csv", {"A": 60, "B": 40})
    services.draw_sample(wave, frame, size=10, seed=7, strata="district", mailing_list=tmp_path / "mail.csv")
    return wave, read_csv(tmp_path / "mail.csv")
