# Expected values for tests/survey: R `survey` is the correctness anchor of tsunagari.survey.
#
# Regenerate (from the repository root; needs the Debian packages r-base-core r-cran-survey
# r-cran-jsonlite, which `apt-get install -y r-base-core r-cran-survey` brings in):
#
#     LC_ALL=C.UTF-8 Rscript tests/survey/r/make_expected.R
#
# Produced with R 4.2.2 Patched (2022-11-10 r83330) and survey 4.1.1 (Debian bookworm); the
# versions are also written into tests/survey/data/expected.json ("generated_by").
#
# It writes, under tests/survey/data/:
#   apistrat.csv, apiclus1.csv, apiclus2.csv  R's bundled `api` samples (the columns the tests use)
#   loneliness.csv                            a synthetic, loneliness-shaped two-stage sample
#                                             (set.seed below; NOT real survey data)
#   loneliness_lonely_psu.csv                 the same plus a region with a single municipality,
#                                             for the lonely-PSU options
#   expected.json                             estimates, SEs and CIs for every case below
#   distributions.json                        qnorm/qt/qbeta values for the pure-Python quantiles
# The tests read only these files: R is not needed to run them.
#
# Each case carries its own specification (data file, design columns, calibration, statistic), so
# the Python side builds the same design from the same description.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

out_dir <- file.path("tests", "survey", "data")
stopifnot(dir.exists(out_dir))
write_data <- function(df, name) {
  write.csv(df, file.path(out_dir, name), row.names = FALSE, na = "", fileEncoding = "UTF-8")
}

# --- the data -------------------------------------------------------------------------------

data(api)
keep <- c("cds", "stype", "dnum", "snum", "api00", "api99", "enroll", "meals", "sch.wide",
          "comp.imp", "awards", "yr.rnd")
apistrat_df <- apistrat[, c(keep, "pw", "fpc")]
apistrat_df$fpc_fraction <- 1 / apistrat_df$pw  # n_h / N_h: fpc given as a sampling fraction
apiclus1_df <- apiclus1[, c(keep, "pw", "fpc")]
apiclus2_df <- apiclus2[, c(keep, "pw", "fpc1", "fpc2")]
write_data(apistrat_df, "apistrat.csv")
write_data(apiclus1_df, "apiclus1.csv")
write_data(apiclus2_df, "apiclus2.csv")

# Synthetic loneliness survey: 5 regions (strata), municipalities (PSUs) drawn without replacement
# within regions, residents (SSUs) within municipalities; weights = design weight x a
# non-response factor. Answers follow the national instrument's codes: direct question 1-5
# (1 = never ... 5 = often/always), UCLA items 1-4; NA = no answer.
set.seed(20240329)
age_bands <- c("16-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80+")
regions <- data.frame(region = paste0("R", 1:5), M = c(40, 35, 60, 25, 50), m = c(6, 5, 8, 4, 7))
rows <- list()
for (h in seq_len(nrow(regions))) {
  munis <- sort(sample.int(regions$M[h], regions$m[h]))
  for (mu in munis) {
    N_i <- sample(2000:50000, 1)
    k <- sample(8:20, 1)
    latent <- rnorm(k)
    sex <- sample(c("male", "female"), k, replace = TRUE, prob = c(0.48, 0.52))
    age <- sample(age_bands, k, replace = TRUE,
                  prob = c(0.03, 0.08, 0.11, 0.15, 0.17, 0.18, 0.19, 0.09))
    bump <- ifelse(age %in% c("20-29", "30-39", "40-49"), 0.35, 0) + ifelse(sex == "male", 0.1, 0)
    direct <- as.integer(cut(latent + bump, c(-Inf, -0.9, 0.25, 0.8, 1.55, Inf)))
    direct[runif(k) < 0.015] <- NA
    item <- function() {
      v <- as.integer(cut(latent + bump + rnorm(k, sd = 0.8), c(-Inf, -0.8, 0.3, 1.6, Inf)))
      v[runif(k) < 0.004] <- NA
      v
    }
    rows[[length(rows) + 1]] <- data.frame(
      region = regions$region[h], muni = sprintf("%s-%02d", regions$region[h], mu),
      fpc1 = regions$M[h], fpc2 = N_i,
      weight = round((regions$M[h] / regions$m[h]) * (N_i / k) * runif(k, 0.8, 1.25), 3),
      sex = sex, age_band = age, direct = direct, ucla1 = item(), ucla2 = item(), ucla3 = item())
  }
}
lonely <- do.call(rbind, rows)
lonely$id <- seq_len(nrow(lonely))
lonely <- lonely[, c("id", setdiff(names(lonely), "id"))]
write_data(lonely, "loneliness.csv")

