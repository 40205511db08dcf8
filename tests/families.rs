//! Shared invariants, run for every family in the registry (GUIDE §6, layer 2):
//! - analytic score and Hessian = central finite differences (property test);
//! - the fast `log_likelihood` (sufficient statistics / hoisted loop) = Σ pointwise;
//! - ln p = −∞ outside the support;
//! - the density integrates (the mass sums) to 1;
//! - E[score] = 0 and E[−Hessian] = E[score scoreᵀ] (information equality) at the true θ;
//! - sampling agrees with the stated mean.

mod common;

use common::{close, nice_params, random_params, rng};
use mlfit::family::{pointwise_log_likelihood, Constraint, Family, Support, REGISTRY};
use mlfit::Sample;
use proptest::prelude::*;

fn ln_p(f: &dyn Family, theta: &[f64], x: f64) -> f64 {
    f.ln_density_derivs(theta, x, None, None)
}

fn check_derivatives(f: &dyn Family, theta: &[f64], x: f64) -> Result<(), String> {
    let k = theta.len();
    let mut g = vec![0.0; k];
    let mut h = vec![0.0; k * k];
    let lp = f.ln_density_derivs(theta, x, Some(&mut g), Some(&mut h));
    if !lp.is_finite() {
        return Ok(()); // a point where the density underflows: nothing to differentiate
    }
    // Non-smooth parameters (a Laplace location) have kinks in x: a point within one step of
    // the kink would compare a one-sided slope with a central difference.
    let irregular = f.irregularity().map_or(&[][..], |i| i.params);
    for j in 0..k {
        if irregular.contains(&j)
            && f.irregularity()
                .is_some_and(|i| !i.support_depends_on_params)
        {
            continue;
        }
        let step = 1e-5 * theta[j].abs().max(1e-2);
        // Central differences at two steps: near a support edge that moves with θ the
        // curvature is large and the smaller step is the accurate one.
        let fd_at = |h: f64| {
            let (mut up, mut dn) = (theta.to_vec(), theta.to_vec());
            up[j] += h;
            dn[j] -= h;
            let (lu, ld) = (ln_p(f, &up, x), ln_p(f, &dn, x));
            (lu.is_finite() && ld.is_finite()).then(|| (lu - ld) / (2.0 * h))
        };
        let (Some(fd), Some(fd_small)) = (fd_at(step), fd_at(step / 16.0)) else {
            continue; // x sits within one step of a support edge that moves with θ
        };
        let ok = |fd: f64| close(fd, g[j], 1e-5, 1e-7 * (1.0 + lp.abs()));
        if !ok(fd) && !ok(fd_small) {
            return Err(format!(
                "{} θ={theta:?} x={x}: d/d{} analytic {} vs fd {fd}",
                f.name(),
                f.params()[j].name,
                g[j]
            ));
        }
        // The Hessian row from central differences of the analytic gradient, at the same two
        // steps.
        let grad_fd_at = |h: f64| {
            let (mut up, mut dn) = (theta.to_vec(), theta.to_vec());
            up[j] += h;
            dn[j] -= h;
            let (mut gu, mut gd) = (vec![0.0; k], vec![0.0; k]);
            f.ln_density_derivs(&up, x, Some(&mut gu), None);
            f.ln_density_derivs(&dn, x, Some(&mut gd), None);
            (0..k)
                .map(|i| (gu[i] - gd[i]) / (2.0 * h))
                .collect::<Vec<f64>>()
        };
        let (row, row_small) = (grad_fd_at(step), grad_fd_at(step / 16.0));
        for i in 0..k {
            let an = h[j * k + i];
            let scale = g.iter().map(|v| v.abs()).fold(1.0, f64::max);
            let ok = |fd: f64| close(fd, an, 1e-4, 1e-6 * scale);
            if !ok(row[i]) && !ok(row_small[i]) {
                return Err(format!(
                    "{} θ={theta:?} x={x}: Hessian[{j},{i}] analytic {an} vs fd {}",
                    f.name(),
                    row[i]
                ));
            }
            if h[j * k + i] != h[i * k + j] {
                return Err(format!("{}: Hessian not symmetric", f.name()));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("regressions"))), ..ProptestConfig::default() })]

    #[test]
    fn score_and_hessian_match_finite_differences(index in 0..REGISTRY.len(), seed in any::<u64>()) {
        let f = REGISTRY[index];
        let mut r = rng(seed);
        let theta = random_params(f, &mut r);
        for x in f.sample(&theta, 3, &mut r) {
            if let Err(e) = check_derivatives(f, &theta, x) {
                prop_assert!(false, "{}", e);
            }
        }
    }

    #[test]
    fn fast_log_likelihood_equals_pointwise_sum(index in 0..REGISTRY.len(), seed in any::<u64>()) {
        let f = REGISTRY[index];
        let mut r = rng(seed);
        let truth = random_params(f, &mut r);
        let xs = f.sample(&truth, 40, &mut r);
        let ws: Vec<f64> = (0..xs.len()).map(|i| [0.0, 0.5, 1.0, 3.0][i % 4]).collect();
        let s = Sample::new(xs).unwrap().with_weights(ws).unwrap();
        let theta = random_params(f, &mut r);
        let k = theta.len();
        let (mut g1, mut g2, mut h1, mut h2) = (vec![0.0; k], vec![0.0; k], vec![0.0; k * k], vec![0.0; k * k]);
        let a = f.log_likelihood(&theta, &s, Some(&mut g1), Some(&mut h1));
        let b = pointwise_log_likelihood(f, &theta, &s, Some(&mut g2), Some(&mut h2));
        if !(a.is_finite() || b.is_finite()) {
            // θ puts an observation outside a support that moves with θ: both must say so.
            prop_assert!(a == f64::NEG_INFINITY && b == f64::NEG_INFINITY, "{}: {} vs {}", f.name(), a, b);
            return Ok(());
        }
        prop_assert!(close(a, b, 1e-11, 1e-11), "{}: value {} vs {}", f.name(), a, b);
        for j in 0..k {
            prop_assert!(close(g1[j], g2[j], 1e-10, 1e-10 * (1.0 + b.abs())), "{}: grad {:?} vs {:?}", f.name(), g1, g2);
        }
        for j in 0..k * k {
            prop_assert!(close(h1[j], h2[j], 1e-10, 1e-10 * (1.0 + b.abs())), "{}: hess {:?} vs {:?}", f.name(), h1, h2);
        }
        // The value alone agrees with the value computed alongside derivatives.
        prop_assert!(close(f.log_likelihood(&theta, &s, None, None), a, 1e-13, 1e-13));
    }
}

