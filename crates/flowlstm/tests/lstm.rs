//! Training, persistence, inference and every bad-input case of the LSTM, on small realistic series.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use flowcore::time::{parse_timestamp, DAY, MINUTE};
use flowcore::{Check, Criteria, FlowSeries, Interval};
use flowlstm::{
    forecast, DeviceChoice, EpochReport, Label, LstmError, LstmModel, Optimizer, PredictConfig, Scan, SeriesIdentity,
    TrainConfig, Training,
};

/// `flowlstm::train` with the configuration checked first, as every caller does.
fn train(
    series: &FlowSeries,
    criteria: &Criteria,
    identity: &SeriesIdentity,
    config: &TrainConfig,
    on_epoch: &mut dyn FnMut(EpochReport),
) -> Result<Training, LstmError> {
    flowlstm::train(series, criteria, identity, &config.clone().check()?, on_epoch)
}

/// `flowlstm::scan` with the configuration checked first.
fn scan(model: &LstmModel, series: &FlowSeries, config: &PredictConfig) -> Result<Scan, LstmError> {
    flowlstm::scan(model, series, &config.clone().check()?)
}
use tch::nn::{self, OptimizerConfig, RNN};
use tch::{Device, Kind, Reduction, Tensor};

/// Daily flow with a weekly cycle and a slow rise, like the utility's inflow.
fn daily_series(days: usize) -> FlowSeries {
    let start = parse_timestamp("2020-01-01").unwrap();
    let timestamps = (0..days as i64).map(|d| start + d * DAY).collect();
    let values = (0..days)
        .map(|d| {
            let weekly = [0.0, 4.0, 6.0, 5.0, 3.0, -12.0, -18.0][(d + 2) % 7];
            330.0 + 0.35 * d as f64 + weekly + 3.0 * ((d * 37 % 11) as f64 / 11.0 - 0.5)
        })
        .collect();
    FlowSeries::new(timestamps, values, Interval::DAILY).unwrap()
}

/// Predictions with their position.
type Indexed = Vec<(usize, f64)>;

fn criteria() -> Criteria {
    // U_level 500 + 0.1·20 = 502, L_level 290 − 0.1·10 = 289.
    Criteria::with_levels(300.0, 480.0, 290.0, 500.0, 10.0)
}

fn identity() -> SeriesIdentity {
    SeriesIdentity {
        site: "jangmyeong".to_string(),
        column: "장명(배) 유입유량 순시".to_string(),
    }
}

fn quick() -> TrainConfig {
    TrainConfig {
        epochs: 30,
        hidden: 16,
        device: DeviceChoice::Cpu,
        ..TrainConfig::original()
    }
}

#[test]
fn one_forward_and_backward_step_on_the_cpu() {
    let store = nn::VarStore::new(Device::Cpu);
    let lstm = nn::lstm(
        store.root(),
        1,
        8,
        nn::RNNConfig {
            num_layers: 2,
            ..Default::default()
        },
    );
    let mut optimizer = nn::Sgd::default().build(&store, 0.1).unwrap();
    let inputs = Tensor::rand([4, 7, 1], (Kind::Float, Device::Cpu));
    let (output, _) = lstm.seq(&inputs);
    assert_eq!(output.size(), vec![4, 7, 8]);
    let loss = output.mean(Kind::Float);
    let before: Vec<Tensor> = store.trainable_variables().iter().map(|t| t.detach().copy()).collect();
    optimizer.backward_step(&loss);
    let moved = store
        .trainable_variables()
        .iter()
        .zip(&before)
        .any(|(after, before)| after.ne_tensor(before).any().int64_value(&[]) == 1);
    assert!(moved, "a backward step must change the weights");
    let _ = Reduction::Mean;
}