# The derived columns the Python side computes with tsunagari.survey.scoring (the national
# report's categories, missing answers as their own category), written here independently.
derive <- function(df) {
  codes <- c("never", "hardly_ever", "occasionally", "sometimes", "often_always")
  df$direct_category <- ifelse(is.na(df$direct), "no_answer", codes[df$direct])
  total <- df$ucla1 + df$ucla2 + df$ucla3
  df$ucla_total <- total
  df$ucla_band <- ifelse(is.na(total), "no_answer",
                  ifelse(total >= 10, "10-12", ifelse(total >= 7, "7-9", ifelse(total >= 4, "4-6", "3"))))
  df
}

# Lonely-PSU data: the loneliness sample plus a sixth region with a single sampled municipality.
lonely_psu <- lonely[lonely$region == "R5" & lonely$muni == lonely$muni[lonely$region == "R5"][1], ]
lonely_psu$region <- "R6"
lonely_psu$muni <- "R6-01"
lonely_psu$fpc1 <- 12
lonely_psu$id <- lonely_psu$id + 100000
lonely6 <- rbind(lonely, lonely_psu)
write_data(lonely6, "loneliness_lonely_psu.csv")

datasets <- list(
  apistrat.csv = apistrat_df, apiclus1.csv = apiclus1_df, apiclus2.csv = apiclus2_df,
  loneliness.csv = derive(lonely), loneliness_lonely_psu.csv = derive(lonely6))

# --- the cases ------------------------------------------------------------------------------

fml <- function(vars) as.formula(paste("~", paste(vars, collapse = "+")))

make_design <- function(df, spec) {
  args <- list(ids = if (length(spec$clusters)) fml(spec$clusters) else ~1, data = df, nest = TRUE)
  if (!is.null(spec$weights)) args$weights <- fml(spec$weights)
  if (!is.null(spec$strata)) args$strata <- fml(spec$strata)
  if (length(spec$fpc)) args$fpc <- fml(spec$fpc)
  d <- do.call(svydesign, args)
  cal <- spec$calibration
  if (!is.null(cal)) {
    pop_df <- function(m) {
      p <- as.data.frame(lapply(m$population, function(col) if (is.list(col)) unlist(col) else col),
                         stringsAsFactors = FALSE)
      p
    }
    if (cal$type == "poststratify") {
      d <- postStratify(d, fml(cal$margins[[1]]$variables), pop_df(cal$margins[[1]]))
    } else if (cal$type == "rake") {
      d <- rake(d, lapply(cal$margins, function(m) fml(m$variables)), lapply(cal$margins, pop_df))
    }
  }
  d
}

row_of <- function(group, estimate, se, ci) {
  list(group = group, estimate = as.numeric(estimate), se = as.numeric(se),
       ci_low = as.numeric(ci[1]), ci_high = as.numeric(ci[2]))
}

