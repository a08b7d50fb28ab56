//! The robust statistics the alarm rules share: median, quantile and a σ from the median absolute
//! deviation, none moved by the few values an alarm is about.

/// The median, `None` for no values. Reorders `values`.
pub(crate) fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mid = values.len() / 2;
    let (_, upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *upper;
    if values.len() % 2 == 1 {
        return Some(upper);
    }
    let lower = values[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((lower + upper) / 2.0)
}

/// The value at share `q` of the sorted values (nearest rank), `None` for no values. Reorders
/// `values`.
pub(crate) fn quantile(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let at = ((values.len() - 1) as f64 * q).round() as usize;
    let (_, value, _) = values.select_nth_unstable_by(at, f64::total_cmp);
    Some(*value)
}

/// 1.4826 × the median absolute deviation from the median of the finite values: σ for normal
/// noise, unmoved by outliers.
pub(crate) fn robust_sigma(values: &[f64]) -> Option<f64> {
    let mut copy: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let centre = median(&mut copy)?;
    let mut deviations: Vec<f64> = copy.iter().map(|v| (v - centre).abs()).collect();
    median(&mut deviations).map(|mad| 1.4826 * mad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
        assert_eq!(quantile(&mut [5.0, 1.0, 4.0, 2.0, 3.0], 0.75), Some(4.0));
        // 1, 2, 3, 4, 100: median 3, deviations 2, 1, 0, 1, 97, their median 1.
        assert_eq!(robust_sigma(&[1.0, 2.0, 3.0, f64::NAN, 4.0, 100.0]), Some(1.4826));
    }
}
