#!/usr/bin/env bash
# Capture the outputs (stdout, stderr, exit code) of the README examples and of a set of
# representative commands, so that a refactoring can be checked byte for byte:
#
#   scripts/golden.sh target/release/mlfit /tmp/before
#   ... change the code, rebuild ...
#   scripts/golden.sh target/release/mlfit /tmp/after && diff -r /tmp/before /tmp/after
#
# Run from the repository root (the headings name the data files by relative path), with a
# binary named `mlfit` (the help texts name it after argv[0]).
set -u
BIN=$(realpath "$1")
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
# Inputs the shipped data lack (weights, per-row trials, a second column), at a fixed path so
# that the headings that name them do not depend on OUT.
IN=/tmp/mlfit-golden-inputs
mkdir -p "$IN"
printf 'x,w\n1.2,1\n2.5,2\n0.7,0\n3.1,1\n1.9,3\n2.2,1\n0.4,2\n5.0,1\n' >"$IN/weighted.csv"
printf 'k,n\n3,10\n5,12\n2,8\n7,15\n4,10\n6,11\n1,9\n5,10\n' >"$IN/trials_col.csv"
printf 'x\n1\n1\n1\n1\n' >"$IN/constant.csv"
printf 'x\n-1.5\n0.3\n2.2\n-0.7\n1.1\n' >"$IN/negative.csv"
printf 'x,y\n1,NA\n2,3\n3,5\n4,4\n5,7\n6,6\n7,9\n' >"$IN/missing.csv"
# Saved models too (`eval` names its model file); copied into OUT at the end.
M=$IN/models
rm -rf "$M"
mkdir -p "$M"

n=0
run() { # run NAME ARGS... (stdin from /dev/null)
    local name=$1
    shift
    "$BIN" "$@" </dev/null >"$OUT/$name.out" 2>"$OUT/$name.err"
    echo $? >"$OUT/$name.rc"
    n=$((n + 1))
}
run_in() { # run_in NAME FILE ARGS... (stdin from FILE)
    local name=$1 file=$2
    shift 2
    "$BIN" "$@" <"$file" >"$OUT/$name.out" 2>"$OUT/$name.err"
    echo $? >"$OUT/$name.rc"
    n=$((n + 1))
}

# README examples.
run readme_01 fit data/dc_voltage.csv --family normal
run readme_02 fit data/latency.csv -c latency_ms -f gamma --format json
run_in readme_03 data/counts.csv fit - -f negative_binomial --format json
run readme_04 fit data/wind_speed.csv -f gamma,weibull,lognormal
run readme_05 families
run readme_06 families t
run readme_07 fit data/wind_speed.csv -f weibull --fix shape=2
run readme_08 fit data/trials.csv -f binomial,beta_binomial --trials 20
run readme_09 fit data/annual_maxima.csv -c max_flow -f gev,gumbel
run readme_10 fit data/dice.csv -f categorical
run readme_11 compare data/counts.csv
run readme_12 fit data/wind_speed.csv -f weibull --se all --ci 0.95 --ci-method profile
run readme_13 fit data/latency.csv -c latency_ms -f gamma --bootstrap 999 --gof-bootstrap 999
run readme_14 fit data/measurements.csv -f multivariate_normal
run readme_15 fit data/faithful.csv -c eruptions -f normal_mixture --components auto
run readme_16 fit data/wind_speed.csv -f weibull --save "$M/wind.model.json"
run readme_17 eval "$M/wind.model.json" data/wind_speed.csv
run readme_18 eval "$M/wind.model.json" data/wind_speed.csv --per-row
run readme_19 sample "$M/wind.model.json" -n 1000 --seed 1
run_in readme_20 "$OUT/readme_19.out" fit -f weibull
run readme_21 compare data/latency.csv -f gamma,weibull,lognormal --folds 10 --seed 3 --format json
run readme_22 fit data/wind_speed.csv -f weibull --se all --ci 0.95 --ci-method profile --quantile 0.05
run readme_23 fit data/latency.csv -c latency_ms -f gamma --se all --bootstrap 999 --ci 0.95 --ci-method bca
run readme_24 fit data/counts.csv -f poisson --gof-bootstrap 999 --moments --format json
run readme_25 fit data/measurements.csv -f mvn -c length,width --covariance diagonal --format json
run readme_26 fit data/faithful.csv -c eruptions -f normal_mixture
run readme_27 fit data/counts.csv -f poisson_mixture --components 1..4 --format json
run readme_28 fit data/faithful.csv -c eruptions -f normal_mixture --se all --ci 0.95 --bootstrap 99

