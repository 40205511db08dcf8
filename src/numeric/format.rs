//! Number formatting shared by error messages, notes and the renderers: a fixed number of
//! significant digits. Here, on floor 1, so that analyses that word a note with a number need
//! not reach up into `report`.

/// Format a number with `sig` significant digits, switching to exponent notation for very
/// large or small magnitudes. NaN (a quantity that does not exist here, `null` in JSON) is a
/// dash, so that no table cell reads "NaN".
pub fn sig(x: f64, sig: usize) -> String {
    if x.is_nan() {
        return "-".into();
    }
    if !x.is_finite() {
        return x.to_string();
    }
    if x == 0.0 {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..=9).contains(&mag) {
        return format!("{:.*e}", sig.saturating_sub(1), x);
    }
    let decimals = (sig as i32 - 1 - mag).max(0) as usize;
    format!("{x:.decimals$}")
}

/// Format a number exactly (the shortest decimal that reads back as the same `f64`), as a
/// person can read it: plain notation between 1e-5 and 1e16, exponent notation outside, so that
/// an echoed 1e300 is `1e300`, not 301 digits, and 5e-324 is `5e-324`, not 324 zeros. For
/// values echoed in error lines and notes, and for machine-readable cells (per-row output,
/// samples) where `{}` would write every digit of a huge or tiny number.
pub fn exact(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 || !a.is_finite() || (1e-5..1e16).contains(&a) {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::{exact, sig};

    #[test]
    fn exact_round_trips_and_never_writes_hundreds_of_digits() {
        // Issue 17: values 1e308 and 5e-324 were echoed as 309 and 324 digits.
        assert_eq!(exact(1e300), "1e300");
        assert_eq!(exact(-1e308), "-1e308");
        assert_eq!(exact(5e-324), "5e-324");
        assert_eq!(exact(-4.522352209416343e49), "-4.522352209416343e49");
        assert_eq!(exact(4.999346), "4.999346");
        assert_eq!(exact(123456.0), "123456");
        assert_eq!(exact(0.0), "0");
        assert_eq!(exact(f64::INFINITY), "inf");
        for x in [
            1e-310,
            2.2250738585072014e-308,
            0.1,
            1e16,
            9007199254740993.0,
            1.7e18,
        ] {
            assert_eq!(exact(x).parse::<f64>().unwrap(), x, "{x}");
            assert!(exact(x).len() <= 24, "{}", exact(x));
        }
    }

    #[test]
    fn significant_digits() {
        assert_eq!(sig(5.000_063_912, 7), "5.000064");
        assert_eq!(sig(-4703.2512, 6), "-4703.25");
        assert_eq!(sig(1.5e-7, 3), "1.50e-7");
        assert_eq!(sig(123_456_789_012.0, 4), "1.235e11");
        assert_eq!(sig(0.0, 4), "0");
    }

    #[test]
    fn non_finite_values_and_the_notation_switch() {
        // Issue 17: a table never says NaN; what JSON prints as null is a dash.
        assert_eq!(sig(f64::NAN, 4), "-");
        assert_eq!(sig(f64::INFINITY, 4), "inf");
        assert_eq!(sig(f64::NEG_INFINITY, 4), "-inf");
        assert_eq!(sig(1e-4, 3), "0.000100");
        assert_eq!(sig(999_999_999.0, 3), "999999999");
        assert_eq!(sig(1e10, 3), "1.00e10");
    }
}
