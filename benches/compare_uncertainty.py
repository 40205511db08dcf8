#!/usr/bin/env python3
"""Time mlfit's uncertainty features against R (fitdistrplus, stats4) and scipy, side by side.

Run from the repository root after `cargo build --release`:

    # R with fitdistrplus (stats4 is base R); Python with numpy and scipy >= 1.10
    python3 benches/compare_uncertainty.py [--repeats 5] [--slow-repeats 3] [--skip-large]

Data: the shipped data/wind_speed.csv (column speed_ms, weibull, n = 1000) and
data/latency.csv (column latency_ms, gamma, n = 2000), and a seeded 1e5-row weibull file
written to a temporary directory (--large-rows, or --skip-large to leave it out).

For each data set it times, wall clock, median of --repeats runs (of --slow-repeats runs for
a measurement whose first run takes longer than --slow-after seconds), in the same process
one after the other:

  se         `mlfit fit FILE -f FAMILY --se all --format json` (observed, expected and sandwich
             standard errors and the information-matrix test) vs R `fitdistrplus::fitdist`
             (the MLE with its observed-information standard errors only): for scale.
  bootstrap  `mlfit ... --bootstrap 999` (non-parametric, rayon on every core, and with
             RAYON_NUM_THREADS=1) vs R `bootdist(fitdist(x, DIST), bootmethod = "nonparam",
             niter = 999)` vs `scipy.stats.bootstrap((x,), stat, n_resamples=999,
             method='percentile', vectorized=False)` where stat calls `DIST.fit(x, floc=0)`.
             bootdist's default is the *parametric* bootstrap, so it is called with
             bootmethod = "nonparam" to match mlfit's default; on wind_speed the defaults are
             also compared (`--bootstrap-type parametric` vs plain `bootdist(f, niter = 999)`).
             scipy.stats.bootstrap with vectorized=False and the percentile method is a loop
             of resample + fit (no jackknife); the plain loop is timed too on the small sets
             to show the wrapper costs nothing.
  gof        `mlfit ... --gof-bootstrap 999` (KS, CvM and AD with parametric-bootstrap
             p-values; this also bootstraps the information-matrix test, so it is about twice
             the refits) vs `scipy.stats.goodness_of_fit(DIST, x, known_params={'loc': 0},
             statistic='ad', n_mc_samples=999)`.
  profile    `mlfit ... --ci 0.95 --ci-method profile` vs R `stats4::mle` on (log shape,
             log scale/rate) + `confint()` (profile likelihood; profile intervals are
             invariant to the reparameterisation, so exp() of the limits is compared).
             bbmle is not assumed.

mlfit is timed as the whole command (process start, CSV parse, fit, analysis, JSON out). R is
timed twice from the same runs: `system.time()` around the call alone, and the whole Rscript
invocation (R start, library load, read.csv, fit, call). scipy is timed in process around the
call alone, with the data already in memory. Ratios are baseline / mlfit (all cores). R and
scipy run on one core; the "1 thread" column is the per-core comparison.

Next to the timings it checks that the numbers agree: bootstrap standard errors within Monte
Carlo error (the relative standard deviation of a bootstrap SE from B replicates is about
1/sqrt(2(B-1)) for near-normal replicates, so two independent ones differ by less than
3 * sqrt(2) of that, ~10% for B = 999, nearly always), the AD statistic to 1e-4 and the GoF
p-values on the same side of 0.05, profile limits to 1e-4 relative, observed standard errors
to 1e-3 (R's come from optim's finite-difference Hessian).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy
from scipy import stats

# R: what to call, by task. The data file, column, distribution and replicates come as
# arguments; every script prints "elapsed SECONDS" (system.time of the call alone) and the
# numbers to check, one "key value..." line each.
R_PRELUDE = r"""
args <- commandArgs(trailingOnly = TRUE)
x <- read.csv(args[1])[[args[2]]]
dist <- args[3]
niter <- as.integer(args[4])
set.seed(1)
out <- function(key, v) cat(key, sprintf("%.12g", v), "\n")
"""
R_SCRIPTS = {
    "se": r"""
