//! Sliding windows: `window` past values predict the next `periods` values.

use crate::error::{CoreError, Result};

/// Supervised samples cut from a series, stored flat and contiguous so a model can take them as one
/// tensor without copying each window.
#[derive(Debug, Clone, PartialEq)]
pub struct Windows {
    /// `samples × window × features` inputs, row-major.
    pub inputs: Vec<f32>,
    /// `samples × periods` targets.
    pub targets: Vec<f32>,
    /// Number of samples.
    pub samples: usize,
    /// Steps of history per sample.
    pub window: usize,
    /// Steps predicted per sample.
    pub periods: usize,
    /// Values per step (1: the flow alone).
    pub features: usize,
}

/// Cuts every window of `window` steps followed by `periods` targets. Sample `i` uses steps
/// `i .. i + window` as input and `i + window .. i + window + periods` as targets.
///
/// `features` holds `features_per_step` values per step (the first of which is the flow, also the
/// target). Fails with the rows needed when the series is too short, where the original crashed.
pub fn make_windows(
    features: &[f32],
    features_per_step: usize,
    window: usize,
    periods: usize,
    interval: &str,
) -> Result<Windows> {
    if window == 0 || periods == 0 || features_per_step == 0 {
        return Err(CoreError::WindowShape);
    }
    let steps = features.len() / features_per_step;
    let need = window + periods;
    if steps < need {
        return Err(CoreError::TooFewRows {
            need,
            have: steps,
            interval: interval.to_string(),
        });
    }
    let samples = steps - need + 1;
    let mut inputs = Vec::with_capacity(samples * window * features_per_step);
    let mut targets = Vec::with_capacity(samples * periods);
    for i in 0..samples {
        inputs.extend_from_slice(&features[i * features_per_step..(i + window) * features_per_step]);
        targets.extend((i + window..i + need).map(|step| features[step * features_per_step]));
    }
    Ok(Windows {
        inputs,
        targets,
        samples,
        window,
        periods,
        features: features_per_step,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_by_hand() {
        let w = make_windows(&[1.0, 2.0, 3.0, 4.0, 5.0], 1, 3, 1, "daily").unwrap();
        assert_eq!(w.samples, 2);
        assert_eq!(w.inputs, vec![1.0, 2.0, 3.0, 2.0, 3.0, 4.0]);
        assert_eq!(w.targets, vec![4.0, 5.0]);
        let w = make_windows(&[1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 4.0, 40.0], 2, 2, 2, "daily").unwrap();
        assert_eq!(w.samples, 1);
        assert_eq!(w.inputs, vec![1.0, 10.0, 2.0, 20.0]);
        assert_eq!(w.targets, vec![3.0, 4.0]);
    }

    #[test]
    fn too_short_says_how_many_rows() {
        let error = make_windows(&[1.0; 7], 1, 7, 1, "daily").unwrap_err();
        assert_eq!(error.to_string(), "need at least 8 rows at interval daily, have 7");
    }
}
