//! Model files and settings from anyone: random and boundary values in every field of `model.json`
//! and in every training setting end in a model or an error — never a panic, never a model beyond
//! [`flowlstm::LIMITS`] (which bounds what loading allocates: at most 8 layers of 1,024 units).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use flowcore::{Check, Criteria, FlowSeries, Interval};
use flowlstm::{train, DeviceChoice, LstmModel, SeriesIdentity, TrainConfig, LIMITS};
use proptest::prelude::*;
use serde_json::{json, Value};

/// One small trained model, saved once for every case: its folder and its `model.json`.
fn saved() -> &'static (PathBuf, Value) {
    static SAVED: OnceLock<(PathBuf, Value)> = OnceLock::new();
    SAVED.get_or_init(|| {
        let days: Vec<i64> = (0..40).map(|d| 1_609_459_200 + d * 86_400).collect();
        let flow: Vec<f64> = (0..40).map(|d| 330.0 + (d % 7) as f64 * 4.0).collect();
        let series = FlowSeries::new(days, flow, Interval::DAILY).unwrap();
        let config = TrainConfig {
            epochs: 1,
            hidden: 4,
            device: DeviceChoice::Cpu,
            ..TrainConfig::original()
        };
        let identity = SeriesIdentity {
            site: "jangmyeong".into(),
            column: "flow".into(),
        };
        let criteria = Criteria::with_levels(330.0, 354.0, 320.0, 360.0, 10.0);
        let mut trained = train(&series, &criteria, &identity, &config.check().unwrap(), &mut |_| {}).unwrap();
        // Kept for the whole test run; the folder is removed with the process's temporary files.
        let folder = tempfile::tempdir().unwrap().keep();
        trained.model.save(&folder).unwrap();
        let meta = serde_json::from_str(&std::fs::read_to_string(folder.join("model.json")).unwrap()).unwrap();
        (folder, meta)
    })
}

/// Values at and beyond every boundary, and of the wrong type.
fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(2)),
        Just(json!(7)),
        Just(json!(LIMITS.hidden)),
        Just(json!(LIMITS.hidden + 1)),
        Just(json!(LIMITS.window + 1)),
        Just(json!(1_000_000_000u64)),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
        Just(json!(1e9)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(0.5)),
        Just(Value::Null),
        Just(json!("x")),
        Just(json!([])),
        Just(json!({})),
        Just(json!({"min": 0.0, "max": 0.0})),
        Just(json!({"day_of_week": true, "hour_of_day": true})),
        any::<i64>().prop_map(|v| json!(v)),
        any::<f64>()
            .prop_filter("JSON has no NaN", |v| v.is_finite())
            .prop_map(|v| json!(v)),
    ]
}

/// A path into `model.json`: a top-level field, or one inside `criteria`, `scaler` or `features`.
fn field() -> impl Strategy<Value = Vec<&'static str>> {
    prop_oneof![
        prop::sample::select(vec![
            "format",
            "site",
            "column",
            "interval",
            "window",
            "periods",
            "hidden",
            "layers",
            "features",
            "feature_names",
            "target",
            "scaler",
            "criteria",
            "train_samples",
            "epochs_run",
            "batch_size",
            "learning_rate",
            "decay",
            "final_loss",
            "weights_bytes",
            "weights_sha256",
        ])
        .prop_map(|f| vec![f]),
        prop::sample::select(vec![
            "raw_min",
            "raw_max",
            "normal_min",
            "normal_max",
            "U_level",
            "L_level"
        ])
        .prop_map(|f| vec!["criteria", f]),
        prop::sample::select(vec!["min", "max"]).prop_map(|f| vec!["scaler", f]),
        prop::sample::select(vec!["day_of_week", "hour_of_day"]).prop_map(|f| vec!["features", f]),
    ]
}

/// Sets the field at `path`; a parent that an earlier edit made a non-object becomes an object.
fn set(meta: &mut Value, path: &[&str], value: Value) {
    let mut place = meta;
    for key in path {
        if !place.is_object() {
            *place = json!({});
        }
        place = &mut place[*key];
    }
    *place = value;
}

fn load_edited(folder: &Path, meta: &Value) -> Result<LstmModel, flowlstm::LstmError> {
    let case = tempfile::tempdir().unwrap();
    std::fs::copy(folder.join("model.safetensors"), case.path().join("model.safetensors")).unwrap();
    std::fs::write(case.path().join("model.json"), serde_json::to_vec(meta).unwrap()).unwrap();
    LstmModel::load(case.path(), DeviceChoice::Cpu)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_edit_of_model_json_loads_or_is_refused(edits in prop::collection::vec((field(), field_value()), 1..4)) {
        let (folder, meta) = saved();
        let mut edited = meta.clone();
        for (path, value) in edits {
            set(&mut edited, &path, value);
        }
        if let Ok(model) = load_edited(folder, &edited) {
            let m = &model.meta;
            prop_assert!(LIMITS.check(m.hidden, m.layers, m.window, m.periods).is_none());
            prop_assert!(m.criteria.named_values().iter().all(|(_, v)| v.is_finite()));
        }
    }

    #[test]
    fn any_training_setting_is_checked_without_hanging(
        window in prop_oneof![Just(0usize), 1..20usize, Just(usize::MAX)],
        periods in prop_oneof![Just(0usize), 1..5usize, Just(1_000_000usize)],
        hidden in prop_oneof![Just(0usize), 1..64usize, Just(1_000_000_000usize)],
        layers in prop_oneof![Just(0usize), 1..4usize, Just(usize::MAX)],
        train_fraction in prop_oneof![Just(0.0), Just(1.0), Just(f64::NAN), Just(1e-300), Just(1.0 - 1e-16), 0.01..0.99f64],
        validation_fraction in prop_oneof![Just(-0.1), Just(0.0), 0.0..0.95f64, Just(f64::INFINITY)],
        decay in prop_oneof![Just(-1e-7), Just(0.0), Just(1e-7), Just(f64::NAN)],
        learning_rate in prop_oneof![Just(None), Just(Some(0.0)), Just(Some(f64::NAN)), Just(Some(1e-3))],
    ) {
        let config = TrainConfig {
            window, periods, hidden, layers, train_fraction, validation_fraction, decay, learning_rate,
            ..TrainConfig::original()
        };
        let valid = config.validate().is_ok();
        // Answers at once for any setting; an answer exists exactly for the valid ones it can meet.
        let needed = flowlstm::rows_needed(&config);
        prop_assert!(valid || needed.is_none());
        if valid {
            prop_assert!(LIMITS.check(hidden, layers, window, periods).is_none());
        }
    }
}
