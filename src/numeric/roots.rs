//! Root finding in one variable: Brent's method on a bracket, the one root finder of the crate
//! (quantiles by inverting a CDF, profile-likelihood limits).
//!
//! Reference: Brent, *Algorithms for Minimization without Derivatives* (1973), ch. 4 (the
//! zeroin of Forsythe, Malcolm & Moler, *Computer Methods for Mathematical Computations*, 1977).

/// How a root search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootTermination {
    /// f is exactly 0 at the returned point.
    Zero,
    /// The bracket around the returned point is below the tolerance (plus rounding).
    Tolerance,
    /// The iteration cap was reached; the returned point is the best end of the last bracket.
    MaxIterations,
}

/// A root and how the search for it ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Root {
    /// The point returned: the end of the final bracket where |f| is smaller.
    pub x: f64,
    /// Evaluations of f made by the search (the two given ends not counted).
    pub iterations: usize,
    /// Why the search stopped.
    pub termination: RootTermination,
}

/// Why a root search failed.
#[derive(Debug, Clone, PartialEq)]
pub enum RootError<E> {
    /// The function returned an error at a point.
    Evaluation(E),
    /// The function returned NaN at `x`.
    NotANumber {
        /// The point where f was NaN.
        x: f64,
    },
}

/// Brent's zeroin: a root of f in the bracket [a.0, b.0], given with f there (`a` = (a, f(a)),
/// `b` = (b, f(b)), of opposite signs or one of them 0), combining bisection with secant and
/// inverse quadratic interpolation steps.
///
/// Stops when f = 0, when the bracket's half-width is below `tol(x)` / 2 plus 2ε|x| at the
/// current best point x, or after `max_iterations` evaluations; [`Root::termination`] says
/// which. An end where f is 0 is returned at once.
///
/// # Errors
/// [`RootError::Evaluation`] with the first error f returns; [`RootError::NotANumber`] when f
/// returns NaN.
pub fn brent<E>(
    a: (f64, f64),
    b: (f64, f64),
    tol: impl Fn(f64) -> f64,
    max_iterations: usize,
    mut f: impl FnMut(f64) -> Result<f64, E>,
) -> Result<Root, RootError<E>> {
    let (mut a, mut fa) = a;
    let (mut b, mut fb) = b;
    let done = |x: f64, iterations: usize, termination: RootTermination| {
        Ok(Root {
            x,
            iterations,
            termination,
        })
    };
    if fa == 0.0 {
        return done(a, 0, RootTermination::Zero);
    }
    if fb == 0.0 {
        return done(b, 0, RootTermination::Zero);
    }
    // c is the end of the bracket opposite b; a the previous b (or c).
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for iteration in 0..max_iterations {
        if (fb > 0.0) == (fc > 0.0) {
            (c, fc) = (a, fa);
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            (a, fa) = (b, fb);
            (b, fb) = (c, fc);
            (c, fc) = (a, fa);
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol(b);
        let xm = 0.5 * (c - b);
        if fb == 0.0 {
            return done(b, iteration, RootTermination::Zero);
        }
        if xm.abs() <= tol1 {
            return done(b, iteration, RootTermination::Tolerance);
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                // Secant.
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                // Inverse quadratic interpolation.
                let q0 = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * q0 * (q0 - r) - (b - a) * (r - 1.0));
                q = (q0 - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * xm * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        (a, fa) = (b, fb);
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = f(b).map_err(RootError::Evaluation)?;
        if fb.is_nan() {
            return Err(RootError::NotANumber { x: b });
        }
    }
    done(b, max_iterations, RootTermination::MaxIterations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brent_finds_a_cubic_root() {
        let mut calls = 0;
        let r = brent(
            (0.0, -2.0),
            (2.0, 6.0),
            |_| 1e-12,
            100,
            |x| {
                calls += 1;
                Ok::<_, ()>(x * x * x - 2.0)
            },
        )
        .unwrap();
        assert!((r.x - 2f64.cbrt()).abs() < 1e-11, "{r:?}");
        assert!(calls < 20, "{calls}");
        assert_eq!(r.iterations, calls);
        assert_ne!(r.termination, RootTermination::MaxIterations);
    }

    #[test]
    fn ends_at_a_zero_are_returned_at_once() {
        let never = |_: f64| -> Result<f64, ()> { panic!("no evaluation needed") };
        let r = brent((1.0, 0.0), (2.0, 3.0), |_| 1e-9, 10, never).unwrap();
        assert_eq!(
            (r.x, r.iterations, r.termination),
            (1.0, 0, RootTermination::Zero)
        );
        let r = brent((1.0, -1.0), (2.0, 0.0), |_| 1e-9, 10, never).unwrap();
        assert_eq!((r.x, r.termination), (2.0, RootTermination::Zero));
    }

    #[test]
    fn the_cap_and_the_failures_are_reported() {
        let r = brent(
            (0.0, -1.0),
            (1.0, 1.0),
            |_| 0.0,
            3,
            |x| Ok::<_, ()>(x.exp() - 1.5),
        )
        .unwrap();
        assert_eq!(
            (r.iterations, r.termination),
            (3, RootTermination::MaxIterations)
        );
        assert!(r.x > 0.0 && r.x < 1.0);

        let e = brent((0.0, -1.0), (1.0, 1.0), |_| 1e-12, 50, |_| Err("no")).unwrap_err();
        assert_eq!(e, RootError::Evaluation("no"));
        let e = brent(
            (0.0, -1.0),
            (1.0, 1.0),
            |_| 1e-12,
            50,
            |_| Ok::<_, ()>(f64::NAN),
        );
        assert!(matches!(e, Err(RootError::NotANumber { x }) if x > 0.0 && x < 1.0));
    }

    #[test]
    fn the_tolerance_may_depend_on_the_point() {
        // A relative tolerance, as the quantile search uses: the root 1e6 to 1e-10 relative.
        let r = brent(
            (0.0, -1e6),
            (4e6, 3e6),
            |x| 1e-10 * x.abs(),
            300,
            |x| Ok::<_, ()>(x - 1e6),
        )
        .unwrap();
        assert!((r.x - 1e6).abs() <= 1e-4, "{r:?}");
        assert_eq!(r.termination, RootTermination::Zero);
    }
}
