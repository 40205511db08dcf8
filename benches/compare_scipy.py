#!/usr/bin/env python3
"""Time `mlfit fit` against scipy.stats on the same 1e6-row CSV files.

Run from the repository root after `cargo build --release`:

    pip install numpy scipy
    python3 benches/compare_scipy.py [--rows 1000000] [--repeats 5]

For each family it writes a seeded CSV file to a temporary directory, then times (wall clock,
median of --repeats runs, side by side in the same process):
  - mlfit: the whole command `target/release/mlfit fit FILE -f FAMILY --format json`
    (process start, CSV parse, fit, output);
  - scipy: `numpy.loadtxt`-free fast CSV read (pandas is not assumed: `np.fromfile` on the
    text body) plus `scipy.stats.<dist>.fit` with the same model (floc=0 where scipy adds a
    location), timing the fit alone and read + fit.
It prints the medians, the ratio, and both log-likelihoods (mlfit must not be lower).
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
from scipy import stats

CASES = {
    # name: (sampler, scipy fit, scipy logpdf from fitted params)
    "weibull": (
        lambda rng, n: 7.0 * rng.weibull(2.0, n),
        lambda x: stats.weibull_min.fit(x, floc=0),
        lambda x, p: stats.weibull_min.logpdf(x, p[0], loc=p[1], scale=p[2]).sum(),
    ),
    "student_t": (
        lambda rng, n: 0.0004 + 0.009 * rng.standard_t(3.5, n),
        lambda x: stats.t.fit(x),
        lambda x, p: stats.t.logpdf(x, p[0], loc=p[1], scale=p[2]).sum(),
    ),
    "gamma": (
        lambda rng, n: rng.gamma(2.3, 1 / 0.4, n),
        lambda x: stats.gamma.fit(x, floc=0),
        lambda x, p: stats.gamma.logpdf(x, p[0], loc=p[1], scale=p[2]).sum(),
    ),
}


def median_time(fn, repeats):
    times = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--binary", default="target/release/mlfit")
    args = ap.parse_args()
    rng = np.random.default_rng(20261128)
    print(f"rows = {args.rows}, median of {args.repeats} runs")
    print(f"{'family':<10} {'mlfit total':>12} {'scipy fit':>10} {'scipy read+fit':>15} {'ratio':>7}  loglik mlfit / scipy")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (sample, scipy_fit, scipy_ll) in CASES.items():
            x = sample(rng, args.rows)
            path = os.path.join(tmp, f"{name}.csv")
            np.savetxt(path, x, fmt="%.9e", header="x", comments="")

            def run_mlfit():
                out = subprocess.run([args.binary, "fit", path, "-f", name, "--format", "json"],
                                     check=True, capture_output=True, text=True)
                return json.loads(out.stdout)

            def read_and_fit():
                with open(path) as fh:
                    fh.readline()
                    data = np.array(fh.read().split(), dtype=float)
                return scipy_fit(data)

            t_mlfit, fit = run_mlfit() and median_time(run_mlfit, args.repeats)
            t_scipy, params = median_time(lambda: scipy_fit(x), args.repeats)
            t_scipy_rf, _ = median_time(read_and_fit, max(1, args.repeats // 2))
            ll_scipy = scipy_ll(x, params)
            print(f"{name:<10} {t_mlfit:>11.3f}s {t_scipy:>9.3f}s {t_scipy_rf:>14.3f}s {t_scipy_rf / t_mlfit:>6.1f}x"
                  f"  {fit['log_likelihood']:.6f} / {ll_scipy:.6f}")


if __name__ == "__main__":
    main()