# fit: every format, with and without the uncertainty options, one and several families.
for fmt in table json csv; do
    run fit_one_$fmt fit data/wind_speed.csv -f weibull --format $fmt
    run fit_several_$fmt fit data/wind_speed.csv -f gamma,weibull,lognormal --format $fmt
    run fit_se_$fmt fit data/wind_speed.csv -f weibull --se all --ci 0.95 --format $fmt
    run fit_se_obs_$fmt fit data/wind_speed.csv -f gamma --se observed --format $fmt
    run fit_se_sandwich_$fmt fit data/latency.csv -c latency_ms -f gamma --se sandwich --ci 0.9 --ci-method wald-natural --format $fmt
    run fit_full_$fmt fit data/wind_speed.csv -f weibull --se all --ci 0.95 --ci-method bootstrap --bootstrap 49 --gof-bootstrap 19 --quantile 0.05,0.5 --moments --format $fmt
    run fit_param_boot_$fmt fit data/counts.csv -f poisson,negative_binomial --bootstrap 29 --bootstrap-type parametric --ci 0.9 --ci-method bca --quantile 0.9 --format $fmt
    run fit_several_se_$fmt fit data/wind_speed.csv -f gamma,weibull --se all --ci 0.95 --format $fmt
    run fit_fixed_$fmt fit data/wind_speed.csv -f weibull --fix shape=2 --se all --format $fmt
    run fit_weighted_$fmt fit "$IN/weighted.csv" -f gamma -w w --format $fmt
    run fit_trials_col_$fmt fit "$IN/trials_col.csv" -c k -f binomial,beta_binomial --trials n --format $fmt
    run fit_closed_$fmt fit data/wind_speed.csv -f uniform,pareto,laplace --format $fmt
    run fit_categorical_$fmt fit data/dice.csv -f categorical --se all --ci 0.95 --format $fmt
    run fit_nonconv_$fmt fit data/dc_voltage.csv -f student_t --allow-nonconverged --se all --format $fmt
    run fit_skip_$fmt fit "$IN/missing.csv" -c y -f normal --skip-missing --format $fmt
    run fit_stdin_$fmt fit -f normal --format $fmt
done
run fit_labels_and_numbers fit data/dice.csv -f categorical,poisson
run fit_methods_lbfgs fit data/wind_speed.csv -f weibull -m lbfgs
run fit_methods_gd fit data/wind_speed.csv -f gamma -m gradient-descent --format json
run fit_save_se fit data/wind_speed.csv -f weibull --se all --ci 0.95 --save "$M/wind_se.model.json" --format csv

# compare: every format and sort key.
for fmt in table json csv; do
    run compare_counts_$fmt compare data/counts.csv --format $fmt
    run compare_wind_$fmt compare data/wind_speed.csv --format $fmt
    run compare_latency_aic_$fmt compare data/latency.csv -f gamma,weibull,lognormal,normal --sort aic --format $fmt
    run compare_mixed_$fmt compare data/counts.csv -f poisson,normal,gamma,negative_binomial --sort cross-entropy --format $fmt
    run compare_trials_$fmt compare data/trials.csv --trials 20 --format $fmt
    run compare_angles_$fmt compare data/wind_direction.csv -f von_mises,normal --sort bic --format $fmt
    run compare_labels_$fmt compare data/dice.csv -f categorical,poisson --format $fmt
done
run compare_none compare "$IN/negative.csv" -f gamma,weibull

# mixtures: one K, a range, K = 1, uncertainty, save.
for fmt in table json csv; do
    run mix_k2_$fmt fit data/faithful.csv -c eruptions -f normal_mixture --format $fmt
    run mix_auto_$fmt fit data/faithful.csv -c eruptions -f normal_mixture --components auto --format $fmt
    run mix_k1_$fmt fit data/faithful.csv -c eruptions -f normal_mixture --components 1 --format $fmt
    run mix_se_$fmt fit data/faithful.csv -c eruptions -f normal_mixture --se all --ci 0.95 --quantile 0.5 --format $fmt
    run mix_pois_$fmt fit data/counts.csv -f poisson_mixture --components 1..3 --format $fmt
    run mix_lnorm_$fmt fit data/latency.csv -c latency_ms -f lognormal_mixture --starts 4 --seed 7 --format $fmt
