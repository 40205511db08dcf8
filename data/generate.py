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


if __name__ == "__main__":
    dc_voltage()
    counts()
    latency()
    wind_speed()
    returns()
    proportions()