#[test]
fn trains_splits_evaluates_and_repeats_bit_for_bit() {
    let series = daily_series(367);
    let mut losses = Vec::new();
    let first = train(&series, &criteria(), &identity(), &quick(), &mut |report| {
        losses.push(report.loss)
    })
    .unwrap();
    assert_eq!((first.train_rows, first.test_rows), (256, 111));
    assert_eq!(first.evaluation.predicted.len(), 111);
    assert_eq!(first.evaluation.timestamps[0], series.timestamps[256]);
    assert_eq!(losses.len(), 30);
    assert!(losses[29] < losses[0] / 2.0, "loss should fall: {losses:?}");
    // The model learned something: its error is well under the spread of the test values.
    let rmse = (first
        .evaluation
        .actual
        .iter()
        .zip(&first.evaluation.predicted)
        .map(|(a, p)| (a - p).powi(2))
        .sum::<f64>()
        / 111.0)
        .sqrt();
    assert!(rmse < 25.0, "rmse {rmse}");
    let second = train(&series, &criteria(), &identity(), &quick(), &mut |_| {}).unwrap();
    assert_eq!(first.evaluation.predicted, second.evaluation.predicted);
    assert_eq!(first.model.meta.final_loss, second.model.meta.final_loss);
}

#[test]
fn saves_and_loads_a_self_describing_model() {
    let dir = tempfile::tempdir().unwrap();
    let series = daily_series(120);
    let config = TrainConfig {
        epochs: 5,
        hidden: 8,
        optimizer: Optimizer::Adam,
        ..quick()
    };
    let mut trained = train(&series, &criteria(), &identity(), &config, &mut |_| {}).unwrap();
    trained.model.save(dir.path()).unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("model.json")).unwrap()).unwrap();
    assert_eq!(meta["window"], 7);
    assert_eq!(meta["interval"], "daily");
    assert_eq!(meta["optimizer"], "adam");
    assert_eq!(meta["site"], "jangmyeong");
    assert_eq!(meta["train_samples"], 84 - 7);
    assert!(meta["scaler"]["min"].as_f64().unwrap() > 300.0);
    let loaded = LstmModel::load(dir.path(), DeviceChoice::Cpu).unwrap();
    assert_eq!(loaded.meta, trained.model.meta);
    assert_eq!(
        forecast(&loaded, &series).unwrap(),
        forecast(&trained.model, &series).unwrap()
    );
    let next = forecast(&loaded, &series).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].timestamp, series.timestamps[119] + DAY);
    assert_eq!(next[0].label, Label::Normal);
    assert!(
        next[0]
            .to_string()
            .starts_with("time: 2020-04-30 00:00:00 - predicted: "),
        "{}",
        next[0]
    );
}

#[test]
fn broken_model_folders_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let error = LstmModel::load(dir.path(), DeviceChoice::Cpu).unwrap_err();
    assert!(error.to_string().contains("train a model first"), "{error}");

    let mut trained = train(
        &daily_series(60),
        &criteria(),
        &identity(),
        &TrainConfig {
            epochs: 1,
            hidden: 4,
            ..quick()
        },
        &mut |_| {},
    )
    .unwrap();
    trained.model.save(dir.path()).unwrap();
    let weights = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    let error = LstmModel::load(dir.path(), DeviceChoice::Cpu).unwrap_err();
    assert!(error.to_string().contains("truncated"), "{error}");

    // Same size, other bytes: they are not the weights model.json describes.
    let garbage = vec![b'x'; bytes.len()];
    std::fs::write(&weights, &garbage).unwrap();
    let error = LstmModel::load(dir.path(), DeviceChoice::Cpu).unwrap_err();
    assert!(error.to_string().contains("SHA-256 differs"), "{error}");

    // Garbage that model.json vouches for: the safetensors reader's refusal, not a crash.
    let meta_path = dir.path().join("model.json");
    let mut meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    use sha2::Digest as _;
    meta["weights_sha256"] = serde_json::json!(sha2::Sha256::digest(&garbage)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>());
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
    let error = LstmModel::load(dir.path(), DeviceChoice::Cpu).unwrap_err();
    assert!(error.to_string().contains("not a safetensors file"), "{error}");

    std::fs::write(&meta_path, "{\"format\": \"flow-lstm/1\"}").unwrap();
    let error = LstmModel::load(dir.path(), DeviceChoice::Cpu).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("model format `flow-lstm/1`, this flow reads `flow-lstm/2`; retrain the model"),
        "{error}"
    );
    std::fs::write(&meta_path, "{\"format\": \"flow-lstm/2\"}").unwrap();
    let error = LstmModel::load(dir.path(), DeviceChoice::Cpu).unwrap_err();
    assert!(error.to_string().contains("not a flow model description"), "{error}");
}

