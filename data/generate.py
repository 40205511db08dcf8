#!/usr/bin/env python3
"""Generate the synthetic example data sets in this folder.

Run from the repository root (numpy >= 1.17 required):

    python3 data/generate.py

Every set uses its own `numpy.random.default_rng(seed)` with a fixed seed, so the
output is byte-for-byte reproducible for a given numpy version (the bit generator,
PCG64, and the samplers used here are stable across numpy releases).

Sets (true generating parameters, in mlfit's natural parameterisation):

- dc_voltage.csv  `voltage`: 500 readings of a 5.0 V DC level under Gaussian
  thermal noise, normal(mean=5.0, sd=0.002), written with 6 decimals (1 µV
  resolution). The classic well-specified normal case; note that the data sit far
  from 0 with a tiny spread, which stresses naive variance formulas.
- counts.csv      `defects`: 400 defect counts per production batch from an
  overdispersed process, negative_binomial(size=2.5, prob=2.5/6.5), i.e. mean 4,
  variance 10.4. Poisson fits it badly, negative binomial well.
- latency.csv     `latency_ms`, `endpoint`: 2000 request latencies (ms, 3 decimals)
  from three endpoints ("/search", "/item", "/checkout"), each lognormal with its
  own meanlog / sdlog; pooled, it is right-skewed and only roughly lognormal.
  The string column shows column selection.
- wind_speed.csv  `speed_ms`: 1000 hourly mean wind speeds (m/s, 2 decimals),
  weibull(shape=2.0, scale=7.0) (Rayleigh-like, the textbook wind model). Values
  that round to 0.00 are redrawn so every value is strictly positive.
- returns.csv     `log_return`: 1000 daily log returns of an asset (6 decimals),
  student_t(df=3.5, location=0.0004, scale=0.009): symmetric and heavy-tailed, so the
  Student-t fit has an interior optimum (on dc_voltage.csv its df runs off to infinity).
- proportions.csv `share`: 300 market shares / proportions in (0, 1),
  beta(alpha=2.5, beta=6.0), 6 decimals; values that round to 0 or 1 are redrawn.
- annual_maxima.csv `year`, `max_flow`: 80 annual maximum river flows (m³/s, 1
  decimal), water years 1945-2024, gev(location=350, scale=90, shape=0.12) (shape ξ in
  the usual sign convention: ξ > 0 is the heavy-tailed Fréchet type; scipy's genextreme
  uses c = -ξ). Drawn by inversion of the CDF from `rng.random()`. With 80 years the
  shape is poorly determined: this sample's MLE is ξ = -0.054 ± 0.115.
- exceedances.csv `excess`: 400 excesses of daily rainfall over a 20 mm threshold
  (mm, 2 decimals), generalized_pareto(scale=12, shape=0.2), by inversion; values that
  round to 0.00 are redrawn so every value is strictly positive.
- wind_direction.csv `direction_rad`: 500 hourly wind directions in radians (4
  decimals), von_mises(mu=2.0, kappa=1.8), wrapped into [0, 2π) (the sample crosses
  0 = 2π, so the circular mean, not the arithmetic one, is the location). Values that
  round to 2π (6.2832) are redrawn.
- trials.csv      `successes`: 400 production batches of 20 units each, number passing
  inspection; beta_binomial(size=20, alpha=2.0, beta=5.0) (a beta-distributed pass
  rate per batch, then a binomial), so it is overdispersed against binomial(20, p).
- zeros.csv       `claims`: 800 yearly claim counts per policy,
  zero_inflated_negative_binomial(pi=0.35, size=1.5, prob=0.4): 35 % structural zeros,
  otherwise negative binomial with mean 2.25.
- incomes.csv     `income`: 1000 annual incomes (whole currency units),
  log_logistic(shape=3.2, scale=42000) by inversion; its upper tail is Pareto-like
  with index 3.2.
- reaction_times.csv `rt_s`: 600 reaction times in seconds (3 decimals),
  inverse_gaussian(mean=0.5, shape=4.0) (numpy's `wald`); values that round to 0.000
  are redrawn.
- conversions.csv `converted`: 1000 website visits, 1 if the visit converted, else 0;
  bernoulli(prob=0.07).
- dice.csv        `roll`: 600 rolls of a fair six-sided die, discrete_uniform(min=1,
  max=6).
- measurements.csv `length`, `width`, `height`: 300 machined parts measured in mm (4
  decimals), multivariate_normal(mean=(120, 45, 30), sds (2.4, 1.1, 0.8), correlations
  length-width 0.7, length-height 0.5, width-height 0.4): three correlated columns for
  `-f multivariate_normal`.

The sets after proportions.csv were added later with seeds of their own; adding them did
not change a byte of the earlier files.
"""

import csv
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, header, rows):
    path = os.path.join(HERE, name)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows)")


def dc_voltage():
    rng = np.random.default_rng(20240501)
    v = rng.normal(5.0, 0.002, size=500)
    write("dc_voltage.csv", ["voltage"], [[f"{x:.6f}"] for x in v])


def counts():
    rng = np.random.default_rng(20240502)
    size, mean = 2.5, 4.0
    k = rng.negative_binomial(size, size / (size + mean), size=400)
    write("counts.csv", ["defects"], [[int(x)] for x in k])


