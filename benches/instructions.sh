#!/usr/bin/env bash
# Instructions, not seconds: compare two mlfit binaries (say, before and after a refactoring)
# by the instructions each executes on the same commands, counted by valgrind's callgrind.
# The count is the same whatever else the machine is doing, so the comparison holds on a busy
# 2-core machine where wall-clock medians would not.
#
#   cargo build --release && cp target/release/mlfit /tmp/mlfit-after
#   git worktree add /tmp/before <commit> && (cd /tmp/before && cargo build --release)
#   benches/instructions.sh /tmp/before/target/release/mlfit /tmp/mlfit-after [ROWS]
#
# Needs valgrind (Debian's package) and python3 with numpy for the seeded data files.
# Prints one row per command: instructions of each binary (millions) and after/before. The same
# binary on the same command varies by up to ~2% from one run to the next (hash seeds, thread
# scheduling), so ratios within 0.98–1.02 mean no difference.
set -euo pipefail
BEFORE=$(realpath "$1")
AFTER=$(realpath "$2")
ROWS=${3:-100000}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

python3 - "$DIR" "$ROWS" <<'EOF'
import sys
import numpy as np
d, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(20261204)
data = {
    "normal": 5 + 0.002 * rng.standard_normal(n),
    "gamma": rng.gamma(2.3, 1 / 1.7, n),
    "weibull": 7.0 * rng.weibull(2.0, n),
    "student_t": 0.0004 + 0.009 * rng.standard_t(3.5, n),
    "cauchy": 3 + 0.5 * rng.standard_cauchy(n),
    "poisson": rng.poisson(4.2, n),
    "negative_binomial": rng.negative_binomial(3, 0.4, n),
    "normal_mixture": np.where(rng.random(n) < 0.35, rng.normal(2, 0.3, n), rng.normal(4.4, 0.4, n)),
}
for name, x in data.items():
    with open(f"{d}/{name}.csv", "w") as f:
        f.write("x\n")
        if x.dtype.kind in "iu":
            f.write("\n".join(str(v) for v in x))
        else:
            f.write("\n".join(repr(float(v)) for v in x))
        f.write("\n")
EOF

count() {
    local out="$DIR/callgrind.out"
    rm -f "$out"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>"$DIR/vg.err" || true
    awk '/^summary:/ {print $2}' "$out"
}

printf '%-52s %12s %12s %8s\n' "command" "before (M)" "after (M)" "ratio"
run() {
    local label=$1
    shift
    local b a
    b=$(count "$BEFORE" "$@")
    a=$(count "$AFTER" "$@")
    awk -v l="$label" -v b="$b" -v a="$a" \
        'BEGIN { printf "%-52s %12.1f %12.1f %8.3f\n", l, b / 1e6, a / 1e6, a / b }'
}
for f in normal gamma weibull student_t cauchy poisson negative_binomial; do
    run "fit -f $f" fit "$DIR/$f.csv" -f "$f" --format json
done
run "fit -f gamma --se all --ci 0.95 --ci-method profile" fit "$DIR/gamma.csv" -f gamma --se all --ci 0.95 --ci-method profile --format json
run "fit -f weibull --bootstrap 20" fit "$DIR/weibull.csv" -f weibull --bootstrap 20 --format json
run "fit -f normal_mixture --components 2" fit "$DIR/normal_mixture.csv" -f normal_mixture --components 2 --format json
head -n 5001 "$DIR/gamma.csv" >"$DIR/gamma5k.csv"
run "compare (5,000 rows)" compare "$DIR/gamma5k.csv" --format json