suppressPackageStartupMessages(library(fitdistrplus))
t <- system.time(f <- fitdist(x, dist))[["elapsed"]]
out("elapsed", t); out("estimate", f$estimate); out("se", f$sd); out("loglik", f$loglik)
""",
    "bootstrap": r"""
suppressPackageStartupMessages(library(fitdistrplus))
f <- fitdist(x, dist)
t <- system.time(b <- bootdist(f, bootmethod = "nonparam", niter = niter))[["elapsed"]]
out("elapsed", t); out("se", apply(b$estim, 2, sd)); out("failed", sum(b$converg != 0))
""",
    "bootstrap_param": r"""
suppressPackageStartupMessages(library(fitdistrplus))
f <- fitdist(x, dist)
t <- system.time(b <- bootdist(f, niter = niter))[["elapsed"]]
out("elapsed", t); out("se", apply(b$estim, 2, sd)); out("failed", sum(b$converg != 0))
""",
    "profile": r"""
library(stats4)
m <- mean(x); v <- var(x)
if (dist == "weibull") {
  k0 <- (sqrt(v) / m)^-1.086
  start <- list(a = log(k0), b = log(m / gamma(1 + 1 / k0)))
  nll <- function(a, b) -sum(dweibull(x, exp(a), exp(b), log = TRUE))
} else {
  start <- list(a = log(m^2 / v), b = log(m / v))
  nll <- function(a, b) -sum(dgamma(x, shape = exp(a), rate = exp(b), log = TRUE))
}
t <- system.time(suppressWarnings({
  fit <- mle(nll, start = start)
  ci <- confint(fit, level = 0.95)
}))[["elapsed"]]
out("elapsed", t); out("estimate", exp(coef(fit))); out("lower", exp(ci[, 1]))
out("upper", exp(ci[, 2]))
""",
}


class Case:
    def __init__(self, label, path, column, family, scipy_dist, r_dist, small):
        self.label, self.path, self.column, self.family = label, path, column, family
        self.scipy_dist, self.r_dist, self.small = scipy_dist, r_dist, small

    def data(self):
        with open(self.path) as fh:
            header = fh.readline().strip().split(",")
        j = header.index(self.column)
        return np.loadtxt(self.path, delimiter=",", skiprows=1, usecols=j)


def timed(fn, args):
    """Run fn repeatedly; returns (median seconds, all times, the last result, extra medians).

    fn returns (result, extra) where extra is a number measured inside (R's system.time) or
    None. --slow-repeats runs when the first run takes longer than --slow-after seconds.
    """
    times, extras, result = [], [], None
    n = args.repeats
    i = 0
    while i < n:
        t0 = time.perf_counter()
        result, extra = fn()
        times.append(time.perf_counter() - t0)
        if extra is not None:
            extras.append(extra)
        if i == 0 and times[0] > args.slow_after:
            n = min(n, args.slow_repeats)
        i += 1
    inner = statistics.median(extras) if extras else None
    return statistics.median(times), times, result, inner


def mlfit(args, case, extra, threads=None):
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    cmd = [args.binary, "fit", case.path, "-c", case.column, "-f", case.family,
           "--format", "json", *extra]

    def run():
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
        return json.loads(out.stdout), None
    return run


def rscript(args, case, task, tmp):
    path = os.path.join(tmp, f"{task}.R")
    with open(path, "w") as fh:
        fh.write(R_PRELUDE + R_SCRIPTS[task])

    def run():
        out = subprocess.run(["Rscript", path, case.path, case.column, case.r_dist,
                              str(args.replicates)],
                             check=True, capture_output=True, text=True)
        values = {}
        for line in out.stdout.splitlines():
            key, *rest = line.split()
            values[key] = [float(v) for v in rest]
        return values, values["elapsed"][0]
    return run


def fmt_t(t):
    if t is None:
        return "-"
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"


def rel(a, b):
    return abs(a - b) / abs(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default="target/release/mlfit")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--slow-repeats", type=int, default=3)
    ap.add_argument("--slow-after", type=float, default=10.0,
                    help="seconds: a first run slower than this gets --slow-repeats runs")
    ap.add_argument("--replicates", type=int, default=999)
    ap.add_argument("--large-rows", type=int, default=100_000)
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--tasks", default="se,bootstrap,gof,profile")
    args = ap.parse_args()
    tasks = args.tasks.split(",")
    B = args.replicates
    mc_rel = 1 / math.sqrt(2 * (B - 1))  # relative sd of one bootstrap SE

    print(f"mlfit {args.binary}; scipy {scipy.__version__}; numpy {np.__version__}; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start")
    print(f"median of {args.repeats} runs ({args.slow_repeats} when the first takes "
          f"> {args.slow_after:g} s); {B} replicates; ratio = baseline / mlfit (all cores)\n")
    summary = []  # markdown rows

    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            Case("wind_speed, weibull, n = 1000", "data/wind_speed.csv", "speed_ms",
                 "weibull", stats.weibull_min, "weibull", True),
            Case("latency, gamma, n = 2000", "data/latency.csv", "latency_ms",
                 "gamma", stats.gamma, "gamma", True),
        ]
        if not args.skip_large:
            big = os.path.join(tmp, "weibull_large.csv")
            x = 7.0 * np.random.default_rng(20261128).weibull(2.0, args.large_rows)
            np.savetxt(big, x, fmt="%.9e", header="x", comments="")
            cases.append(Case(f"seeded weibull, n = {args.large_rows:.0e}".replace("+0", ""),
                              big, "x", "weibull", stats.weibull_min, "weibull", False))

        for case in cases:
            x = case.data()
            dist = case.scipy_dist
            names = list(json.loads(subprocess.run(
                [args.binary, "fit", case.path, "-c", case.column, "-f", case.family,
                 "--format", "json"], check=True, capture_output=True, text=True).stdout
            )["params"])
            print(f"== {case.label} ({case.path}) ==")

            def row(task, m, m1, base, r_inner, r_whole, checks):
                """Print one line and keep it for the markdown summary."""
                ratio = " ".join(f"{k} {v / m:.3g}x" for k, v in base.items() if v)
                print(f"  {task:<22} mlfit {fmt_t(m):>8} (1 thread {fmt_t(m1):>8})  "
                      + "  ".join(f"{k} {fmt_t(v)}" for k, v in base.items())
                      + f"  [{ratio}]")
                for c in checks:
                    print(f"      {c}")
                summary.append((case.label, task, m, m1, base, checks))

            if "se" in tasks:
                m, _, fit, _ = timed(mlfit(args, case, ["--se", "all"]), args)
                r_whole, _, rv, r_inner = timed(rscript(args, case, "se", tmp), args)
                cov = fit["uncertainty"]["covariance"]
                obs = [cov["observed"]["std_errors"][p] for p in names]
                worst = max(rel(a, b) for a, b in zip(rv["se"], obs))
                checks = [
                    "observed SE mlfit " + ", ".join(f"{p} {v:.6g}" for p, v in zip(names, obs))
                    + " | R " + ", ".join(f"{v:.6g}" for v in rv["se"])
                    + f": max rel. diff {worst:.1e} " + ("ok" if worst < 1e-3 else "DIFFERS"),
                    f"log-likelihood mlfit {fit['log_likelihood']:.9g} | R {rv['loglik'][0]:.9g}"
                    f" (R's optim stops {fit['log_likelihood'] - rv['loglik'][0]:.1e} below;"
                    " estimates differ by "
                    + f"{max(rel(a, b) for a, b in zip(rv['estimate'], fit['params'].values())):.1e}"
                    " rel.)",
                    "sandwich / expected SE (mlfit only): "
                    + ", ".join(f"{p} {cov['sandwich']['std_errors'][p]:.6g} / "
                                f"{cov['expected']['std_errors'][p]:.6g}" for p in names),
                ]
                row("se (--se all)", m, None,
                    {"R fitdist": r_inner, "Rscript": r_whole}, r_inner, r_whole, checks)

            if "bootstrap" in tasks:
                flags = ["--bootstrap", str(B)]
                m, _, fit, _ = timed(mlfit(args, case, flags), args)
                m1, _, _, _ = timed(mlfit(args, case, flags, threads=1), args)
                r_whole, _, rv, r_inner = timed(rscript(args, case, "bootstrap", tmp), args)

                def scipy_stat(s):
                    p = dist.fit(s, floc=0)
                    return np.array([p[0], 1 / p[2] if case.family == "gamma" else p[2]])

                def scipy_boot():
                    r = stats.bootstrap((x,), scipy_stat, n_resamples=B, vectorized=False,
                                        method="percentile", rng=np.random.default_rng(1))
                    return r.standard_error, None

                def scipy_loop():
                    rng = np.random.default_rng(1)
                    est = np.array([scipy_stat(rng.choice(x, x.size)) for _ in range(B)])
                    return est.std(axis=0, ddof=1), None

                s_t, _, s_se, _ = timed(scipy_boot, args)
                base = {"R bootdist": r_inner, "Rscript": r_whole, "scipy.bootstrap": s_t}
                if case.small:
                    base["scipy loop"], _, _, _ = timed(scipy_loop, args)
                ml = [fit["uncertainty"]["bootstrap"]["std_errors"][p] for p in names]
                tol = 3 * math.sqrt(2) * mc_rel
                d_r = max(rel(a, b) for a, b in zip(rv["se"], ml))
                d_s = max(rel(a, b) for a, b in zip(s_se, ml))
                checks = [
                    "bootstrap SE mlfit " + ", ".join(f"{p} {v:.5g}" for p, v in zip(names, ml))
                    + " | R " + ", ".join(f"{v:.5g}" for v in rv["se"])
                    + " | scipy " + ", ".join(f"{v:.5g}" for v in s_se),
                    f"max rel. diff R {d_r:.1%}, scipy {d_s:.1%} (MC sd of one SE "
                    f"{mc_rel:.1%}; agree if < {tol:.0%}): "
                    + ("ok" if max(d_r, d_s) < tol else "DIFFERS")
                    + f"; failed refits mlfit {fit['uncertainty']['bootstrap']['failed']},"
                    f" R {rv['failed'][0]:.0f}",
                ]
                row(f"bootstrap {B}", m, m1, base, r_inner, r_whole, checks)

                if case.small and case.family == "weibull":
                    flags = ["--bootstrap", str(B), "--bootstrap-type", "parametric"]
                    m, _, fit, _ = timed(mlfit(args, case, flags), args)
                    m1, _, _, _ = timed(mlfit(args, case, flags, threads=1), args)
                    r_whole, _, rv, r_inner = timed(
                        rscript(args, case, "bootstrap_param", tmp), args)
                    ml = [fit["uncertainty"]["bootstrap"]["std_errors"][p] for p in names]
                    d_r = max(rel(a, b) for a, b in zip(rv["se"], ml))
                    checks = [
                        "parametric bootstrap SE mlfit "
                        + ", ".join(f"{p} {v:.5g}" for p, v in zip(names, ml))
                        + " | R " + ", ".join(f"{v:.5g}" for v in rv["se"])
                        + f": max rel. diff {d_r:.1%} " + ("ok" if d_r < tol else "DIFFERS"),
                    ]
                    row(f"parametric bootstrap {B}", m, m1,
                        {"R bootdist": r_inner, "Rscript": r_whole}, r_inner, r_whole, checks)

            if "gof" in tasks:
                flags = ["--gof-bootstrap", str(B)]
                m, _, fit, _ = timed(mlfit(args, case, flags), args)
                m1, _, _, _ = timed(mlfit(args, case, flags, threads=1), args)

                def scipy_gof():
                    return stats.goodness_of_fit(
                        dist, x, known_params={"loc": 0}, statistic="ad", n_mc_samples=B,
                        rng=np.random.default_rng(1)), None

                s_t, _, g, _ = timed(scipy_gof, args)
                ad = next(s for s in fit["uncertainty"]["goodness_of_fit"]["statistics"]
                          if s["name"] == "anderson_darling")
                p_m, p_s = ad["p_value"], float(g.pvalue)
                # The AD formula at mlfit's θ̂, to tell a formula difference from a fit one.
                theta = fit["params"]
                shape = theta["shape"]
                scale = theta["scale"] if "scale" in theta else 1 / theta["rate"]
                z = np.sort(dist.cdf(x, shape, scale=scale))
                i = np.arange(1, z.size + 1)
                ad_here = -z.size - np.sum((2 * i - 1) * (np.log(z) + np.log1p(-z[::-1]))) / z.size
                ll_m = dist.logpdf(x, shape, scale=scale).sum()
                fp = g.fit_result.params
                ll_s = dist.logpdf(x, fp[0], loc=fp[1], scale=fp[2]).sum()
                same = (p_m < 0.05) == (p_s < 0.05)
                mc = math.sqrt(max(p_m * (1 - p_m), 1e-12) / B)
                d_ad = rel(float(g.statistic), ad["value"])
                checks = [
                    f"AD statistic mlfit {ad['value']:.6g} | scipy {float(g.statistic):.6g}: "
                    f"rel. diff {d_ad:.1e} " + ("ok" if d_ad < 1e-4 else "DIFFERS")
                    + f"; numpy's AD at mlfit's estimate {ad_here:.6g}; scipy's fit has "
                    f"log-likelihood {ll_s - ll_m:+.1e} vs mlfit's",
                    f"AD p-value mlfit {p_m:.3g} | scipy {p_s:.3g} (MC sd {mc:.2g}): "
                    + ("same side of 0.05, ok" if same else "DIFFER at 0.05"),
                ]
                row(f"gof {B}", m, m1, {"scipy goodness_of_fit": s_t}, None, None, checks)

            if "profile" in tasks:
                m, _, fit, _ = timed(
                    mlfit(args, case, ["--ci", "0.95", "--ci-method", "profile"]), args)
                r_whole, _, rv, r_inner = timed(rscript(args, case, "profile", tmp), args)
                iv = {i["parameter"]: i for i in fit["uncertainty"]["intervals"]}
                worst = max(max(rel(rv["lower"][j], iv[p]["lower"]),
                                rel(rv["upper"][j], iv[p]["upper"]))
                            for j, p in enumerate(names))
                checks = [
                    "profile 95% mlfit " + ", ".join(
                        f"{p} [{iv[p]['lower']:.6g}, {iv[p]['upper']:.6g}]" for p in names)
                    + " | R " + ", ".join(
                        f"[{lo:.6g}, {hi:.6g}]" for lo, hi in zip(rv["lower"], rv["upper"])),
                    f"max rel. diff of the limits {worst:.1e} "
                    + ("ok" if worst < 1e-4 else "DIFFERS"),
                ]
                row("profile ci 0.95", m, None,
                    {"R mle+confint": r_inner, "Rscript": r_whole}, r_inner, r_whole, checks)
            print()

    print(f"load average {os.getloadavg()[0]:.2f} at the end\n")
    print("| data | task | mlfit | mlfit, 1 thread | baseline (call only) | ratio | "
          "baseline, whole Rscript | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for label, task, m, m1, base, _ in summary:
        calls = [(k, v) for k, v in base.items() if k != "Rscript" and v is not None]
        whole = base.get("Rscript")
        for i, (k, v) in enumerate(calls):
            print(f"| {label if i == 0 else ''} | {task if i == 0 else ''} | "
                  f"{fmt_t(m) if i == 0 else ''} | {fmt_t(m1) if i == 0 and m1 else ''} | "
                  f"{k}: {fmt_t(v)} | {v / m:.3g}× | "
                  + (f"{fmt_t(whole)} | {whole / m:.3g}× |" if whole and i == 0 else " | |"))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