run_case <- function(spec) {
  options(survey.lonely.psu = if (is.null(spec$lonely_psu)) "fail" else spec$lonely_psu)
  df <- datasets[[spec$data]]
  if (!is.null(spec$value)) {
    v <- as.character(df[[spec$variable]])
    df$.ind <- as.numeric(!is.na(v) & v == spec$value)
  }
  d <- make_design(df, spec)
  stat <- spec$statistic
  by <- spec$by
  if (stat %in% c("mean", "total")) {
    FUN <- if (stat == "mean") svymean else svytotal
    if (is.null(by)) {
      r <- FUN(fml(spec$variable), d, na.rm = TRUE)
      return(list(row_of(NULL, coef(r), SE(r), confint(r))))
    }
    r <- svyby(fml(spec$variable), fml(by), d, FUN, na.rm = TRUE, vartype = c("se", "ci"))
    return(lapply(seq_len(nrow(r)), function(i)
      row_of(as.character(r[i, by]), coef(r)[i], SE(r)[i], c(r$ci_l[i], r$ci_u[i]))))
  }
  if (stat %in% c("prop_logit", "prop_beta")) {
    method <- sub("prop_", "", stat)
    if (is.null(by)) {
      r <- svyciprop(~.ind, d, method = method)
      return(list(row_of(NULL, coef(r), SE(r), confint(r))))
    }
    r <- svyby(~.ind, fml(by), d, svyciprop, method = method, vartype = c("se", "ci"))
    return(lapply(seq_len(nrow(r)), function(i)
      row_of(as.character(r[i, by]), coef(r)[i], SE(r)[i], c(r$ci_l[i], r$ci_u[i]))))
  }
  if (stat == "crosstab") {
    # row percentages of `variable` within each level of `by`, as svyby(~factor(variable), ~by, svymean)
    df$.col <- factor(df[[spec$variable]])
    d <- make_design(df, spec)
    r <- svyby(~.col, fml(by), d, svymean, vartype = "se")
    lv <- levels(df$.col)
    out <- list()
    for (i in seq_len(nrow(r))) for (j in seq_along(lv)) {
      est <- r[i, paste0(".col", lv[j])]
      se <- r[i, paste0("se.", ".col", lv[j])]
      row <- row_of(as.character(r[i, by]), est, se, c(NA, NA))
      row$level <- lv[j]
      out[[length(out) + 1]] <- row
    }
    return(out)
  }
  if (stat == "difference") {
    # p(group2) - p(group1) for two domains of one design, as the coefficient of svyglm.
    df$.g <- factor(df[[by]], levels = spec$groups)
    d <- make_design(df, spec)
    d <- subset(d, !is.na(.g))
    m <- svyglm(.ind ~ .g, d)
    est <- coef(m)[2]
    se <- SE(m)[2]
    return(list(row_of(paste(spec$groups, collapse = " vs "), est, se, c(NA, NA))))
  }
  stop("unknown statistic ", stat)
}

cases <- list()
add <- function(id, ...) {
  spec <- list(id = id, ...)
  res <- tryCatch(run_case(spec), error = function(e) e)
  if (inherits(res, "error")) {
    spec$error <- conditionMessage(res)
  } else {
    spec$results <- res
  }
  cases[[length(cases) + 1]] <<- spec
}

pop_types <- list(variables = list("stype"),
                  population = list(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018)))
pop_schwide <- list(variables = list("sch.wide"),
                    population = list(sch.wide = c("No", "Yes"), Freq = c(1072, 5122)))

strat <- list(data = "apistrat.csv", weights = "pw", strata = "stype", clusters = list(), fpc = list("fpc"))
strat_frac <- modifyList(strat, list(fpc = list("fpc_fraction")))
strat_nofpc <- modifyList(strat, list(fpc = list()))
clus1 <- list(data = "apiclus1.csv", weights = "pw", clusters = list("dnum"), fpc = list("fpc"))
clus1_nofpc <- modifyList(clus1, list(fpc = list()))
clus2 <- list(data = "apiclus2.csv", clusters = list("dnum", "snum"), fpc = list("fpc1", "fpc2"))
clus2_w <- modifyList(clus2, list(weights = "pw"))
clus2_nofpc <- list(data = "apiclus2.csv", weights = "pw", clusters = list("dnum", "snum"), fpc = list())
clus1_ps <- modifyList(clus1, list(calibration = list(type = "poststratify", margins = list(pop_types))))
clus1_rake <- modifyList(clus1, list(calibration = list(type = "rake", margins = list(pop_types, pop_schwide))))
strat_ps <- modifyList(strat, list(calibration = list(type = "poststratify", margins = list(pop_schwide))))