#[test]
fn log_density_is_minus_infinity_outside_the_support() {
    for f in REGISTRY {
        let theta = nice_params(*f);
        let outside: &[f64] = match f.support() {
            Support::Real => &[],
            Support::Positive => &[-1.0, 0.0, -1e-300],
            Support::NonNegative => &[-1.0, -1e-300],
            Support::OpenUnit => &[-0.5, 0.0, 1.0, 1.5],
            Support::Counts => &[-1.0, 0.5, 2.25],
            Support::Integers => &[0.5, -2.25],
            Support::Binary => &[-1.0, 0.5, 2.0],
            Support::Angle => &[],
            Support::Labels => &[-1.0, 0.5, 3.0],
        };
        for &x in outside {
            assert_eq!(
                ln_p(*f, &theta, x),
                f64::NEG_INFINITY,
                "{} at x = {x}",
                f.name()
            );
        }
    }
}

/// Adaptive Simpson quadrature of `g` on [a, b].
fn simpson(g: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    #[allow(clippy::too_many_arguments)] // the recursion carries the cached end and mid values
    fn rec(
        g: &dyn Fn(f64) -> f64,
        a: f64,
        b: f64,
        fa: f64,
        fm: f64,
        fb: f64,
        whole: f64,
        tol: f64,
        depth: u32,
    ) -> f64 {
        let m = 0.5 * (a + b);
        let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
        let (flm, frm) = (g(lm), g(rm));
        let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
        let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
        if depth == 0 || (left + right - whole).abs() <= 15.0 * tol {
            return left + right + (left + right - whole) / 15.0;
        }
        rec(g, a, m, fa, flm, fm, left, tol / 2.0, depth - 1)
            + rec(g, m, b, fm, frm, fb, right, tol / 2.0, depth - 1)
    }
    let (fa, fm, fb) = (g(a), g(0.5 * (a + b)), g(b));
    rec(
        g,
        a,
        b,
        fa,
        fm,
        fb,
        (b - a) / 6.0 * (fa + 4.0 * fm + fb),
        tol,
        40,
    )
}