#[test]
fn a_model_for_another_site_or_interval_is_refused() {
    let trained = train(
        &daily_series(60),
        &criteria(),
        &identity(),
        &TrainConfig {
            epochs: 1,
            hidden: 4,
            ..quick()
        },
        &mut |_| {},
    )
    .unwrap();
    let folder = std::path::Path::new("Output/x");
    let error = trained
        .model
        .check_fits(
            folder,
            &SeriesIdentity {
                site: "hoeryong".into(),
                ..identity()
            },
            Interval::DAILY,
        )
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("trained for site `jangmyeong`, not `hoeryong`"),
        "{error}"
    );
    let error = trained
        .model
        .check_fits(folder, &identity(), Interval::HOURLY)
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("trained at interval daily, the data is hourly"),
        "{error}"
    );
    assert!(trained.model.check_fits(folder, &identity(), Interval::DAILY).is_ok());
    let other_column = SeriesIdentity {
        column: "장명(배) 유출유량 순시".into(),
        ..identity()
    };
    let error = trained
        .model
        .check_fits(folder, &other_column, Interval::DAILY)
        .unwrap_err();
    assert!(
        error.to_string().contains("trained on column `장명(배) 유입유량 순시`"),
        "{error}"
    );
}

#[test]
fn bad_training_inputs_are_refused_with_the_reason() {
    let short = daily_series(10);
    let error = train(&short, &criteria(), &identity(), &quick(), &mut |_| {}).unwrap_err();
    assert_eq!(error.to_string(), "need at least 12 rows at interval daily, have 10");

    let mut holed = daily_series(60);
    holed.values[20] = f64::NAN;
    let error = train(&holed, &criteria(), &identity(), &quick(), &mut |_| {}).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("value at 2020-01-21 00:00:00 is not a finite number"),
        "{error}"
    );
    holed.values[20] = f64::INFINITY;
    assert!(train(&holed, &criteria(), &identity(), &quick(), &mut |_| {}).is_err());

    let wild = TrainConfig {
        learning_rate: Some(1e9),
        epochs: 50,
        ..quick()
    };
    let error = train(&daily_series(60), &criteria(), &identity(), &wild, &mut |_| {}).unwrap_err();
    assert!(matches!(error, LstmError::Diverged { .. }), "{error}");
    assert!(error.to_string().contains("lower learning rate"));
}

#[test]
fn early_stopping_keeps_the_best_epoch() {
    let config = TrainConfig {
        epochs: 200,
        validation_fraction: 0.2,
        patience: 5,
        optimizer: Optimizer::Adam,
        ..quick()
    };
    let mut validation = Vec::new();
    let trained = train(&daily_series(200), &criteria(), &identity(), &config, &mut |r| {
        validation.push(r.validation_loss.unwrap())
    })
    .unwrap();
    assert!(trained.model.meta.validation_samples > 0);
    assert_eq!(trained.model.meta.epochs_run, validation.len());
}