def latency():
    rng = np.random.default_rng(20240503)
    endpoints = [
        # name, share of traffic, meanlog, sdlog
        ("/search", 0.5, np.log(40.0), 0.45),
        ("/item", 0.35, np.log(25.0), 0.35),
        ("/checkout", 0.15, np.log(120.0), 0.6),
    ]
    names = [e[0] for e in endpoints]
    probs = [e[1] for e in endpoints]
    idx = rng.choice(len(endpoints), size=2000, p=probs)
    rows = []
    for i in idx:
        _, _, ml, sl = endpoints[i]
        x = rng.lognormal(ml, sl)
        rows.append([f"{x:.3f}", names[i]])
    write("latency.csv", ["latency_ms", "endpoint"], rows)


def wind_speed():
    rng = np.random.default_rng(20240504)
    shape, scale = 2.0, 7.0
    out = []
    while len(out) < 1000:
        x = round(scale * rng.weibull(shape), 2)
        if x > 0:
            out.append(x)
    write("wind_speed.csv", ["speed_ms"], [[f"{x:.2f}"] for x in out])


def returns():
    rng = np.random.default_rng(20240506)
    r = 0.0004 + 0.009 * rng.standard_t(3.5, size=1000)
    write("returns.csv", ["log_return"], [[f"{x:.6f}"] for x in r])


def proportions():
    rng = np.random.default_rng(20240505)
    out = []
    while len(out) < 300:
        s = f"{rng.beta(2.5, 6.0):.6f}"
        if 0.0 < float(s) < 1.0:
            out.append(s)
    write("proportions.csv", ["share"], [[s] for s in out])


def annual_maxima():
    rng = np.random.default_rng(20240507)
    mu, sigma, xi = 350.0, 90.0, 0.12
    u = rng.random(80)
    x = mu + sigma * ((-np.log(u)) ** (-xi) - 1.0) / xi
    write("annual_maxima.csv", ["year", "max_flow"],
          [[1945 + i, f"{v:.1f}"] for i, v in enumerate(x)])


def exceedances():
    rng = np.random.default_rng(20240508)
    sigma, xi = 12.0, 0.2
    out = []
    while len(out) < 400:
        u = rng.random()
        s = f"{sigma * ((1.0 - u) ** (-xi) - 1.0) / xi:.2f}"
        if float(s) > 0:
            out.append(s)
    write("exceedances.csv", ["excess"], [[s] for s in out])


def wind_direction():
    rng = np.random.default_rng(20240509)
    mu, kappa = 2.0, 1.8
    two_pi = 2.0 * np.pi
    out = []
    while len(out) < 500:
        s = f"{rng.vonmises(mu, kappa) % two_pi:.4f}"
        if float(s) < two_pi:
            out.append(s)
    write("wind_direction.csv", ["direction_rad"], [[s] for s in out])


def trials():
    rng = np.random.default_rng(20240510)
    p = rng.beta(2.0, 5.0, size=400)
    k = rng.binomial(20, p)
    write("trials.csv", ["successes"], [[int(v)] for v in k])


def zeros():
    rng = np.random.default_rng(20240511)
    pi, size, prob = 0.35, 1.5, 0.4
    structural = rng.random(800) < pi
    k = rng.negative_binomial(size, prob, size=800)
    k[structural] = 0
    write("zeros.csv", ["claims"], [[int(v)] for v in k])


def incomes():
    rng = np.random.default_rng(20240512)
    shape, scale = 3.2, 42000.0
    out = []
    while len(out) < 1000:
        u = rng.random()
        v = round(scale * (u / (1.0 - u)) ** (1.0 / shape))
        if v > 0:
            out.append(v)
    write("incomes.csv", ["income"], [[int(v)] for v in out])


def reaction_times():
    rng = np.random.default_rng(20240513)
    mean, shape = 0.5, 4.0
    out = []
    while len(out) < 600:
        s = f"{rng.wald(mean, shape):.3f}"
        if float(s) > 0:
            out.append(s)
    write("reaction_times.csv", ["rt_s"], [[s] for s in out])


def conversions():
    rng = np.random.default_rng(20240514)
    c = (rng.random(1000) < 0.07).astype(int)
    write("conversions.csv", ["converted"], [[int(v)] for v in c])


def dice():
    rng = np.random.default_rng(20240515)
    r = rng.integers(1, 7, size=600)
    write("dice.csv", ["roll"], [[int(v)] for v in r])


def measurements():
    rng = np.random.default_rng(20240516)
    mean = np.array([120.0, 45.0, 30.0])
    sd = np.array([2.4, 1.1, 0.8])
    corr = np.array([[1.0, 0.7, 0.5], [0.7, 1.0, 0.4], [0.5, 0.4, 1.0]])
    cov = corr * np.outer(sd, sd)
    # x = mean + L z with the Cholesky factor L: explicit, so the draws do not depend on the
    # factorisation numpy's multivariate_normal happens to use.
    z = rng.standard_normal(size=(300, 3))
    x = mean + z @ np.linalg.cholesky(cov).T
    write(
        "measurements.csv",
        ["length", "width", "height"],
        [[f"{v:.4f}" for v in row] for row in x],
    )


if __name__ == "__main__":
    dc_voltage()
    counts()
    latency()
    wind_speed()
    returns()
    proportions()
    annual_maxima()
    exceedances()
    wind_direction()
    trials()
    zeros()
    incomes()
    reaction_times()
    conversions()
    dice()
    measurements()
