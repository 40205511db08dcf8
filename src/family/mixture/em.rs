//! EM for a finite mixture: the E-step and closed-form M-step over [`EmData`], accelerated by
//! SQUAREM, and the mixture families' initial estimate (the quantile split refined by EM).
//!
//! Every iterate stays in the parameter space and ℓ never decreases. A pass runs in fixed
//! blocks in parallel and sums them in block order, so it gives the same result whatever the
//! number of threads.
//!
//! References: McLachlan & Peel, *Finite Mixture Models* (2000), ch. 2–3 (EM, the unbounded
//! likelihood and degenerate solutions); Varadhan & Roland, "Simple and globally convergent
//! methods for accelerating the convergence of any EM algorithm", Scand. J. Statist. 35 (2008).

use rayon::prelude::*;

use super::em_data::{Degeneracy, EmData};
use super::terms::LogSum;
use super::{sort_components, KernelKind, LN_SQRT_2PI, MAX_COMPONENTS};
use crate::data::Sample;
use crate::error::Result;
use crate::family::{degenerate, Family};

/// EM from a start stops when a SQUAREM cycle gains less than this fraction of |ℓ| (the
/// screening of large data, the fallback when Newton does not certify a maximum from the short
/// EM, and the families' initial estimate).
pub(crate) const EM_TIGHT_GAIN: f64 = 1e-10;

/// What EM reached.
pub(crate) struct EmResult {
    pub(crate) theta: Vec<f64>,
    /// EM passes (one E-step and one M-step each) run.
    pub(crate) iterations: usize,
    /// ℓ at the last θ evaluated.
    pub(crate) log_likelihood: f64,
    pub(crate) degenerate: Option<Degeneracy>,
}

/// The parameter-only parts of ln wⱼfⱼ(y), computed once per pass, not once per point.
struct PassParams {
    /// ln wⱼ − ln σⱼ − ln √(2π) (normal), ln wⱼ − λⱼ (Poisson).
    constant: Vec<f64>,
    /// μⱼ (or λⱼ).
    loc: Vec<f64>,
    /// 1/σⱼ (normal) or ln λⱼ (Poisson).
    factor: Vec<f64>,
}

impl PassParams {
    fn new(kernel: KernelKind, k: usize, theta: &[f64]) -> PassParams {
        let normal = kernel != KernelKind::Poisson;
        PassParams {
            constant: (0..k)
                .map(|j| {
                    theta[j].ln()
                        + if normal {
                            -theta[2 * k + j].ln() - LN_SQRT_2PI
                        } else {
                            -theta[k + j]
                        }
                })
                .collect(),
            loc: theta[k..2 * k].to_vec(),
            factor: (0..k)
                .map(|j| {
                    if normal {
                        1.0 / theta[2 * k + j]
                    } else {
                        theta[k + j].ln()
                    }
                })
                .collect(),
        }
    }
}

/// The E-step over one block of points: [Σ w ln p (without offsets), then per component
/// Σ rw, Σ rw (y − locⱼ), Σ rw (y − locⱼ)²] (the last two about the current location, which
/// keeps the variance update accurate: the location moves little between passes).
fn estep_block(kernel: KernelKind, k: usize, c: &PassParams, y: &[f64], w: &[f64]) -> Vec<f64> {
    match kernel {
        KernelKind::Normal | KernelKind::LogNormal => estep_loop(k, c, y, w, |y, j| {
            let z = (y - c.loc[j]) * c.factor[j];
            -0.5 * z * z
        }),
        KernelKind::Poisson => estep_loop(
            k,
            c,
            y,
            w,
            |y, j| {
                if y == 0.0 {
                    0.0
                } else {
                    y * c.factor[j]
                }
            },
        ),
    }
}

#[inline(always)]
fn estep_loop(
    k: usize,
    c: &PassParams,
    ys: &[f64],
    ws: &[f64],
    kernel: impl Fn(f64, usize) -> f64,
) -> Vec<f64> {
    let mut out = vec![0.0; 1 + 3 * k];
    let mut l = [0.0; MAX_COMPONENTS];
    let l = &mut l[..k];
    // Σ wᵢ ln sᵢ (sᵢ ∈ [1, k], the normaliser of point i) with one logarithm per 200 points.
    let mut total = LogSum::new();
    let (n, rest) = out[1..].split_at_mut(k);
    let (s1, s2) = rest.split_at_mut(k);
    for (&y, &w) in ys.iter().zip(ws) {
        let mut top = f64::NEG_INFINITY;
        for (j, lj) in l.iter_mut().enumerate() {
            *lj = c.constant[j] + kernel(y, j);
            top = top.max(*lj);
        }
        let mut s = 0.0;
        for lj in l.iter_mut() {
            *lj = if *lj == top { 1.0 } else { (*lj - top).exp() };
            s += *lj;
        }
        total.add(w, top, s);
        let scale = w / s;
        for j in 0..k {
            let rw = scale * l[j];
            let d = y - c.loc[j];
            n[j] += rw;
            s1[j] += rw * d;
            s2[j] += rw * d * d;
        }
    }
    out[0] = total.value();
    out
}