#[test]
fn the_scan_flags_predictions_outside_the_normal_range() {
    let trained = train(
        &daily_series(120),
        &criteria(),
        &identity(),
        &TrainConfig { epochs: 20, ..quick() },
        &mut |_| {},
    )
    .unwrap();
    let mut model = trained.model;
    // A minute series at the trained level, then an hour well above anything seen in training.
    let start = parse_timestamp("2020-06-01").unwrap();
    let mut values: Vec<f64> = (0..600).map(|k| 340.0 + (k % 5) as f64).collect();
    values[300..360].fill(420.0);
    let timestamps = (0..600).map(|k| start + k * MINUTE).collect();
    let minutes = FlowSeries::new(timestamps, values, Interval::MINUTE).unwrap();
    let small_batches = PredictConfig {
        batch_size: 64,
        device: DeviceChoice::Cpu,
    };
    model.meta.criteria.upper_level = 10_000.0;
    let wide = scan(&model, &minutes, &small_batches).unwrap();
    assert_eq!(wide.windows, 600 - 7);
    assert!(wide.anomalies.is_empty());
    // Predictions for readings whose window saw the surge, against all the others.
    let (surge, calm): (Indexed, Indexed) = wide
        .predicted
        .iter()
        .copied()
        .enumerate()
        .partition(|(i, _)| (300..367).contains(&(i + 7)));
    let calm_max = calm.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    let surge_max = surge.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    assert!(surge_max > calm_max + 5.0, "surge {surge_max} calm {calm_max}");
    model.meta.criteria.upper_level = (calm_max + surge_max) / 2.0;
    let result = scan(&model, &minutes, &small_batches).unwrap();
    assert!(!result.anomalies.is_empty());
    for anomaly in &result.anomalies {
        assert!(
            anomaly.timestamp > minutes.timestamps[300] && anomaly.timestamp <= minutes.timestamps[366],
            "{anomaly:?}"
        );
        assert_eq!(anomaly.bound(), Some(flowcore::Bound::Above));
        assert!(anomaly.predicted >= model.meta.criteria.upper_level);
    }
    // Batch size changes nothing but speed.
    let one_batch = scan(
        &model,
        &minutes,
        &PredictConfig {
            batch_size: 100_000,
            device: DeviceChoice::Cpu,
        },
    )
    .unwrap();
    assert_eq!(one_batch, result);
    let error = scan(&model, &minutes.slice(0, 7), &small_batches).unwrap_err();
    assert_eq!(error.to_string(), "need at least 8 rows at interval 1min, have 7");
}

#[test]
fn a_train_fraction_without_both_parts_is_refused_at_once() {
    let series = daily_series(60);
    for fraction in [1.0, 0.0, -0.5, f64::NAN, f64::INFINITY] {
        let config = TrainConfig {
            train_fraction: fraction,
            ..quick()
        };
        assert_eq!(flowlstm::rows_needed(&config), None);
        let error = train(&series, &criteria(), &identity(), &config, &mut |_| {}).unwrap_err();
        assert!(matches!(error, LstmError::TrainFraction { .. }), "{fraction}: {error}");
    }
    // Valid but extreme: the rows needed are found at once, and the short series is refused by count.
    let tiny = TrainConfig {
        train_fraction: 1e-9,
        ..quick()
    };
    assert_eq!(flowlstm::rows_needed(&tiny), Some(8_000_000_000));
    let nearly_all = TrainConfig {
        train_fraction: 0.999,
        ..quick()
    };
    // 9 rows: floor(8.991) = 8 training rows (one window of 7 + 1) and 1 test row.
    assert_eq!(flowlstm::rows_needed(&nearly_all), Some(9));
    // 0.7: 11 rows give floor(7.7) = 7 training rows, one short; 12 give 8 and 4.
    assert_eq!(flowlstm::rows_needed(&quick()), Some(12));
    let half_year = TrainConfig {
        periods: 30,
        ..nearly_all
    };
    // n − floor(n · 0.999) ≥ 30 first holds at 29,001 rows (28,971.999 → 28,971 train, 30 test).
    assert_eq!(flowlstm::rows_needed(&half_year), Some(29_001));
    let error = train(&series, &criteria(), &identity(), &half_year, &mut |_| {}).unwrap_err();
    assert_eq!(error.to_string(), "need at least 29001 rows at interval daily, have 60");
}

/// fit → predict(horizon), with in-sample one-step predictions as a call of their own.
#[test]
fn predict_takes_a_horizon_and_one_step_is_the_scans_prediction() {
    let series = daily_series(60);
    let trained = train(
        &series,
        &criteria(),
        &identity(),
        &TrainConfig { epochs: 3, ..quick() },
        &mut |_| {},
    )
    .unwrap();
    let model = &trained.model;
    let config = PredictConfig {
        batch_size: 16,
        device: DeviceChoice::Cpu,
    };
    let in_sample = flowlstm::one_step(model, &series, &config.clone().check().unwrap()).unwrap();
    assert_eq!(in_sample.len(), 60 - 7);
    assert_eq!(scan(model, &series, &config).unwrap().predicted, in_sample);

    let week = flowlstm::predict(model, &series, 7).unwrap();
    assert_eq!(week.len(), 7);
    let last = *series.timestamps.last().unwrap();
    for (k, point) in week.iter().enumerate() {
        assert_eq!(point.timestamp, last + (k as i64 + 1) * DAY);
        assert!(point.predicted.is_finite());
    }
    // The first step is the one-pass forecast; the second is the forecast from a series that ends
    // with the first step's prediction.
    assert_eq!(week[0], forecast(model, &series).unwrap()[0]);
    let mut extended = series.clone();
    extended.timestamps.push(week[0].timestamp);
    extended.values.push(week[0].predicted);
    assert_eq!(week[1], forecast(model, &extended).unwrap()[0]);
    for horizon in [0, flowlstm::MAX_HORIZON + 1] {
        assert!(matches!(
            flowlstm::predict(model, &series, horizon),
            Err(LstmError::Horizon { .. })
        ));
    }
}

