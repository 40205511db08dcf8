//! Shared pieces of the families' log-CDF and log-survival derivatives
//! ([`Family::ln_cdf_derivs`](super::Family::ln_cdf_derivs)): the chain rule through a
//! location–scale z = (x − μ)/σ, and ln(1 − e^{−y}) with y = e^ℓ, the tail that Weibull, Fréchet,
//! Gumbel and Rayleigh share (their other tail is −y itself), both stable far into the tails.

/// ln(1 − e^{−y}) at y = e^ℓ with its first and second derivatives in ℓ.
///
/// Taken as ℓ + ln((1 − e^{−y})/y) for y < ½ (finite when y underflows: the value tends to ℓ)
/// and as ln1p(−e^{−y}) above. With a = y/(e^y − 1) and b = y/(1 − e^{−y}) (both → 1 as
/// y → 0), d/dℓ = a and d²/dℓ² = a(1 − b). ℓ = −∞ gives (−∞, 0, 0), ℓ large enough that y
/// overflows gives (0, 0, 0).
pub(crate) fn ln_one_minus_exp_neg(ell: f64) -> (f64, f64, f64) {
    if ell == f64::NEG_INFINITY {
        return (f64::NEG_INFINITY, 0.0, 0.0);
    }
    let y = ell.exp();
    if y == f64::INFINITY {
        return (0.0, 0.0, 0.0);
    }
    if y == 0.0 {
        return (ell, 1.0, 0.0);
    }
    let one_minus = -(-y).exp_m1();
    let value = if y < 0.5 {
        ell + (one_minus / y).ln()
    } else {
        (-(-y).exp()).ln_1p()
    };
    let (a, b) = (y / y.exp_m1(), y / one_minus);
    (value, a, a * (1.0 - b))
}

/// L(z) at z = (x − μ)/σ for θ = (μ, σ), from `tail(z)` = (L, L′, L″): the gradient
/// L′∇z and Hessian L′∇²z + L″∇z∇zᵀ with ∇z = −(1, z)/σ and ∇²z = [[0, 1], [1, 2z]]/σ²,
/// overwritten. An infinite x gives L(±∞) with zero derivatives.
pub(crate) fn location_scale(
    theta: &[f64],
    x: f64,
    tail: impl Fn(f64) -> (f64, f64, f64),
    grad: Option<&mut [f64]>,
    hess: Option<&mut [f64]>,
) -> f64 {
    let (mu, sigma) = (theta[0], theta[1]);
    let z = (x - mu) / sigma;
    let (value, d1, d2) = tail(z);
    let (d1, d2, z) = if z.is_finite() {
        (d1, d2, z)
    } else {
        (0.0, 0.0, 0.0)
    };
    let dz = [-1.0 / sigma, -z / sigma];
    if let Some(g) = grad {
        g[0] = d1 * dz[0];
        g[1] = d1 * dz[1];
    }
    if let Some(h) = hess {
        let s2 = sigma * sigma;
        h[0] = d2 * dz[0] * dz[0];
        h[1] = d1 / s2 + d2 * dz[0] * dz[1];
        h[2] = h[1];
        h[3] = d1 * 2.0 * z / s2 + d2 * dz[1] * dz[1];
    }
    value
}

/// −y (`minus_y`) or ln(1 − e^{−y}) for y = e^ℓ, with ℓ(θ)'s gradient `dl` (k) and Hessian
/// `d2l` (k × k, row-major): the gradient and Hessian in θ, overwritten. −y has
/// ∇ = −y∇ℓ and ∇² = −y(∇²ℓ + ∇ℓ∇ℓᵀ) — exact however large y is.
pub(crate) fn exp_tail(
    ell: f64,
    dl: &[f64],
    d2l: &[f64],
    minus_y: bool,
    grad: Option<&mut [f64]>,
    hess: Option<&mut [f64]>,
) -> f64 {
    let k = dl.len();
    let (value, d1, d2) = if minus_y {
        let y = ell.exp();
        (-y, -y, -y)
    } else {
        ln_one_minus_exp_neg(ell)
    };
    // Where y is 0 or ∞ the value does not move with θ (and ∇ℓ may be infinite).
    let (d1, d2) = if d1.is_finite() && ell.is_finite() {
        (d1, d2)
    } else {
        (0.0, 0.0)
    };
    if let Some(g) = grad {
        for j in 0..k {
            g[j] = d1 * dl[j];
        }
    }
    if let Some(h) = hess {
        for r in 0..k {
            for c in 0..k {
                h[r * k + c] = d1 * d2l[r * k + c] + d2 * dl[r] * dl[c];
            }
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_one_minus_exp_neg_is_exact_in_both_tails() {
        // y tiny: ln(1 − e^{−y}) = ln y − y/2 + …; y large: −e^{−y}.
        let (v, a, _) = ln_one_minus_exp_neg(-800.0);
        assert_eq!((v, a), (-800.0, 1.0));
        let (v, _, _) = ln_one_minus_exp_neg((1e-8f64).ln());
        assert!((v - ((1e-8f64).ln() - 0.5e-8)).abs() < 1e-15 * 18.4);
        let (v, _, _) = ln_one_minus_exp_neg(40f64.ln());
        assert!((v + (-40f64).exp()).abs() < 1e-14 * (-40f64).exp());
        // Derivatives against central differences.
        for ell in [-5.0, -0.3, 0.0, 0.4, 2.5] {
            let h = 1e-6;
            let (_, a, d2) = ln_one_minus_exp_neg(ell);
            let fd1 =
                (ln_one_minus_exp_neg(ell + h).0 - ln_one_minus_exp_neg(ell - h).0) / (2.0 * h);
            let fd2 =
                (ln_one_minus_exp_neg(ell + h).1 - ln_one_minus_exp_neg(ell - h).1) / (2.0 * h);
            assert!((a - fd1).abs() < 1e-8, "{ell}: {a} vs {fd1}");
            assert!((d2 - fd2).abs() < 1e-8, "{ell}: {d2} vs {fd2}");
        }
    }
}