#[test]
fn densities_integrate_and_masses_sum_to_one() {
    for f in REGISTRY {
        let theta = nice_params(*f);
        let total = match f.support() {
            Support::Binary => ln_p(*f, &theta, 0.0).exp() + ln_p(*f, &theta, 1.0).exp(),
            Support::Integers => {
                let mut s = 0.0;
                for dir in [1i64, -1] {
                    let start = if dir == 1 { 0 } else { -1 };
                    for i in 0..1_000_000i64 {
                        let p = ln_p(*f, &theta, (start + dir * i) as f64).exp();
                        s += p;
                        if i > 1000 && p < 1e-18 {
                            break;
                        }
                    }
                }
                s
            }
            Support::Angle => simpson(
                &|x| ln_p(*f, &theta, x).exp(),
                -std::f64::consts::PI,
                std::f64::consts::PI,
                1e-11,
            ),
            Support::Counts | Support::Labels => {
                let mut s = 0.0;
                for k in 0..1_000_000 {
                    let p = ln_p(*f, &theta, k as f64).exp();
                    s += p;
                    if k > 20 && p < 1e-18 {
                        break;
                    }
                }
                s
            }
            Support::Real => {
                // x = t / (1 − t²) maps (−1, 1) onto ℝ.
                let g = |t: f64| {
                    let x = t / (1.0 - t * t);
                    let dx = (1.0 + t * t) / (1.0 - t * t).powi(2);
                    let v = ln_p(*f, &theta, x).exp() * dx;
                    if v.is_finite() {
                        v
                    } else {
                        0.0
                    }
                };
                simpson(&g, -1.0 + 1e-12, 1.0 - 1e-12, 1e-11)
            }
            Support::Positive | Support::NonNegative => {
                // x = t / (1 − t) maps (0, 1) onto (0, ∞).
                let g = |t: f64| {
                    let x = t / (1.0 - t);
                    let v = ln_p(*f, &theta, x).exp() / (1.0 - t).powi(2);
                    if v.is_finite() {
                        v
                    } else {
                        0.0
                    }
                };
                simpson(&g, 1e-14, 1.0 - 1e-12, 1e-11)
            }
            Support::OpenUnit => simpson(&|x| ln_p(*f, &theta, x).exp(), 1e-14, 1.0 - 1e-14, 1e-11),
        };
        assert!(
            (total - 1.0).abs() < 1e-6,
            "{} at {theta:?}: total mass {total}",
            f.name()
        );
    }
}

/// Mean and standard error of a slice.
fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