/// Points per block of a pass over the data: blocks are evaluated in parallel and summed in
/// block order, so a pass gives the same result whatever the number of threads.
const BLOCK: usize = 8192;

/// One EM pass at θ: ℓ(θ) and the M-step's θ (closed form).
pub(crate) fn em_pass(
    kernel: KernelKind,
    k: usize,
    data: &EmData,
    theta: &[f64],
) -> (f64, Vec<f64>) {
    let c = PassParams::new(kernel, k, theta);
    let stats = if data.y.len() <= BLOCK {
        estep_block(kernel, k, &c, &data.y, &data.w)
    } else {
        let blocks: Vec<Vec<f64>> = data
            .y
            .par_chunks(BLOCK)
            .zip(data.w.par_chunks(BLOCK))
            .map(|(y, w)| estep_block(kernel, k, &c, y, w))
            .collect();
        let mut ll = crate::sum::CompensatedSum::default();
        let mut sums = vec![0.0; 1 + 3 * k];
        for b in &blocks {
            ll.add(b[0]);
            for (s, v) in sums[1..].iter_mut().zip(&b[1..]) {
                *s += v;
            }
        }
        sums[0] = ll.value();
        sums
    };
    let ll = stats[0] + data.offset_total;
    let mut next = theta.to_vec();
    let p = kernel.per_component();
    for j in 0..k {
        let (n, s1, s2) = (stats[1 + j], stats[1 + k + j], stats[1 + 2 * k + j]);
        next[j] = n / data.total;
        let shift = if n > 0.0 { s1 / n } else { f64::NAN };
        next[k + j] += shift;
        if p == 3 {
            next[2 * k + j] = (s2 / n - shift * shift).max(0.0).sqrt();
        }
    }
    (ll, next)
}

/// θ on the scale SQUAREM extrapolates on, where every point is valid: ln w, location / spread
/// (ln rate for Poisson components), ln scale.
fn to_squarem(kernel: KernelKind, k: usize, theta: &[f64], spread: f64) -> Vec<f64> {
    let mut phi: Vec<f64> = theta[..k].iter().map(|w| w.ln()).collect();
    phi.extend(theta[k..2 * k].iter().map(|&m| {
        if kernel == KernelKind::Poisson {
            m.ln()
        } else {
            m / spread
        }
    }));
    phi.extend(theta[2 * k..].iter().map(|s| s.ln()));
    phi
}

fn from_squarem(kernel: KernelKind, k: usize, phi: &[f64], spread: f64) -> Vec<f64> {
    let top = phi[..k].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = phi[..k].iter().map(|l| (l - top).exp()).sum();
    let mut theta: Vec<f64> = phi[..k].iter().map(|l| (l - top).exp() / total).collect();
    theta.extend(phi[k..2 * k].iter().map(|&u| {
        if kernel == KernelKind::Poisson {
            u.exp()
        } else {
            u * spread
        }
    }));
    theta.extend(phi[2 * k..].iter().map(|u| u.exp()));
    theta
}

