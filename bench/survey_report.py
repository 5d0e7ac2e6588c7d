"""Survey benchmarks: the national report on 11,000 respondents, the same estimates in R, 10 million rows.

    .venv/bin/python bench/survey_report.py [--respondents 11000] [--rows 10000000] [--repeat 5]
                                            [--skip-r] [--skip-columnar] [--no-report]

All data are **synthetic** (numpy, fixed seeds), shaped like the national survey — not survey data.

(a) **Full national report** — 11,000 respondents × 30 questions (q01 the direct question, q02–q04
    the UCLA items, q05–q30 categorical questions with 2–7 options, ~1 % 無回答), 10 regional strata,
    weights = stratum population ÷ respondents, raked to sex and age‑band population margins
    (``calibration.rake``). Timed from the raw columns: design, raking, then for each of the 31
    tables (30 questions + the UCLA band) the distribution overall, by age band (8), by sex (2) and by
    sex × age band (16) — every cell with its Taylor‑linearised SE and 95 % logit interval
    (``batch_estimation.distribution``) — and, for every cell, the year‑on‑year tests against the
    previous year's report (a second synthetic sample, estimated beforehand, untimed: it is last
    year's published report): the national report's pooled z‑test and the design‑based difference.
    Target ≤ 2 s (median of ``--repeat`` runs).
(b) **The same in R** ``survey`` (``svydesign(ids=~1, strata=~region, weights=~w)``, ``rake`` on the
    same margins, ``svymean`` / ``svyby(..., svymean)`` per question and grouping, the logit
    intervals and both tests vectorised), on the same data in the same run, timed inside R (data
    loading excluded on both sides). Installs ``r-base-core r-cran-survey`` with apt when Rscript is
    missing and apt is available; otherwise the R part is recorded as not run. R's estimates and SEs
    are compared with ours (largest relative difference reported). Goal ≥ 5× faster.
(c) **10 million respondents, columnar** — DuckDB: a synthetic table generated inside DuckDB (hash
    of the row number; 47 strata, sex, 8 age bands, the direct question, UCLA band, contact, weights),
    then ``columnar.proportions_by_group`` for four key indicators overall, by sex, by age band and by
    sex × age band. Runs in a child process so that its peak memory (``ru_maxrss``) is its own.
    Targets ≤ 60 s and ≤ 8 GiB.

Results go to ``bench/out/results-survey.json``; the "Survey" section of BENCHMARKS.md is rewritten
with ``bench.helpline_report.replace_section`` (``bench/run.py --only survey`` runs this script).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

# One BLAS thread: the machines these run on are small and shared; a multi-threaded BLAS spinning on
# a busy two-core machine made the report several times slower (set before numpy is imported).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for entry in (ROOT, ROOT / "src"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from bench.helpline_report import replace_section  # noqa: E402
from tsunagari.survey import batch_estimation, scoring  # noqa: E402
from tsunagari.survey.calibration import Margin, rake  # noqa: E402
from tsunagari.survey.design import make_design  # noqa: E402
from tsunagari.survey.estimation import Estimate  # noqa: E402
from tsunagari.survey.tests_of_difference import independent_difference, pooled_z_test  # noqa: E402

OUT = ROOT / "bench" / "out"
RESULT = OUT / "results-survey.json"
REPORT = ROOT / "BENCHMARKS.md"
SECTION = "Survey"
TOKYO = ZoneInfo("Asia/Tokyo")
REGIONS = ("北海道", "東北", "関東", "北陸", "中部", "近畿", "中国", "四国", "九州", "沖縄")
REGION_SHARE = (0.041, 0.068, 0.347, 0.042, 0.117, 0.176, 0.057, 0.029, 0.112, 0.011)
AGES = ("16-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80+")
AGE_SHARE = (0.04, 0.11, 0.12, 0.15, 0.16, 0.14, 0.16, 0.12)  # synthetic population shares
SEX_SHARE = {"male": 0.485, "female": 0.515}
POPULATION = 108_000_000  # synthetic population aged 16+ (a round figure, not an official count)
GROUPINGS = ("overall", "age", "sex", "sexage")
TARGET_SECONDS = 2.0
TARGET_RATIO = 5.0
TARGET_COLUMNAR_SECONDS = 60.0
TARGET_COLUMNAR_GIB = 8.0


# -- synthetic data --------------------------------------------------------------------------------


def questions() -> dict[str, tuple[str, ...]]:
    """Question code → its categories (option codes as text, then 無回答)."""
    spec = {"q01": tuple(str(k) for k in range(1, 6))}
    for q in ("q02", "q03", "q04"):
        spec[q] = tuple(str(k) for k in range(1, 5))
    for k in range(5, 31):
        spec[f"q{k:02d}"] = tuple(str(v) for v in range(1, 2 + (k % 6) + 1))
    return {q: (*options, scoring.NO_ANSWER) for q, options in spec.items()}


def synthetic(n: int, seed: int) -> dict[str, np.ndarray]:
    """Columns of ``n`` synthetic respondents (answers as text; '' = 無回答)."""
    rng = np.random.default_rng(seed)
    data: dict[str, np.ndarray] = {
        "region": rng.choice(REGIONS, size=n, p=REGION_SHARE),
        "sex": rng.choice(list(SEX_SHARE), size=n, p=[0.46, 0.54]),
        "age": rng.choice(AGES, size=n, p=[0.03, 0.075, 0.11, 0.15, 0.17, 0.18, 0.19, 0.095]),
    }
    lonely = rng.normal(size=n) + np.where(np.isin(data["age"], ("20-29", "30-39")), 0.3, 0.0)
    for q, categories in questions().items():
        options = len(categories) - 1
        if q in ("q01", "q02", "q03", "q04"):
            cut = np.quantile(lonely, np.linspace(0, 1, options + 1)[1:-1]) + rng.normal(
                0, 0.3, size=options - 1
            )
            answer = np.searchsorted(np.sort(cut), lonely + rng.normal(0, 0.6, size=n)) + 1
            if q == "q01":
                answer = options + 1 - answer  # 5 = しばしばある・常にある for the loneliest
        else:
            answer = rng.choice(np.arange(1, options + 1), size=n, p=rng.dirichlet(np.ones(options) * 3))
        text = answer.astype(str)
        text[rng.random(n) < 0.01] = ""
        data[q] = text
    return data


def base_weights(region: np.ndarray) -> np.ndarray:
    counts = {r: int((region == r).sum()) for r in REGIONS}
    population = {r: POPULATION * s for r, s in zip(REGIONS, REGION_SHARE, strict=False)}
    return np.array([population[r] / counts[r] for r in region])


# -- (a) the report in Python ----------------------------------------------------------------------


def python_report(data: dict[str, np.ndarray], previous: dict | None = None) -> dict:
    """Every table of the synthetic report; with ``previous`` (an earlier result), every cell tested."""
    region = data["region"].tolist()
    design = make_design(weights=base_weights(data["region"]).tolist(), strata=region)
    sex, age = data["sex"].tolist(), data["age"].tolist()
    design = rake(
        design,
        [
            Margin([sex], {s: POPULATION * share for s, share in SEX_SHARE.items()}),
            Margin([age], {a: POPULATION * share for a, share in zip(AGES, AGE_SHARE, strict=False)}),
        ],
    )
    sexage = [f"{s}|{a}" for s, a in zip(sex, age, strict=False)]
    prepared = {
        "overall": batch_estimation.domains(design),
        "age": batch_estimation.domains(design, age),
        "sex": batch_estimation.domains(design, sex),
        "sexage": batch_estimation.domains(design, sexage),
    }
    counts = {
        name: {g: int(m.sum()) for g, m in zip(d.labels, d.masks, strict=False)}
        for name, d in prepared.items()
    }
    tables: dict[tuple[str, str], list[Estimate]] = {}
    columns = {q: np.where(data[q] == "", scoring.NO_ANSWER, data[q]) for q in questions()}
    columns["ucla"] = np.array(_ucla_column(data))
    categories = {**questions(), "ucla": tuple(b.code for b in scoring.UCLA_BANDS)}
    for q, cats in categories.items():
        for name, domains in prepared.items():
            tables[(q, name)] = batch_estimation.distribution(design, columns[q], cats, prepared=domains)
    tests = []
    if previous is not None:
        for key, cells in tables.items():
            before = {(c.group, c.level): c for c in previous["tables"][key]}
            grouping = key[1]
            for cell in cells:
                old = before.get((cell.group, cell.level))
                if old is None:
                    continue
                n_now = counts[grouping][cell.group]
                n_old = previous["counts"][grouping][old.group]
                tests.append(
                    (
                        key,
                        cell.group,
                        cell.level,
                        pooled_z_test(old.estimate, n_old, cell.estimate, n_now),
                        independent_difference(old, cell),
                    )
                )
    return {"tables": tables, "counts": counts, "tests": tests, "design": design}


def time_python(data, previous, repeat: int) -> tuple[list[float], list[float], dict]:
    """Wall and CPU seconds of each run (after a warm-up run), and the last result."""
    python_report(data, previous)  # warm-up (imports, caches)
    times, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = python_report(data, previous)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return times, cpu, result


# -- (b) the same in R -----------------------------------------------------------------------------

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(TRUE)
d <- read.csv(args[1], colClasses = "character", na.strings = character(0))
d$w <- as.numeric(d$w)
prev <- read.csv(args[2], colClasses = c("character", "character", "character", "character", "numeric", "numeric", "numeric"), na.strings = character(0))
spec <- read.csv(args[3], colClasses = "character")
pop_sex <- read.csv(args[4], colClasses = c("character", "numeric"))
pop_age <- read.csv(args[5], colClasses = c("character", "numeric"))
out_file <- args[6]
repeats <- as.integer(args[7])
qs <- unique(spec$question)
for (q in qs) d[[q]] <- factor(d[[q]], levels = spec$level[spec$question == q])
d$sexage <- paste(d$sex, d$age, sep = "|")
run <- function() {
  des <- svydesign(ids = ~1, strata = ~region, weights = ~w, data = d)
  des <- rake(des, list(~sex, ~age), list(pop_sex, pop_age))
  rows <- list()
  for (q in qs) {
    f <- as.formula(paste0("~", q))
    m <- svymean(f, des)
    rows[[length(rows) + 1]] <- data.frame(question = q, grouping = "overall", grp = "",
      level = sub(paste0("^", q), "", names(coef(m))), estimate = unname(coef(m)), se = unname(SE(m)),
      n = nrow(d))
    for (g in c("age", "sex", "sexage")) {
      b <- svyby(f, as.formula(paste0("~", g)), des, svymean)
      est <- coef(b); se <- as.vector(as.matrix(SE(b)))  # groups x levels, column-major = coef order
      parts <- do.call(rbind, strsplit(names(est), ":", fixed = TRUE))
      counts <- table(d[[g]])
      rows[[length(rows) + 1]] <- data.frame(question = q, grouping = g, grp = parts[, 1],
        level = sub(paste0("^", q), "", parts[, 2]), estimate = unname(est), se = unname(se),
        n = as.vector(counts[parts[, 1]]))
    }
  }
  res <- do.call(rbind, rows)
  # logit intervals with each domain's degrees of freedom (rows in the domain minus its strata)
  strata_in <- function(g) tapply(d$region, d[[g]], function(x) length(unique(x)))
  df <- rep(degf(des), nrow(res))
  for (g in c("age", "sex", "sexage")) {
    k <- res$grouping == g
    df[k] <- res$n[k] - strata_in(g)[res$grp[k]]
  }
  tq <- qt(0.975, df)
  p <- res$estimate
  half <- tq * res$se / (p * (1 - p))
  res$ci_low <- plogis(qlogis(p) - half)
  res$ci_high <- plogis(qlogis(p) + half)
  # year-on-year: pooled z-test on counts and the design-based difference, every cell
  key <- paste(res$question, res$grouping, res$grp, res$level)
  old <- prev[match(key, paste(prev$question, prev$grouping, prev$grp, prev$level)), ]
  pooled <- (old$estimate * old$n + p * res$n) / (old$n + res$n)
  res$z_pooled <- (p - old$estimate) / sqrt(pooled * (1 - pooled) * (1 / old$n + 1 / res$n))
  res$z_design <- (p - old$estimate) / sqrt(old$se^2 + res$se^2)
  res
}
times <- numeric(0)
cpu <- numeric(0)
for (i in seq_len(repeats)) {
  t0 <- proc.time()
  res <- run()
  t1 <- proc.time()
  times <- c(times, t1[["elapsed"]] - t0[["elapsed"]])
  cpu <- c(cpu, t1[["user.self"]] + t1[["sys.self"]] - t0[["user.self"]] - t0[["sys.self"]])
}
write.csv(res, out_file, row.names = FALSE)
cat(sprintf("R_TIMES %s\n", paste(times, collapse = ",")))
cat(sprintf("R_CPU %s\n", paste(cpu, collapse = ",")))
cat(sprintf("R_VERSION %s survey %s\n", R.version.string, as.character(packageVersion("survey"))))
"""