#[test]
fn score_has_mean_zero_and_information_equality_holds() {
    const N: usize = 100_000;
    for (fi, f) in REGISTRY.iter().enumerate() {
        // Non-regular families (support moving with θ, non-smooth parameters) break these
        // identities by design; each has its own unit tests.
        if f.irregularity().is_some() {
            continue;
        }
        let theta = nice_params(*f);
        let k = theta.len();
        let xs = f.sample(&theta, N, &mut rng(1000 + fi as u64));
        let mut scores = vec![Vec::with_capacity(N); k];
        // d = −H − s sᵀ has mean zero at the true θ.
        let mut d = vec![Vec::with_capacity(N); k * k];
        let (mut g, mut h) = (vec![0.0; k], vec![0.0; k * k]);
        for &x in &xs {
            f.ln_density_derivs(&theta, x, Some(&mut g), Some(&mut h));
            for i in 0..k {
                scores[i].push(g[i]);
                for j in 0..k {
                    d[i * k + j].push(-h[i * k + j] - g[i] * g[j]);
                }
            }
        }
        // A fixed-only count (a binomial's trials) is not a parameter of the model being
        // fitted: its support moves with it, so its "score" has no mean-zero property.
        let free = |i: usize| f.params()[i].constraint != Constraint::FixedCount;
        for (i, s) in scores.iter().enumerate().filter(|(i, _)| free(*i)) {
            let (m, se) = mean_se(s);
            // Mixture weights: the derivatives are taken with each weight free, off the simplex,
            // where ∫p = Σw; so E[∂ ln p/∂wⱼ] = ∂(Σw)/∂wⱼ = 1, not 0. (The information
            // equality below still holds: ∂²(Σw) = 0.) In the optimiser's softmax coordinates
            // the score has mean zero again (tests/mixtures.rs).
            let expected = if f.params()[i].constraint == Constraint::Simplex {
                1.0
            } else {
                0.0
            };
            assert!(
                (m - expected).abs() < 5.0 * se + 1e-12,
                "{}: E[score {}] = {m} ± {se}",
                f.name(),
                f.params()[i].name
            );
        }
        for (ij, dv) in d
            .iter()
            .enumerate()
            .filter(|(ij, _)| free(ij / k) && free(ij % k))
        {
            let (m, se) = mean_se(dv);
            assert!(
                m.abs() < 5.0 * se + 1e-12,
                "{}: information equality [{ij}]: {m} ± {se}",
                f.name()
            );
        }
    }
}

#[test]
fn samples_have_the_stated_mean() {
    const N: usize = 100_000;
    for (fi, f) in REGISTRY.iter().enumerate() {
        let theta = nice_params(*f);
        let (mean, var) = f.mean_variance(&theta);
        if !(mean.is_finite() && var.is_finite()) {
            continue;
        }
        let xs = f.sample(&theta, N, &mut rng(77 + fi as u64));
        assert!(
            xs.iter().all(|&x| f.support().contains(x)),
            "{}: sample outside support",
            f.name()
        );
        let m = xs.iter().sum::<f64>() / N as f64;
        let se = (var / N as f64).sqrt();
        assert!(
            (m - mean).abs() < 5.0 * se,
            "{}: sample mean {m}, stated {mean} (se {se})",
            f.name()
        );
    }
}

/// Families that do not provide a CDF yet (the Kolmogorov–Smirnov distance is then omitted).
const WITHOUT_CDF: &[&str] = &[];

#[test]
fn cdfs_agree_with_the_density() {
    for (fi, f) in REGISTRY.iter().enumerate() {
        let theta = nice_params(*f);
        let mut xs = f.sample(&theta, 40, &mut rng(300 + fi as u64));
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        if f.cdf(&theta, xs[0]).is_none() {
            assert!(WITHOUT_CDF.contains(&f.name()), "{} has no cdf", f.name());
            continue;
        }
        assert!(
            !WITHOUT_CDF.contains(&f.name()),
            "{} now has a cdf: update WITHOUT_CDF",
            f.name()
        );
        let cdf = |x: f64| f.cdf(&theta, x).unwrap();
        for w in xs.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (fa, fb) = (cdf(a), cdf(b));
            assert!(
                (0.0..=1.0).contains(&fa) && fb >= fa,
                "{}: F({a}) = {fa}, F({b}) = {fb}",
                f.name()
            );
            let mass = if f.support().is_discrete() {
                // F(b) − F(a) = Σ_{a < k ≤ b} P(k) over the support points between them.
                let values: Vec<f64> = if f.support() == Support::Labels {
                    xs.iter().copied().filter(|v| *v > a && *v <= b).collect()
                } else {
                    ((a as i64 + 1)..=(b as i64)).map(|k| k as f64).collect()
                };
                values
                    .iter()
                    .map(|k| ln_p(*f, &theta, *k).exp())
                    .sum::<f64>()
            } else {
                simpson(&|x| ln_p(*f, &theta, x).exp(), a, b, 1e-12)
            };
            assert!(
                ((fb - fa) - mass).abs() < 1e-7,
                "{}: F({b}) − F({a}) = {} but the density gives {mass}",
                f.name(),
                fb - fa
            );
        }
    }
}
