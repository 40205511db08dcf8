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

#[cfg(test)]
mod tests {
    use super::sig;

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