def ensure_r() -> str | None:
    """Path of Rscript, installing R and survey with apt when missing (None if that is impossible)."""
    found = shutil.which("Rscript")
    if found and _has_survey(found):
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    print("installing r-base-core r-cran-survey with apt-get", flush=True)
    proc = subprocess.run([apt, "install", "-y", "r-base-core", "r-cran-survey"], check=False)
    found = shutil.which("Rscript")
    return found if proc.returncode == 0 and found and _has_survey(found) else None


def _has_survey(rscript: str) -> bool:
    proc = subprocess.run([rscript, "-e", "library(survey)"], capture_output=True, check=False)
    return proc.returncode == 0


def _write(path: Path, header: list[str], rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def run_r(data, previous, repeat: int) -> dict:
    rscript = ensure_r()
    if rscript is None:
        return {
            "ran": False,
            "reason": "Rscript with the survey package is not available and apt-get is missing",
        }
    work = OUT / "survey-r"
    work.mkdir(parents=True, exist_ok=True)
    weights = base_weights(data["region"])
    qs = list(questions())
    ucla = _ucla_column(data)
    names = ["region", "sex", "age", "w", *qs, "ucla"]
    _write(
        work / "data.csv",
        names,
        zip(data["region"], data["sex"], data["age"], (repr(float(w)) for w in weights),
            *(np.where(data[q] == "", scoring.NO_ANSWER, data[q]) for q in qs), ucla, strict=False),
    )  # fmt: skip
    spec = [(q, c) for q, cats in questions().items() for c in cats]
    spec += [("ucla", b.code) for b in scoring.UCLA_BANDS]
    _write(work / "spec.csv", ["question", "level"], spec)
    prev_rows = []
    for (q, grouping), cells in previous["tables"].items():
        for c in cells:
            n = previous["counts"][grouping][c.group]
            prev_rows.append((q, grouping, c.group or "", c.level, c.estimate, c.se, n))
    _write(work / "previous.csv", ["question", "grouping", "grp", "level", "estimate", "se", "n"], prev_rows)
    _write(work / "pop_sex.csv", ["sex", "Freq"], [(s, POPULATION * p) for s, p in SEX_SHARE.items()])
    _write(
        work / "pop_age.csv",
        ["age", "Freq"],
        [(a, POPULATION * p) for a, p in zip(AGES, AGE_SHARE, strict=False)],
    )
    script = work / "survey_report.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    files = [work / f for f in ("data.csv", "previous.csv", "spec.csv", "pop_sex.csv", "pop_age.csv")]
    cmd = [rscript, str(script), *map(str, files), str(work / "result.csv"), str(repeat)]
    started = time.perf_counter()
    proc = subprocess.run(
        cmd, capture_output=True, text=True, check=False, env=dict(os.environ, LC_ALL="C.UTF-8")
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        return {"ran": False, "reason": f"Rscript failed: {proc.stderr.strip()[-500:]}"}
    times = [
        float(t)
        for line in proc.stdout.splitlines()
        if line.startswith("R_TIMES")
        for t in line.split()[1].split(",")
    ]
    cpu = [
        float(t)
        for line in proc.stdout.splitlines()
        if line.startswith("R_CPU")
        for t in line.split()[1].split(",")
    ]
    version = next(
        (line[len("R_VERSION ") :] for line in proc.stdout.splitlines() if line.startswith("R_VERSION")), ""
    )
    with open(work / "result.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        "ran": True,
        "times": times,
        "cpu_times": cpu,
        "wall_seconds": wall,
        "version": version,
        "rows": rows,
    }


def _ucla_column(data) -> list[str]:
    out = []
    for triple in zip(data["q02"], data["q03"], data["q04"], strict=False):
        out.append(scoring.ucla_band(scoring.ucla_total([v or None for v in triple])).code)
    return out


def compare(result: dict, r_rows: list[dict]) -> dict:
    """Largest differences between our cells and R's (estimates, SEs, intervals, z statistics)."""
    ours = {}
    for (q, grouping), cells in result["tables"].items():
        for c in cells:
            ours[(q, grouping, c.group or "", c.level)] = c
    tests = {(key[0], key[1], group or "", level): (z1, z2) for key, group, level, z1, z2 in result["tests"]}
    worst = {"estimate": 0.0, "se": 0.0, "ci": 0.0, "z_pooled": 0.0, "z_design": 0.0}
    matched = 0
    for row in r_rows:
        key = (row["question"], row["grouping"], row["grp"], row["level"])
        cell = ours.get(key)
        if cell is None:
            continue
        matched += 1
        worst["estimate"] = max(worst["estimate"], abs(cell.estimate - float(row["estimate"])))
        if cell.se > 0:
            worst["se"] = max(worst["se"], abs(cell.se - float(row["se"])) / cell.se)
        if row["ci_low"] not in ("NA", "NaN") and 0 < cell.estimate < 1:
            worst["ci"] = max(
                worst["ci"],
                abs(cell.ci_low - float(row["ci_low"])),
                abs(cell.ci_high - float(row["ci_high"])),
            )
        z = tests.get(key)
        if z and row["z_pooled"] not in ("NA", "NaN", "Inf", "-Inf"):
            worst["z_pooled"] = max(worst["z_pooled"], abs(z[0].z - float(row["z_pooled"])))
            worst["z_design"] = max(worst["z_design"], abs(z[1].z - float(row["z_design"])))
    return {"cells_compared": matched, "cells_ours": len(ours), "max_abs_diff": worst}


# -- (c) 10 million rows in DuckDB -----------------------------------------------------------------

COLUMNAR_SQL = """
CREATE TABLE r AS
SELECT
  (hash(i * 8 + 1) % 47)::SMALLINT AS stratum,
  (hash(i * 8 + 2) % 2 + 1)::TINYINT AS sex,
  (hash(i * 8 + 3) % 8 + 1)::TINYINT AS age,
  CASE WHEN hash(i * 8 + 4) % 1000 < 48 THEN 5 WHEN hash(i * 8 + 4) % 1000 < 196 THEN 4
       WHEN hash(i * 8 + 4) % 1000 < 393 THEN 3 WHEN hash(i * 8 + 4) % 1000 < 807 THEN 2
       WHEN hash(i * 8 + 4) % 1000 < 985 THEN 1 ELSE 9 END::TINYINT AS direct,
  CASE WHEN hash(i * 8 + 5) % 1000 < 69 THEN 1 WHEN hash(i * 8 + 5) % 1000 < 470 THEN 2
       WHEN hash(i * 8 + 5) % 1000 < 855 THEN 3 WHEN hash(i * 8 + 5) % 1000 < 992 THEN 4
       ELSE 9 END::TINYINT AS ucla_band,
  CASE WHEN hash(i * 8 + 6) % 1000 < 92 THEN 1 ELSE 2 END::TINYINT AS contact,
  500.0 + (hash(i * 8 + 7) % 100000) / 50.0 AS weight
FROM range(?) t(i)
"""
COLUMNAR_INDICATORS = {
    "direct_often_always": ("direct", 5),
    "direct_sometimes": ("direct", 4),
    "ucla_10_12": ("ucla_band", 1),
    "contact_never": ("contact", 1),
}


def columnar_worker(rows: int) -> dict:
    import duckdb

    from tsunagari.survey.columnar import proportions_by_group

    connection = duckdb.connect()
    connection.execute("SET threads TO 2")
    started = time.perf_counter()
    connection.execute(COLUMNAR_SQL, [rows])
    connection.execute("ALTER TABLE r ADD COLUMN sexage SMALLINT")
    connection.execute("UPDATE r SET sexage = sex * 10 + age")
    generated = time.perf_counter() - started
    started = time.perf_counter()
    cells = 0
    timings = {}
    sample = {}
    for by in (None, "sex", "age", "sexage"):
        t0 = time.perf_counter()
        result = proportions_by_group(
            connection, "r", weight="weight", strata="stratum", indicators=COLUMNAR_INDICATORS, by=by
        )
        timings[by or "overall"] = round(time.perf_counter() - t0, 3)
        cells += len(result)
        if by is None:
            sample = {c.indicator: {"estimate": c.estimate, "se": c.se} for c in result}
    estimated = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": rows,
        "generate_seconds": round(generated, 2),
        "estimate_seconds": round(estimated, 2),
        "by_grouping_seconds": timings,
        "cells": cells,
        "overall": sample,
        "peak_rss_gib": round(peak_kib / 1024**2, 2),
        "duckdb": duckdb.__version__,
    }


def run_columnar(rows: int) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--columnar-worker", str(rows)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        return {"ran": False, "reason": proc.stderr.strip()[-500:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["ran"] = True
    result["process_seconds"] = round(time.perf_counter() - started, 2)
    return result


# -- the report section ----------------------------------------------------------------------------


def machine() -> dict:
    """The machine description every section of BENCHMARKS.md uses (``bench.run._machine``)."""
    from bench.run import _machine

    return _machine()


def section(results: dict) -> list[str]:
    m = results["machine"]
    a = results["python"]
    median = a["median_seconds"]
    lines = [
        f"## {SECTION}",
        "",
        f"Measured {results['measured_at']} by `bench/survey_report.py` (`bench/run.py --only survey`) on "
        f"{m['cpu']}, {m['cores']} cores, {m['ram']} RAM, {m['os']}; Python {results['python_version']}, "
        f"numpy {results['numpy']}. All data **synthetic** (fixed seeds), shaped like the national survey.",
        "",
        "| what | data | time | target |",
        "|---|---|---:|---|",
        f"| (a) full national report, Python (`batch_estimation`) | {a['respondents']:,} respondents × 30 questions, "
        f"{a['tables']} tables ({a['cells']:,} cells with SE and 95 % logit CI), {a['tests']:,} cells × 2 year-on-year tests | "
        f"median {median:.2f} s wall (min {min(a['times']):.2f}, max {max(a['times']):.2f}; {len(a['times'])} runs), "
        f"{a['median_cpu_seconds']:.2f} s CPU | "
        f"≤ {TARGET_SECONDS:.0f} s: {'met' if median <= TARGET_SECONDS else '**missed**'} (wall)"
        f"{'; CPU time within it' if median > TARGET_SECONDS and a['median_cpu_seconds'] <= TARGET_SECONDS else ''} |",
    ]
    r = results["r"]
    if r.get("ran"):
        r_median = statistics.median(r["times"])
        ratio = r_median / median
        r_cpu = statistics.median(r["cpu_times"]) if r.get("cpu_times") else None
        cpu_ratio = (
            f", CPU {r_cpu:.2f} s → **{r_cpu / a['median_cpu_seconds']:.0f}×** by CPU time" if r_cpu else ""
        )
        lines.append(
            f"| (b) the same in R `survey` ({r['version']}) | same data, same run | median {r_median:.2f} s wall "
            f"({len(r['times'])} run(s)); ours is **{ratio:.0f}×** faster{cpu_ratio} | ≥ {TARGET_RATIO:.0f}×: "
            f"{'met' if ratio >= TARGET_RATIO else '**missed**'} |"
        )
    else:
        lines.append(
            f"| (b) the same in R `survey` | — | not run: {r.get('reason')} | ≥ {TARGET_RATIO:.0f}×: not measured |"
        )
    c = results["columnar"]
    if c.get("ran"):
        ok = (
            c["estimate_seconds"] + c["generate_seconds"] <= TARGET_COLUMNAR_SECONDS
            and c["peak_rss_gib"] <= TARGET_COLUMNAR_GIB
        )
        lines.append(
            f"| (c) columnar (DuckDB {c['duckdb']}, `survey.columnar`) | {c['rows']:,} respondents, 47 strata, "
            f"4 indicators × (overall, sex, 8 age bands, 16 sex × age) = {c['cells']} cells | generate "
            f"{c['generate_seconds']:.1f} s + estimate {c['estimate_seconds']:.1f} s; peak memory "
            f"{c['peak_rss_gib']:.2f} GiB | ≤ {TARGET_COLUMNAR_SECONDS:.0f} s and ≤ {TARGET_COLUMNAR_GIB:.0f} GiB: "
            f"{'met' if ok else '**missed**'} |"
        )
    else:
        lines.append(f"| (c) columnar | — | not run: {c.get('reason')} | — |")
    lines += [
        "",
        "(a) From the raw columns: `make_design` (10 regional strata, weights = stratum population ÷ "
        "respondents), `rake` to sex and age-band margins, then 31 distributions (30 questions and the UCLA "
        "band, 無回答 as its own category) each overall, by 8 age bands, by sex and by 16 sex × age cells; every "
        "cell tested against the previous year's report (a second synthetic sample estimated beforehand, "
        "untimed) with the report's pooled z-test and the design-based difference. Times are medians of "
        "repeated runs in one process after a warm-up run, one BLAS thread. The machine is shared (2 cores; "
        f"1-minute load average {a['load_average'][0]} before and {a['load_average'][1]} after the runs), so "
        "wall time is above CPU time; both are shown.",
    ]
    if r.get("ran"):
        d = results["agreement"]["max_abs_diff"]
        lines += [
            "",
            f"(b) R: `svydesign(ids=~1, strata=~region, weights=~w)`, `rake(~sex, ~age)`, `svymean` and "
            "`svyby(..., svymean)` per question and grouping, logit intervals and both tests vectorised; timed "
            "inside R with `proc.time()` around the same work (reading the CSV excluded, as the Python side "
            f"starts from columns in memory). R process wall time {r['wall_seconds']:.1f} s. Agreement over "
            f"{results['agreement']['cells_compared']:,} cells: largest |Δ estimate| {d['estimate']:.1e}, "
            f"relative Δ SE {d['se']:.1e}, |Δ CI bound| {d['ci']:.1e}, |Δ z| {d['z_pooled']:.1e} (pooled) and "
            f"{d['z_design']:.1e} (design-based).",
        ]
    if c.get("ran"):
        lines += [
            "",
            "(c) The table is generated inside DuckDB from hashes of the row number (generation time shown "
            "separately); `columnar.proportions_by_group` reduces it to weighted sums per (group, stratum) in "
            "one scan per grouping and finishes in numpy (stratified design with fixed weights; it agrees with "
            "`estimation.by_group` to 1e-9, `tests/survey/test_columnar.py`). DuckDB limited to 2 threads; "
            "peak memory is the child process's `ru_maxrss`. Per grouping: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in c["by_grouping_seconds"].items())
            + ".",
        ]
    return lines


def write_report(results: dict) -> None:
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    REPORT.write_text(replace_section(text, section(results), SECTION), encoding="utf-8")
    print(f"wrote {REPORT}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=11_000)
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the columnar benchmark")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--r-repeat", type=int, default=1)
    parser.add_argument("--skip-r", action="store_true")
    parser.add_argument("--skip-columnar", action="store_true")
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--columnar-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.columnar_worker:
        print(json.dumps(columnar_worker(args.columnar_worker)))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    print("== (a) national report in Python", flush=True)
    last_year = python_report(synthetic(args.respondents, seed=2022))
    data = synthetic(args.respondents, seed=2023)
    load_before = os.getloadavg()[0]
    times, cpu, result = time_python(data, last_year, args.repeat)
    cells = sum(len(c) for c in result["tables"].values())
    python = {
        "respondents": args.respondents,
        "times": [round(t, 4) for t in times],
        "cpu_times": [round(t, 4) for t in cpu],
        "median_seconds": round(statistics.median(times), 4),
        "median_cpu_seconds": round(statistics.median(cpu), 4),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "tables": len(result["tables"]),
        "cells": cells,
        "tests": len(result["tests"]),
    }
    print(json.dumps(python), flush=True)
    r: dict = {"ran": False, "reason": "skipped (--skip-r)"}
    agreement = {}
    if not args.skip_r:
        print("== (b) the same in R survey", flush=True)
        r = run_r(data, last_year, args.r_repeat)
        if r.get("ran"):
            agreement = compare(result, r.pop("rows"))
            print(json.dumps({"r_times": r["times"], **agreement}), flush=True)
        else:
            print(r["reason"], flush=True)
    columnar: dict = {"ran": False, "reason": "skipped (--skip-columnar)"}
    if not args.skip_columnar:
        print(f"== (c) {args.rows:,} rows in DuckDB", flush=True)
        columnar = run_columnar(args.rows)
        print(json.dumps(columnar), flush=True)
    results = {
        "measured_at": datetime.now(TOKYO).strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "python_version": platform.python_version(),
        "numpy": np.__version__,
        "python": python,
        "r": r,
        "agreement": agreement,
        "columnar": columnar,
    }
    RESULT.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.no_report:
        write_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
