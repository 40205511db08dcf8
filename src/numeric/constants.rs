//! Mathematical constants that `std::f64::consts` lacks, each the f64 nearest its value (use
//! `std::f64::consts` for π, ln 2, √2 and the others it has).

/// ln 2π.
pub const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// ln √(2π) = ½ ln 2π, the normal density's constant.
pub const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// ln π, the Cauchy density's constant.
pub const LN_PI: f64 = 1.144_729_885_849_400_2;

/// Euler's constant γ = −ψ(1), the mean of the standard Gumbel law.
pub const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// π/√6, the standard deviation of the standard Gumbel law.
pub const PI_OVER_SQRT_6: f64 = 1.282_549_830_161_864;

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::{LN_2, PI, TAU};

    #[test]
    // The decimal expansions carry more digits than an f64 on purpose: each constant must be
    // the float they round to.
    #[allow(clippy::excessive_precision)]
    fn constants_are_the_nearest_floats() {
        // The computed forms round once or twice; each constant is within one ulp of them.
        let close = |a: f64, b: f64| (a - b).abs() <= 2.0 * f64::EPSILON * a.abs();
        assert!(close(LN_2PI, TAU.ln()));
        assert!(close(LN_SQRT_2PI, 0.5 * TAU.ln()));
        assert!(close(LN_PI, PI.ln()));
        assert!(close(LN_2PI, LN_2 + LN_PI));
        // Decimal expansions: ln 2π = 1.83787706640934548356…, ln π = 1.14472988584940017414….
        assert_eq!(LN_2PI, 1.837_877_066_409_345_483_56);
        assert_eq!(LN_SQRT_2PI, 0.918_938_533_204_672_741_78);
        assert_eq!(LN_PI, 1.144_729_885_849_400_174_14);
        // γ = 0.57721566490153286061…, π/√6 = 1.28254983016186409554….
        assert_eq!(EULER_GAMMA, 0.577_215_664_901_532_860_61);
        assert_eq!(PI_OVER_SQRT_6, 1.282_549_830_161_864_095_54);
        assert!(close(PI_OVER_SQRT_6, PI / 6f64.sqrt()));
    }
}
