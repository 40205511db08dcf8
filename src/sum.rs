//! Compensated summation for the sums whose rounding error would otherwise set the noise floor
//! of the objective (a sum of 1e6 log-densities loses ~√N ulps when added naively, enough to
//! stall a line search near the optimum).

/// Neumaier's compensated summation (Neumaier 1974), so sufficient statistics of a million
/// values keep their last digits.
#[derive(Default, Clone, Copy)]
pub struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    /// Add one term.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// The sum.
    #[inline]
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::CompensatedSum;

    #[test]
    fn recovers_what_naive_summation_loses() {
        let mut s = CompensatedSum::default();
        let mut naive = 0.0;
        for x in [1e16, 1.0, -1e16, 1.0] {
            s.add(x);
            naive += x;
        }
        assert_eq!(s.value(), 2.0);
        assert_ne!(naive, 2.0);
    }
}