/// Whether an error is the one a case expects.
type IsExpected = fn(&LstmError) -> bool;

/// Every invalid setting has its own error, found before any work.
#[test]
fn each_invalid_setting_gets_its_own_error() {
    let base = quick();
    let cases: Vec<(TrainConfig, IsExpected)> = vec![
        (
            TrainConfig {
                window: 0,
                ..base.clone()
            },
            |e| matches!(e, LstmError::Zero { name: "window" }),
        ),
        (
            TrainConfig {
                epochs: 0,
                ..base.clone()
            },
            |e| matches!(e, LstmError::Zero { name: "epochs" }),
        ),
        (
            TrainConfig {
                batch_size: 0,
                ..base.clone()
            },
            |e| matches!(e, LstmError::Zero { name: "batch size" }),
        ),
        (
            TrainConfig {
                hidden: 5000,
                ..base.clone()
            },
            |e| matches!(e, LstmError::TooLarge { name: "hidden", .. }),
        ),
        (
            TrainConfig {
                layers: 9,
                ..base.clone()
            },
            |e| matches!(e, LstmError::TooLarge { name: "layers", .. }),
        ),
        (
            TrainConfig {
                learning_rate: Some(-1.0),
                ..base.clone()
            },
            |e| matches!(e, LstmError::LearningRate { .. }),
        ),
        (
            TrainConfig {
                learning_rate: Some(f64::NAN),
                ..base.clone()
            },
            |e| matches!(e, LstmError::LearningRate { .. }),
        ),
        (
            TrainConfig {
                train_fraction: 1.0,
                ..base.clone()
            },
            |e| matches!(e, LstmError::TrainFraction { .. }),
        ),
        (
            TrainConfig {
                decay: f64::INFINITY,
                ..base.clone()
            },
            |e| matches!(e, LstmError::Decay { .. }),
        ),
        (
            TrainConfig {
                validation_fraction: 0.95,
                ..base.clone()
            },
            |e| matches!(e, LstmError::ValidationFraction { .. }),
        ),
    ];
    let series = daily_series(60);
    for (config, expected) in cases {
        let checked = config.validate().unwrap_err();
        assert!(expected(&checked), "{checked}");
        // Training refuses with the same error, before any tensor is made.
        let error = train(&series, &criteria(), &identity(), &config, &mut |_| {
            panic!("no epoch may run")
        })
        .unwrap_err();
        assert_eq!(error.to_string(), checked.to_string());
    }
    assert!(base.validate().is_ok());
    let batch = PredictConfig {
        batch_size: 0,
        device: DeviceChoice::Cpu,
    };
    assert!(matches!(batch.validate(), Err(LstmError::BatchSize)));
    assert!(matches!(
        TrainConfig::preset("fancy"),
        Err(LstmError::UnknownPreset { .. })
    ));
}

