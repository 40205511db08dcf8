//! The resolution the values were recorded at: the grid x = origin + k·h they lie on (whole
//! seconds printed as minutes with three decimals, grams in whole units, a printed number of
//! decimals), and heaping (round values holding more rows than their neighbours).
//!
//! The step is found as an approximate greatest common divisor of the gaps between distinct
//! values, robust to the printing noise: the finest decimal resolution r the values are printed
//! at bounds the error of each value, a candidate step h ≥ 3r is taken from the smallest gap
//! above that noise, every distinct value is assigned its lattice index by walking the sorted
//! values, and h and the origin are refitted by least squares; the grid is accepted when every
//! value lies within r of it and nearly all within r/2 (what printing a grid point can do).
//! Without a coarser grid, the printed resolution r itself is the step. Values stored at full
//! floating-point precision have no printed resolution: then only an exact lattice is found.

use serde::Serialize;

use crate::data::Sample;

/// The grid the values were recorded on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Grid {
    /// The step h between neighbouring grid points.
    pub step: f64,
    /// A grid point: the values lie on origin + k·h.
    pub origin: f64,
    /// Number of grid cells holding data.
    pub cells: usize,
    /// Heaping: which round values hold more rows than a smooth density would give them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heaping: Option<String>,
    /// When the heaps are the multiples of a coarser step, that step: coarsened to it, the
    /// data are on one grid again (a value heaped to a multiple came from within its cell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heap_step: Option<f64>,
}

impl Grid {
    /// The index k of the grid point nearest `x`.
    pub fn index(&self, x: f64) -> i64 {
        ((x - self.origin) / self.step).round() as i64
    }

    /// The grid point nearest `x` (the centre of its cell).
    pub fn centre(&self, x: f64) -> f64 {
        self.origin + self.index(x) as f64 * self.step
    }

    /// The grid of the heaps' step (cells centred on its multiples), when there is one.
    pub fn coarsened(&self, sample: &Sample) -> Option<Grid> {
        let step = self.heap_step?;
        let mut g = Grid {
            step,
            origin: 0.0,
            cells: 0,
            heaping: self.heaping.clone(),
            heap_step: None,
        };
        g.cells = cell_counts(sample, &g).len();
        Some(g)
    }

    /// Whether the values are a regular sequence rather than a sample: every grid point from
    /// the smallest to the largest value held about once (an index, a run of years).
    pub fn is_sequence(&self, sample: &Sample) -> bool {
        let counts = cell_counts(sample, self);
        let span = counts.last().map_or(0, |c| c.0) - counts.first().map_or(0, |c| c.0) + 1;
        counts.len() >= 10
            && counts.iter().all(|c| c.1 <= 1.0)
            && counts.len() as f64 >= 0.9 * span as f64
    }
}

/// The grid `sample`'s positive-weight values lie on, if they lie on one (see the module doc).
pub fn detect(sample: &Sample) -> Option<Grid> {
    let distinct: Vec<f64> = sample.distinct().iter().map(|p| p.0).collect();
    if distinct.len() < 2 || distinct.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let scale = distinct.iter().fold(1.0f64, |m, x| m.max(x.abs()));
    let printed = printed_resolution(&distinct);
    // Without a printed resolution only floating-point noise blurs the grid.
    let noise = printed.unwrap_or(1e-9 * scale);
    let smallest_gap = distinct
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 1.5 * noise)
        .fold(f64::INFINITY, f64::min);
    let lattice = (1..=3)
        .map(|m| smallest_gap / m as f64)
        .take_while(|h| h.is_finite() && *h >= 3.0 * noise)
        .find_map(|h| fit_lattice(&distinct, h, noise));
    let (step, origin) = match (lattice, printed) {
        (Some(l), _) => l,
        (None, Some(r)) => (r, 0.0),
        (None, None) => return None,
    };
    let mut grid = Grid {
        step,
        origin,
        cells: 0,
        heaping: None,
        heap_step: None,
    };
    let counts = cell_counts(sample, &grid);
    grid.cells = counts.len();
    if let Some((what, step)) = heaping(sample, &grid, &counts) {
        grid.heaping = Some(what);
        grid.heap_step = step;
    }
    Some(grid)
}