case_set <- function(prefix, design) {
  do.call(add, c(list(paste0(prefix, "_mean_api00"), statistic = "mean", variable = "api00"), design))
  do.call(add, c(list(paste0(prefix, "_total_enroll"), statistic = "total", variable = "enroll"), design))
  do.call(add, c(list(paste0(prefix, "_mean_enroll_na"), statistic = "mean", variable = "enroll"), design))
  do.call(add, c(list(paste0(prefix, "_mean_api00_by_stype"), statistic = "mean", variable = "api00", by = "stype"), design))
  do.call(add, c(list(paste0(prefix, "_total_enroll_by_awards"), statistic = "total", variable = "enroll", by = "awards"), design))
  do.call(add, c(list(paste0(prefix, "_prop_logit_schwide"), statistic = "prop_logit", variable = "sch.wide", value = "Yes"), design))
  do.call(add, c(list(paste0(prefix, "_prop_beta_yrrnd"), statistic = "prop_beta", variable = "yr.rnd", value = "Yes"), design))
  do.call(add, c(list(paste0(prefix, "_prop_logit_yrrnd_by_stype"), statistic = "prop_logit", variable = "yr.rnd", value = "Yes", by = "stype"), design))
  do.call(add, c(list(paste0(prefix, "_prop_beta_awards_by_stype"), statistic = "prop_beta", variable = "awards", value = "Yes", by = "stype"), design))
  do.call(add, c(list(paste0(prefix, "_crosstab_awards_by_stype"), statistic = "crosstab", variable = "awards", by = "stype"), design))
  do.call(add, c(list(paste0(prefix, "_difference_schwide_E_H"), statistic = "difference", variable = "sch.wide", value = "Yes", by = "stype", groups = list("E", "H")), design))
}
case_set("apistrat", strat)
case_set("apistrat_fpcfraction", strat_frac)
case_set("apistrat_nofpc", strat_nofpc)
case_set("apiclus1", clus1)
case_set("apiclus1_nofpc", clus1_nofpc)
case_set("apiclus2", clus2)
case_set("apiclus2_weights", clus2_w)
case_set("apiclus2_nofpc", clus2_nofpc)
case_set("apiclus1_poststratified", clus1_ps)
case_set("apiclus1_raked", clus1_rake)
case_set("apistrat_poststratified", strat_ps)

# Loneliness-shaped cases.
lon2 <- list(data = "loneliness.csv", weights = "weight", strata = "region", clusters = list("muni", "id"),
             fpc = list("fpc1", "fpc2"))
lon1 <- list(data = "loneliness.csv", weights = "weight", strata = "region", clusters = list("muni"),
             fpc = list("fpc1"))
pop_sex <- list(variables = list("sex"), population = list(sex = c("female", "male"), Freq = c(5480000, 5020000)))
pop_age <- list(variables = list("age_band"),
                population = list(age_band = age_bands,
                                  Freq = c(350000, 1020000, 1150000, 1480000, 1610000, 1490000, 1830000, 1570000)))
sa <- expand.grid(sex = c("female", "male"), age_band = age_bands, stringsAsFactors = FALSE)
sa$Freq <- round(c(170000, 180000, 500000, 520000, 565000, 585000, 730000, 750000, 800000, 810000,
                   760000, 730000, 960000, 870000, 995000, 575000))
pop_sex_age <- list(variables = list("sex", "age_band"),
                    population = list(sex = sa$sex, age_band = sa$age_band, Freq = sa$Freq))
lon2_rake <- modifyList(lon2, list(calibration = list(type = "rake", margins = list(pop_sex, pop_age))))
lon2_ps <- modifyList(lon2, list(calibration = list(type = "poststratify", margins = list(pop_sex_age))))