#[test]
fn the_original_preset_is_the_original_code() {
    let original = TrainConfig::original();
    assert_eq!(
        (
            original.epochs,
            original.batch_size,
            original.window,
            original.hidden,
            original.layers
        ),
        (700, 32, 7, 50, 2)
    );
    assert_eq!(
        (original.optimizer, original.learning_rate(), original.decay),
        (Optimizer::Sgd, 0.01, 1e-7)
    );
    // Keras' time-based decay: lr / (1 + decay · iterations), iterations counted from 0.
    assert_eq!(original.learning_rate_at(0), 0.01);
    assert_eq!(original.learning_rate_at(10_000_000), 0.01 / 2.0);
    // 700 epochs of 8 batches (256 training rows → 249 windows) end at step 5,599.
    assert!((original.learning_rate_at(5_599) - 0.01 / (1.0 + 5.599e-4)).abs() < 1e-15);
    let negative = TrainConfig {
        decay: -1e-7,
        ..quick()
    };
    assert!(matches!(negative.validate(), Err(LstmError::Decay { .. })));
    let series = daily_series(60);
    let decayed = TrainConfig {
        epochs: 3,
        decay: 1e-3,
        ..quick()
    };
    let trained = train(&series, &criteria(), &identity(), &decayed, &mut |_| {}).unwrap();
    assert_eq!(trained.model.meta.decay, 1e-3);
    let constant = train(
        &series,
        &criteria(),
        &identity(),
        &TrainConfig {
            decay: 0.0,
            ..decayed.clone()
        },
        &mut |_| {},
    )
    .unwrap();
    assert_ne!(
        trained.model.meta.final_loss, constant.model.meta.final_loss,
        "the decay reaches the optimiser"
    );
}

#[test]
fn the_change_target_follows_a_drifting_series_that_the_level_target_cannot() {
    // The level keeps rising, so the test part lies above everything seen in training.
    let series = daily_series(367);
    let rmse = |config: &TrainConfig| {
        let trained = train(&series, &criteria(), &identity(), config, &mut |_| {}).unwrap();
        let e = &trained.evaluation;
        let squared: f64 = e.actual.iter().zip(&e.predicted).map(|(a, p)| (a - p).powi(2)).sum();
        let rmse = (squared / e.actual.len() as f64).sqrt();
        (trained, rmse)
    };
    let recommended = TrainConfig {
        device: DeviceChoice::Cpu,
        ..TrainConfig::default()
    };
    let (trained, change) = rmse(&recommended);
    let (_, level) = rmse(&TrainConfig {
        target: flowlstm::Target::Level,
        ..recommended.clone()
    });
    assert!(change < level / 2.0, "change {change} level {level}");
    // Same weekday last week errs by the weekly rise (2.45) plus noise: the model must do better.
    assert!(change < 2.45, "change-target RMSE {change}");
    assert_eq!(trained.model.meta.target, flowlstm::Target::Change);
    // The forecast continues from the last reading.
    let next = forecast(&trained.model, &series).unwrap()[0];
    assert!((next.predicted - series.values[366]).abs() < 25.0, "{next:?}");
}

/// `auto` keeps the default model on the CPU, where it was measured faster, and says so; it puts a
/// large model on a GPU only where one is present. `cuda` says why it cannot run rather than
/// training on the CPU behind the user's back. Where a GPU is present, both pick it, which needs
/// libtorch's CUDA library loaded on demand (the binary does not keep it linked).
#[test]
fn device_choice_is_honest_about_cuda() {
    use flowlstm::{Device, AUTO_GPU_MIN_UNITS};
    // The same test of the driver as flowlstm's.
    let gpu =
        std::path::Path::new("/dev/nvidiactl").exists() || std::path::Path::new("/proc/driver/nvidia/version").exists();
    let small = DeviceChoice::Auto.place(50).unwrap();
    assert_eq!(small.device, Device::Cpu);
    assert!(
        small
            .reason
            .contains("a model of 50 units per layer runs faster on the CPU"),
        "{}",
        small.reason
    );
    let large = DeviceChoice::Auto.place(AUTO_GPU_MIN_UNITS).unwrap();
    let cuda = DeviceChoice::Cuda.place(50);
    if gpu {
        assert_eq!(large.device, Device::Cuda(0));
        assert_eq!(cuda.unwrap().device, Device::Cuda(0));
    } else {
        assert_eq!(
            (large.device, large.reason.as_str()),
            (Device::Cpu, "auto: no CUDA GPU here")
        );
        let message = cuda.unwrap_err().to_string();
        assert!(message.contains("--device cuda:"), "{message}");
    }
    assert_eq!(DeviceChoice::Cpu.place(4096).unwrap().device, Device::Cpu);
    assert_eq!(Device::Cuda(1).to_string(), "cuda:1");
}