done
run mix_save_se fit data/faithful.csv -c eruptions -f normal_mixture --se all --save "$M/mix_se.model.json" --format json
run mix_save_auto fit data/faithful.csv -c eruptions -f normal_mixture --components 1..3 --save "$M/mix_auto.model.json"
run mix_eval eval "$M/mix_se.model.json" data/faithful.csv -c eruptions

# multivariate.
for fmt in table json csv; do
    run mv_full_$fmt fit data/measurements.csv -f multivariate_normal --format $fmt
    run mv_diag_$fmt fit data/measurements.csv -f mvn -c length,width --covariance diagonal --format $fmt
    run mv_sph_$fmt fit data/measurements.csv -f mvn --covariance spherical --format $fmt
    run mv_auto_cols_$fmt fit data/faithful.csv -f mvn --format $fmt
    run mv_skip_$fmt fit "$IN/missing.csv" -f mvn --skip-missing --format $fmt
    run mv_one_$fmt fit data/measurements.csv -f mvn -c height --format $fmt
done
run mv_labels fit data/latency.csv -f mvn

# eval and sample.
for fmt in table json csv; do
    run eval_$fmt eval "$M/wind.model.json" data/wind_speed.csv --format $fmt
    run eval_outside_$fmt eval "$M/wind.model.json" "$IN/negative.csv" --format $fmt
done
run fit_dice_save fit data/dice.csv -f categorical --save "$M/dice.model.json"
run eval_labels eval "$M/dice.model.json" data/dice.csv
run eval_labels_per_row eval "$M/dice.model.json" data/dice.csv --per-row
run sample_labels sample "$M/dice.model.json" -n 20 --seed 3
run sample_named sample "$M/wind.model.json" -n 5 --seed 2 --name v
run eval_bad_model eval data/wind_speed.csv data/wind_speed.csv

# families.
run families_json families --format json
run families_t_json families t --format json
run families_mvn families mvn
run families_mix families normal_mixture
run families_unknown families weibul

# Help texts.
run help --help
for sub in fit compare eval sample families; do
    run help_$sub $sub --help
done

# Usage and data errors (the refused options of each pipeline, exit codes, messages).
run err_unknown_family fit data/wind_speed.csv -f weibul
run err_trials_normal fit data/wind_speed.csv -f normal --trials 20
run err_save_two fit data/wind_speed.csv -f gamma,weibull --save "$M/two.json"
run err_nonconverged fit data/dc_voltage.csv -f student_t
run err_constant fit "$IN/constant.csv" -f normal
run err_support fit "$IN/negative.csv" -f gamma
run err_ci_bootstrap fit data/wind_speed.csv -f gamma --ci 0.9 --ci-method bca
run err_mix_trials fit data/faithful.csv -c eruptions -f normal_mixture --trials 3
run err_mix_fix fit data/faithful.csv -c eruptions -f normal_mixture --fix w1=0.3
run err_mix_range_se fit data/faithful.csv -c eruptions -f normal_mixture --components auto --se all
run err_mix_range_q fit data/faithful.csv -c eruptions -f normal_mixture --components 1..3 --quantile 0.5
run err_mix_other fit data/faithful.csv -c eruptions -f normal_mixture,normal
run err_mix_starts0 fit data/faithful.csv -c eruptions -f normal_mixture --starts 0
run err_mix_components_normal fit data/faithful.csv -c eruptions -f normal --components 2
run err_mv_fix fit data/measurements.csv -f mvn --fix mean=1
run err_mv_trials fit data/measurements.csv -f mvn --trials 3
run err_mv_se fit data/measurements.csv -f mvn --se all
run err_mv_weights fit data/measurements.csv -f mvn -w width
run err_mv_save fit data/measurements.csv -f mvn --save "$M/mv.json"
run err_mv_cov_normal fit data/measurements.csv -f normal --covariance full
run err_mv_mixed fit data/measurements.csv -f mvn,normal
run err_mv_two fit data/measurements.csv -f mvn,multivariate_normal
run err_mv_twice fit data/measurements.csv -f mvn -c length,length
run err_mv_empty_col fit data/measurements.csv -f mvn -c length,,width
run err_mv_unknown fit data/measurements.csv -f mvn,weibul
run err_mv_mixture fit data/measurements.csv -f mvn,normal_mixture
run err_mix_cov fit data/faithful.csv -f normal_mixture --covariance full
run err_compare_unknown compare data/counts.csv -f weibul
run err_eval_missing eval /nonexistent.json data/wind_speed.csv

cp -r "$M" "$OUT/models"
echo "$n cases in $OUT"
