"""The DuckDB (columnar) path agrees with the pure estimation to 1e-9 on the same small data set."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from tsunagari.survey import estimation
from tsunagari.survey.columnar import ColumnarError, proportions_by_group
from tsunagari.survey.design import make_design


@pytest.fixture
def data():
    rng = np.random.default_rng(20231201)
    n = 900
    columns = {
        "stratum": rng.integers(1, 8, size=n),
        "sex": rng.integers(1, 3, size=n),
        "age": rng.integers(1, 9, size=n),
        "direct": rng.choice([1, 2, 3, 4, 5, 9], size=n, p=[0.18, 0.41, 0.2, 0.15, 0.05, 0.01]),
        "ucla": rng.choice([3, 5, 8, 11], size=n, p=[0.14, 0.38, 0.41, 0.07]),
        "weight": rng.uniform(800, 3000, size=n),
    }
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE r (stratum INTEGER, sex INTEGER, age INTEGER, direct INTEGER, ucla INTEGER, weight DOUBLE)"
    )
    connection.executemany(
        "INSERT INTO r VALUES (?, ?, ?, ?, ?, ?)",
        [tuple(v.item() for v in row) for row in zip(*columns.values(), strict=False)],
    )
    yield connection, columns
    connection.close()


INDICATORS = {"often": ("direct", 5), "sometimes": ("direct", 4), "ucla_high": ("ucla", 11)}


@pytest.mark.parametrize("by", [None, "sex", "age"])
def test_agrees_with_pure_estimation(data, by):
    connection, columns = data
    got = proportions_by_group(
        connection, "r", weight="weight", strata="stratum", indicators=INDICATORS, by=by
    )
    design = make_design(weights=columns["weight"].tolist(), strata=columns["stratum"].tolist())
    assert len(got) == len(INDICATORS) * (1 if by is None else len(set(columns[by].tolist())))
    for name, (column, value) in INDICATORS.items():
        y = estimation.indicator(columns[column].tolist(), value)
        if by is None:
            expected = {None: estimation.proportion(design, y)}
        else:
            expected = {
                int(e.group): e
                for e in estimation.by_group(estimation.proportion, design, y, columns[by].tolist())
            }
        for cell in (c for c in got if c.indicator == name):
            e = expected[cell.group]
            assert cell.estimate == pytest.approx(e.estimate, rel=1e-9, abs=1e-12)
            assert cell.se == pytest.approx(e.se, rel=1e-9)
            assert cell.ci_low == pytest.approx(e.ci_low, rel=1e-9)
            assert cell.ci_high == pytest.approx(e.ci_high, rel=1e-9)


def test_bad_identifier_and_lonely_stratum_are_errors(data):
    connection, _ = data
    with pytest.raises(ColumnarError, match="not a plain column"):
        proportions_by_group(
            connection, "r; DROP TABLE r", weight="weight", strata="stratum", indicators=INDICATORS
        )
    connection.execute("INSERT INTO r VALUES (99, 1, 1, 1, 3, 1000.0)")
    with pytest.raises(ColumnarError, match="single sampled row"):
        proportions_by_group(connection, "r", weight="weight", strata="stratum", indicators=INDICATORS)