for (d in list(list("lon2", lon2), list("lon1", lon1), list("lon2_raked", lon2_rake), list("lon2_poststratified", lon2_ps))) {
  prefix <- d[[1]]
  design <- d[[2]]
  for (code in c("often_always", "sometimes", "no_answer")) {
    do.call(add, c(list(paste0(prefix, "_prop_logit_direct_", code), statistic = "prop_logit",
                        variable = "direct_category", value = code), design))
  }
  do.call(add, c(list(paste0(prefix, "_prop_beta_direct_often"), statistic = "prop_beta",
                      variable = "direct_category", value = "often_always"), design))
  do.call(add, c(list(paste0(prefix, "_prop_logit_often_by_age"), statistic = "prop_logit",
                      variable = "direct_category", value = "often_always", by = "age_band"), design))
  do.call(add, c(list(paste0(prefix, "_prop_beta_often_by_sex"), statistic = "prop_beta",
                      variable = "direct_category", value = "often_always", by = "sex"), design))
  do.call(add, c(list(paste0(prefix, "_crosstab_ucla_by_sex"), statistic = "crosstab",
                      variable = "ucla_band", by = "sex"), design))
  do.call(add, c(list(paste0(prefix, "_mean_ucla_total"), statistic = "mean", variable = "ucla_total"), design))
  do.call(add, c(list(paste0(prefix, "_mean_ucla_total_by_age"), statistic = "mean", variable = "ucla_total",
                      by = "age_band"), design))
  do.call(add, c(list(paste0(prefix, "_total_direct"), statistic = "total", variable = "direct"), design))
  do.call(add, c(list(paste0(prefix, "_difference_often_male_female"), statistic = "difference",
                      variable = "direct_category", value = "often_always", by = "sex",
                      groups = list("female", "male")), design))
}

lonely_base <- list(data = "loneliness_lonely_psu.csv", weights = "weight", strata = "region",
                    clusters = list("muni", "id"), fpc = list("fpc1", "fpc2"))
for (lp in c("fail", "remove", "adjust", "certainty", "average")) {
  design <- modifyList(lonely_base, list(lonely_psu = lp))
  do.call(add, c(list(paste0("lonelypsu_", lp, "_mean_ucla_total"), statistic = "mean", variable = "ucla_total"), design))
  do.call(add, c(list(paste0("lonelypsu_", lp, "_total_direct"), statistic = "total", variable = "direct"), design))
  do.call(add, c(list(paste0("lonelypsu_", lp, "_prop_logit_often_by_sex"), statistic = "prop_logit",
                      variable = "direct_category", value = "often_always", by = "sex"), design))
  one <- modifyList(design, list(clusters = list("muni"), fpc = list("fpc1")))
  do.call(add, c(list(paste0("lonelypsu1_", lp, "_mean_ucla_total"), statistic = "mean", variable = "ucla_total"), one))
  do.call(add, c(list(paste0("lonelypsu1_", lp, "_mean_ucla_total_by_age"), statistic = "mean",
                      variable = "ucla_total", by = "age_band"), one))
}

# The pooled two-proportion z-test (prop.test without continuity correction: X-squared = z^2).
ztests <- lapply(list(c(1772, 11218, 1649, 11141), c(505, 11218, 535, 11141), c(12, 300, 25, 310),
                      c(50, 60, 40, 70)), function(a) {
  t <- suppressWarnings(prop.test(c(a[1], a[3]), c(a[2], a[4]), correct = FALSE))
  list(x1 = a[1], n1 = a[2], x2 = a[3], n2 = a[4], chi_squared = unname(t$statistic), p_value = t$p.value)
})

info <- list(R = R.version.string, survey = as.character(packageVersion("survey")),
             jsonlite = as.character(packageVersion("jsonlite")))
write_json(list(generated_by = info, cases = cases, pooled_z_tests = ztests),
           file.path(out_dir, "expected.json"), auto_unbox = TRUE, digits = NA, pretty = TRUE,
           null = "null", na = "null")

# Quantiles for tsunagari.survey.distributions.
grid <- list()
for (p in c(0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.9995)) {
  grid[[length(grid) + 1]] <- list(kind = "qnorm", p = p, value = qnorm(p))
  for (df in c(1, 2, 3, 7.5, 30, 197, 5000)) grid[[length(grid) + 1]] <- list(kind = "qt", p = p, df = df, value = qt(p, df))
  for (ab in list(c(0.5, 0.5), c(1, 1), c(2.3, 40.7), c(45.5, 900), c(0.02, 3), c(1200, 8))) {
    grid[[length(grid) + 1]] <- list(kind = "qbeta", p = p, a = ab[1], b = ab[2], value = qbeta(p, ab[1], ab[2]))
  }
}
write_json(list(generated_by = info, quantiles = grid), file.path(out_dir, "distributions.json"),
           auto_unbox = TRUE, digits = NA, pretty = TRUE)
cat("wrote", length(cases), "cases\n")