/// EM from θ₀, accelerated by SQUAREM (Varadhan & Roland, "Simple and globally convergent
/// methods for accelerating the convergence of any EM algorithm", Scand. J. Statist. 35
/// (2008), scheme S3 with the step-length cap of their `SQUAREM` package): each cycle takes two
/// EM passes θ₁ = F(θ₀), θ₂ = F(θ₁), extrapolates θ′ = θ₀ − 2αr + α²v (r = θ₁ − θ₀,
/// v = θ₂ − 2θ₁ + θ₀, α = −‖r‖/‖v‖, on the scale of [`to_squarem`]) and takes one EM pass
/// from θ′ — kept only when ℓ(θ′) ≥ ℓ(θ₁) and nothing degenerates, else the pass is taken
/// from θ₂ (plain EM), so ℓ never decreases. Stops when a cycle gains less than
/// `gain`·|ℓ| or after `max_passes` passes; stops early, with the reason, when θ becomes
/// degenerate.
pub(crate) fn em(
    kernel: KernelKind,
    k: usize,
    data: &EmData,
    theta0: Vec<f64>,
    gain: f64,
    max_passes: usize,
) -> EmResult {
    let pass = |theta: &[f64]| {
        let (ll, next) = em_pass(kernel, k, data, theta);
        let why = data.degeneracy(kernel, k, &next);
        (ll, next, why)
    };
    let done = |theta, iterations, log_likelihood, degenerate| EmResult {
        theta,
        iterations,
        log_likelihood,
        degenerate,
    };
    let mut theta = theta0;
    let mut previous = f64::NEG_INFINITY;
    let mut ll = f64::NEG_INFINITY;
    let mut step_max = 1.0f64;
    let mut used = 0;
    loop {
        if used >= max_passes {
            return done(theta, used, ll, None);
        }
        let (l0, t1, why) = pass(&theta);
        used += 1;
        if why.is_some() || l0 - previous <= gain * l0.abs() || used >= max_passes {
            return done(t1, used, l0, why);
        }
        previous = l0;
        let (l1, t2, why) = pass(&t1);
        used += 1;
        if why.is_some() || used >= max_passes {
            return done(t2, used, l1, why);
        }
        // The extrapolation, when its step is longer than plain EM's (α < −1).
        let phi0 = to_squarem(kernel, k, &theta, data.spread);
        let phi1 = to_squarem(kernel, k, &t1, data.spread);
        let phi2 = to_squarem(kernel, k, &t2, data.spread);
        let r: Vec<f64> = phi1.iter().zip(&phi0).map(|(a, b)| a - b).collect();
        let v: Vec<f64> = (0..phi0.len())
            .map(|i| phi2[i] - 2.0 * phi1[i] + phi0[i])
            .collect();
        let norm = |x: &[f64]| x.iter().map(|a| a * a).sum::<f64>().sqrt();
        let ratio = norm(&r) / norm(&v);
        let alpha = if ratio.is_finite() {
            ratio.clamp(1.0, step_max)
        } else {
            1.0
        };
        // The cap grows while the steps reach it and shrinks after a rejected extrapolation
        // (as `SQUAREM`'s step.max with mstep = 4).
        if alpha == step_max {
            step_max *= 4.0;
        }
        let mut next = None;
        if alpha > 1.0 {
            let phi: Vec<f64> = (0..phi0.len())
                .map(|i| phi0[i] + 2.0 * alpha * r[i] + alpha * alpha * v[i])
                .collect();
            let candidate = from_squarem(kernel, k, &phi, data.spread);
            if candidate.iter().all(|t| t.is_finite())
                && data.degeneracy(kernel, k, &candidate).is_none()
            {
                let (lp, t3, why) = pass(&candidate);
                used += 1;
                if lp >= l1 && why.is_none() {
                    next = Some((lp, t3));
                } else if used >= max_passes {
                    return done(t2, used, l1, None);
                }
            }
            if next.is_none() {
                step_max = (step_max / 4.0).max(1.0);
            }
        }
        let (lx, t3) = match next {
            Some(n) => n,
            None => {
                let (l2, t3, why) = pass(&t2);
                used += 1;
                if why.is_some() {
                    return done(t3, used, l2, why);
                }
                (l2, t3)
            }
        };
        ll = lx;
        theta = t3;
    }
}

/// The start used by the mixture families' [`Family::initial_estimate`]: the quantile split
/// refined by up to `iterations` EM passes (the split itself when EM degenerates). Sorted by
/// location.
///
/// # Errors
/// [`crate::error::ErrorKind::Degenerate`] when the data have no spread or too few distinct values.
pub(crate) fn initial_estimate(
    family: &dyn Family,
    kernel: KernelKind,
    k: usize,
    sample: &Sample,
    iterations: usize,
) -> Result<Vec<f64>> {
    let data = EmData::new(kernel, sample);
    if data.y.len() <= k || data.spread.is_nan() || data.spread <= 0.0 {
        return Err(degenerate(
            family,
            format!(
                "the data have {} distinct values: too few for {k} components",
                data.y.len()
            ),
        ));
    }
    if kernel == KernelKind::Poisson && data.y.iter().all(|&y| y == 0.0) {
        return Err(degenerate(family, "all counts are 0"));
    }
    let split = data.quantile_start(kernel, k);
    let refined = em(kernel, k, &data, split.clone(), EM_TIGHT_GAIN, iterations);
    let theta = if refined.degenerate.is_none() && refined.theta.iter().all(|v| v.is_finite()) {
        refined.theta
    } else {
        split
    };
    Ok(sort_components(&theta, k, kernel.per_component()))
}

#[cfg(test)]
mod tests {
    use super::super::terms::sum_log_likelihood;
    use super::*;
    use crate::family::normal_mixture::{NormalComponents, NormalMixture};
    use crate::fit::FitOptions;