/// The finest power of ten 10⁻ᵈ (d = 0..=9) every value is a multiple of, to floating-point
/// noise: the resolution the values were printed at.
fn printed_resolution(values: &[f64]) -> Option<f64> {
    (0..=9).find_map(|d| {
        let s = 10f64.powi(d);
        values
            .iter()
            .all(|x| {
                let y = x * s;
                (y - y.round()).abs() <= 1e-6 + 1e-12 * y.abs()
            })
            .then(|| 10f64.powi(-d))
    })
}

/// The lattice (step, origin) through sorted distinct `v` with a step near `h0`, when every
/// value lies within `noise` of it and nine in ten within `noise`/2.
fn fit_lattice(v: &[f64], h0: f64, noise: f64) -> Option<(f64, f64)> {
    // The mean of the gaps of about one step refines h0 (each is off by the printing noise),
    // so that the walk below rounds long gaps in the tails to the right number of steps.
    let singles: Vec<f64> = v
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 0.5 * h0 && *g < 1.5 * h0)
        .collect();
    if singles.is_empty() {
        return None;
    }
    let mut h = singles.iter().sum::<f64>() / singles.len() as f64;
    let mut k = vec![0.0f64; v.len()];
    for i in 1..v.len() {
        let g = v[i] - v[i - 1];
        let steps = if g <= 1.5 * noise {
            0.0
        } else {
            (g / h).round()
        };
        k[i] = k[i - 1] + steps;
        if k[i] > 0.0 {
            h = (v[i] - v[0]) / k[i];
        }
    }
    // Least squares of v on k.
    let n = v.len() as f64;
    let (mk, mv) = (k.iter().sum::<f64>() / n, v.iter().sum::<f64>() / n);
    let sxy: f64 = k.iter().zip(v).map(|(a, b)| (a - mk) * (b - mv)).sum();
    let sxx: f64 = k.iter().map(|a| (a - mk) * (a - mk)).sum();
    if !(sxx > 0.0) {
        return None;
    }
    let step = sxy / sxx;
    let origin = mv - step * mk;
    if !(step > 0.75 * h0 && step < 1.25 * h0) {
        return None;
    }
    let residual = |i: usize| (v[i] - origin - step * k[i]).abs();
    let all_close = (0..v.len()).all(|i| residual(i) <= 1.01 * noise);
    let on_grid = (0..v.len())
        .filter(|&i| residual(i) <= 0.55 * noise)
        .count();
    (all_close && on_grid as f64 >= 0.9 * n).then_some((step, origin))
}

/// The total weight in each occupied cell, by cell index, in increasing order.
pub(super) fn cell_counts(sample: &Sample, grid: &Grid) -> Vec<(i64, f64)> {
    let mut out: Vec<(i64, f64)> = Vec::new();
    for &(x, w) in sample.distinct() {
        let k = grid.index(x);
        match out.last_mut() {
            Some(last) if last.0 == k => last.1 += w,
            _ => out.push((k, w)),
        }
    }
    out
}

/// Heaping on a fine grid, where a smooth density gives neighbouring cells similar shares: one
/// value holding a large share of the rows (an interquartile range of at least 20 steps), or
/// the multiples of 2, 5 or 10 steps holding far more than their 1/2, 1/5, 1/10 (an
/// interquartile range of at least two of those coarser steps).
/// Returns the description and, for heaps on multiples, their step.
fn heaping(sample: &Sample, grid: &Grid, counts: &[(i64, f64)]) -> Option<(String, Option<f64>)> {
    let iqr = sample.quantile(0.75) - sample.quantile(0.25);
    let cells_per_iqr = iqr / grid.step;
    if !(cells_per_iqr >= 4.0) {
        return None;
    }
    let total: f64 = counts.iter().map(|c| c.1).sum();
    let fmt = |x: f64| crate::numeric::format::sig(x, 4);
    // A smooth density puts about f·h ≈ (IQR·f)/cells_per_iqr on a cell, and IQR·f is about
    // ½ for a normal, 1.1 at the mode of an exponential.
    let (k_max, w_max) = counts
        .iter()
        .copied()
        .fold((0, 0.0), |m, c| if c.1 > m.1 { c } else { m });
    let share = w_max / total;
    // At least ten rows, so that a few repeats in a small sample are not a heap.
    if cells_per_iqr >= 20.0 && w_max >= 10.0 && share >= (5.0 / cells_per_iqr).max(0.05) {
        let what = format!(
            "{} holds {:.0}% of the rows",
            fmt(grid.origin + k_max as f64 * grid.step),
            100.0 * share
        );
        return Some((what, None));
    }
    // The share of the rows on the multiples of m steps, for m = 2, 5, 10.
    let on = |m: f64| {
        let coarse = m * grid.step;
        counts
            .iter()
            .filter(|c| {
                let x = (grid.origin + c.0 as f64 * grid.step) / coarse;
                (x - x.round()).abs() < 0.01
            })
            .map(|c| c.1)
            .sum::<f64>()
            / total
    };
    let (on2, on5, on10) = (on(2.0), on(5.0), on(10.0));
    // Heaps at 10 steps are also multiples of 5 and 2: each is tested against what the finer
    // heaps would give it (half the multiples of 5 are multiples of 10).
    for (m, share, expected) in [(10.0, on10, on5 / 2.0), (5.0, on5, 0.2), (2.0, on2, 0.5)] {
        // The coarse cell must be small against the spread for the shares to be 1/m.
        if cells_per_iqr < 2.0 * m {
            continue;
        }
        let p = 1.0 / m;
        let noise = 4.0 * (p * (1.0 - p) / total).sqrt();
        if share >= expected + noise.max(0.1) {
            let what = format!(
                "multiples of {} hold {:.0}% of the rows ({:.0}% expected)",
                fmt(m * grid.step),
                100.0 * share,
                100.0 * p
            );
            return Some((what, Some(m * grid.step)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid_of(v: Vec<f64>) -> Option<Grid> {
        detect(&Sample::new(v).unwrap())
    }

    #[test]
    fn printed_decimals_and_coarser_lattices() {
        let g = grid_of(vec![1.25, 1.5, 2.0, 3.75, 1.25]).unwrap();
        assert!((g.step - 0.25).abs() < 1e-12, "{g:?}");
        let g = grid_of(vec![1.001, 1.002, 1.004, 1.009]).unwrap();
        assert!((g.step - 0.001).abs() < 1e-15, "{g:?}");
        assert_eq!(g.cells, 4);
        let g = grid_of(vec![10.0, 30.0, 70.0, 20.0, 10.0]).unwrap();
        assert!((g.step - 10.0).abs() < 1e-9 && g.cells == 4, "{g:?}");
        // Whole seconds printed as minutes with three decimals, one value off by 0.001.
        let v: Vec<f64> = [96, 100, 101, 103, 110, 112, 238, 250, 283]
            .iter()
            .map(|k| (*k as f64 / 60.0 * 1000.0).round() / 1000.0)
            .chain([3.966])
            .collect();
        let g = grid_of(v).unwrap();
        assert!((g.step - 1.0 / 60.0).abs() < 1e-5, "{g:?}");
        assert_eq!(g.index(3.966), g.index(3.967));
        // Thirds at full precision lie on an exact lattice; random values on none.
        let g = grid_of((0..9).map(|k| 2.0 + k as f64 / 3.0).collect()).unwrap();
        assert!((g.step - 1.0 / 3.0).abs() < 1e-12, "{g:?}");
        assert!(grid_of(vec![0.123456789012, 0.73469187654321, 1.9283746554321]).is_none());
    }
}