    /// n seeded draws from a two-component normal mixture with overlapping components (slow
    /// plain EM).
    fn overlapping(n: usize) -> Sample {
        use rand::SeedableRng;
        let f = NormalMixture::new(2);
        let theta = [0.4, 0.6, 0.0, 1.6, 0.8, 1.0];
        Sample::new(f.sample(&theta, n, &mut rand::rngs::StdRng::seed_from_u64(3))).unwrap()
    }

    #[test]
    fn squarem_reaches_plain_em_fixed_point_in_fewer_passes() {
        let s = overlapping(2000);
        let data = EmData::new(KernelKind::Normal, &s);
        let start = data.quantile_start(KernelKind::Normal, 2);
        let fast = em(KernelKind::Normal, 2, &data, start.clone(), 1e-13, 20_000);
        assert!(fast.degenerate.is_none());
        // Plain EM: one pass after another, ℓ never decreasing.
        let (mut theta, mut previous, mut passes) = (start, f64::NEG_INFINITY, 0);
        loop {
            let (ll, next) = em_pass(KernelKind::Normal, 2, &data, &theta);
            passes += 1;
            assert!(ll >= previous - 1e-9, "EM decreased ℓ: {previous} → {ll}");
            theta = next;
            if ll - previous <= 1e-13 * ll.abs() {
                break;
            }
            previous = ll;
        }
        // Both stop near the maximum, which the certified Newton fit pins down; SQUAREM's
        // point is at least as close to it.
        let f = NormalMixture::new(2);
        let mle = crate::fit::fit(
            &f,
            &s,
            &FitOptions {
                start: Some(fast.theta.clone()),
                ..FitOptions::default()
            },
        )
        .unwrap();
        assert!(mle.converged);
        let distance = |t: &[f64]| {
            t.iter()
                .zip(mle.theta())
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
        };
        assert!(
            distance(&fast.theta) < 1e-4,
            "{:?} vs {:?}",
            fast.theta,
            mle.theta()
        );
        assert!(distance(&fast.theta) <= distance(&theta));
        assert!(
            2 * fast.iterations < passes,
            "SQUAREM {} passes, plain EM {passes}",
            fast.iterations
        );
    }

    #[test]
    fn blocked_passes_equal_one_pass_over_everything() {
        // 20 000 rows: several blocks of EM points and of rows, some with zero weight.
        let s = overlapping(20_000);
        let w: Vec<f64> = (0..s.len()).map(|i| (i % 7) as f64 * 0.5).collect();
        let s = s.with_weights(w).unwrap();
        let theta = [0.35, 0.65, 0.1, 1.5, 0.9, 1.1];
        let data = EmData::new(KernelKind::Normal, &s);
        assert!(data.y.len() > 2 * BLOCK);
        let (ll, next) = em_pass(KernelKind::Normal, 2, &data, &theta);
        let c = PassParams::new(KernelKind::Normal, 2, &theta);
        let whole = estep_block(KernelKind::Normal, 2, &c, &data.y, &data.w);
        assert!(
            (ll - whole[0]).abs() < 1e-12 * ll.abs(),
            "{ll} vs {}",
            whole[0]
        );
        assert!((next[0] - whole[1] / data.total).abs() < 1e-13);

        // The normal mixture's blocked log-likelihood against the shared pointwise one.
        let f = NormalMixture::new(2);
        let (mut g1, mut h1) = (vec![0.0; 6], vec![0.0; 36]);
        let (mut g2, mut h2) = (vec![0.0; 6], vec![0.0; 36]);
        let a = f.log_likelihood(&theta, &s, Some(&mut g1), Some(&mut h1));
        let points = (0..s.len()).map(|i| (s.values()[i], s.weight(i)));
        let components = NormalComponents::new(2, &theta);
        let b = sum_log_likelihood(
            KernelKind::Normal,
            2,
            &theta,
            points,
            |_, y, terms, d| components.fill(y, terms, d),
            Some(&mut g2),
            Some(&mut h2),
        );
        assert!((a - b).abs() < 1e-12 * b.abs(), "{a} vs {b}");
        assert!((a - ll).abs() < 1e-12 * b.abs(), "{a} vs EM's {ll}");
        let scale = h2.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (x, y) in g1.iter().zip(&g2).chain(h1.iter().zip(&h2)) {
            assert!((x - y).abs() < 1e-11 * scale, "{x} vs {y}");
        }
        // Exactly symmetric.
        for i in 0..6 {
            for j in 0..6 {
                assert_eq!(h1[i * 6 + j], h1[j * 6 + i]);
            }
        }
    }
}
