//! `flow run`: the whole job on one site or on every site of an export read once. The settings are
//! checked once into a [`Pipeline`]; each site succeeds or fails on its own (a stuck meter stops only
//! its column), and sites run in parallel within the machine's cores, each site's report printed in
//! the sites' order.

use std::fmt::Write as _;
use std::path::PathBuf;

use flowcore::alarms::SharedOutage;
use flowcore::files::write_all_or_nothing;
use flowcore::{Check, Checked, Export, PreprocessConfig};
use flowlstm::{DeviceChoice, PredictConfig};
use flowreport::profile::{render_table, Profiler};

use crate::alarms::{alarm_stage, AlarmOutcome, ExportContext};
use crate::error::{FlowError, Result};
use crate::guard::SiteGuard;
use crate::night::night_stage;
use crate::observer::Observer;
use crate::options::{DeviceArgs, RunArgs, TrainArgs};
use crate::original::Lang;
use crate::output::SiteDirs;
use crate::report::{self, SiteReport};
use crate::scan::{predict_stage, Faults};
use crate::settings::{
    alarm_settings, is_original, night_settings, preprocess_config, train_config, NightSettings, PredictPlan, Wording,
};
use crate::site::{read_targets, Target};
use crate::stages::{evaluate_stage, preprocess_stage, train_stage, write_not_measured, Measured};

/// The settings of the whole job, checked once: what `flow run` does to each site.
#[derive(Debug, Clone)]
pub struct Pipeline {
    preprocess: Checked<PreprocessConfig>,
    train: TrainArgs,
    device: DeviceArgs,
    wording: Wording,
    plan: PredictPlan,
    night: Option<NightSettings>,
    /// The alarm rules and the holidays they leave unjudged; none with the original preset, which
    /// keeps the original's scan rule alone.
    alarms: Option<crate::settings::AlarmSettings>,
    output_dir: PathBuf,
}

impl Pipeline {
    /// Checks every setting of `args` (each bad value gets its own message) before any file is read.
    pub fn new(args: &RunArgs, lang: Lang) -> Result<Pipeline> {
        let preprocess = preprocess_config(&args.preprocess)?;
        let device: DeviceChoice = args.device.device.parse()?;
        // The interval changes only the calendar inputs: every other training value is checked here.
        train_config(&args.train, &args.device, preprocess.interval)?;
        let plan = PredictPlan {
            scan: true,
            forecast: true,
            all_predictions: args.all_predictions,
            batch_size: args.scan_batch_size,
            device,
            lang,
        };
        PredictConfig {
            batch_size: plan.batch_size,
            device,
        }
        .check()?;
        Ok(Pipeline {
            preprocess,
            train: args.train.clone(),
            device: args.device.clone(),
            wording: Wording {
                lang,
                original_scoring: is_original(&args.train),
            },
            plan,
            night: if args.no_night {
                None
            } else {
                Some(night_settings(&args.night)?)
            },
            alarms: if is_original(&args.train) || args.alarms.no_alarms {
                None
            } else {
                Some(alarm_settings(&args.alarms)?)
            },
            output_dir: args.input.output_dir.clone(),
        })
    }

    /// The whole job on one column of an export, under `output_dir/<site>/`: preprocess, train,
    /// evaluate, scan and forecast, then `report.json` (written last). A site that fails after
    /// writing some files gets a `report.json` saying why; one that fails before leaves nothing.
    /// `shared`: the outages most of the run's columns shared, the logger's (none for one site).
    pub(crate) fn run_site(
        &self,
        export: &Export,
        target: &Target,
        shared: &[SharedOutage],
        obs: &mut dyn Observer,
    ) -> Result<SiteReport> {
        let dirs = SiteDirs::new(&self.output_dir, &target.slug);
        let mut guard = SiteGuard::claim(&dirs, "flow run", export.paths(), obs)?;
        SiteGuard::note_other_column(&dirs, &target.column, "flow run", obs);
        guard.begin_run(&dirs)?;
        let result = self.stages(export, target, shared, &dirs, obs);
        if let (Err(error), true) = (&result, SiteGuard::holds_outputs(&dirs)) {
            let input = export.describe();
            let report = SiteReport::failed(&target.slug, &target.column, &input, &error.to_string());
            write_all_or_nothing(&[(dirs.root.join("report.json"), serde_json::to_vec_pretty(&report)?)])?;
        }
        guard.finish();
        result
    }

    fn stages(
        &self,
        export: &Export,
        target: &Target,
        shared: &[SharedOutage],
        dirs: &SiteDirs,
        obs: &mut dyn Observer,
    ) -> Result<SiteReport> {
        let pre = preprocess_stage(export, target, &self.preprocess, Some(&dirs.preprocessing), obs)?;
        let (series, criteria) = (&pre.preprocessed.series, &pre.preprocessed.criteria);
        // Faults and flow first, on the readings as read: a column that is one fault from end to
        // end (stuck, blank) is said so here, in its alarm log and its report, and goes no further.
        let alarms = match &self.alarms {
            Some(settings) => {
                let changes = pre.ingest.clock_changes();
                Some(alarm_stage(
                    &pre.raw,
                    ExportContext {
                        clock_changes: &changes,
                        shared,
                    },
                    target,
                    settings,
                    &dirs.prediction,
                    obs,
                )?)
            }
            None => None,
        };
        if let Some(note) = alarms.as_ref().and_then(|a| a.summary.note.as_ref()) {
            return Err(FlowError::NothingToTrain {
                column: target.column.clone(),
                note: note.clone(),
            });
        }
        let config = train_config(&self.train, &self.device, series.interval)?;
        // The steps the alarms leave no measure of the flow, kept beside the preprocessed files
        // for a later `flow train`, are the ones this run's evaluation leaves out.
        let not_measured = match &alarms {
            Some(found) => Some(write_not_measured(
                &dirs.preprocessing,
                series,
                &pre.raw,
                &found.found,
                obs,
            )?),
            None => None,
        };
        let measured = Measured { series, not_measured };
        let trained = train_stage(series, criteria, target, &config, self.train.check, dirs, obs)?;
        let sigma_k = self.train.outlier_sigma;
        let evaluated = evaluate_stage(&measured, &trained.training, &config, sigma_k, dirs, self.wording, obs)?;
        let spans = alarms.as_ref().map(AlarmOutcome::spans);
        let model = &trained.training.model;
        let comparison = Some(evaluated.deciding());
        let predicted = predict_stage(
            model,
            &pre.preprocessed,
            self.plan,
            spans
                .as_deref()
                .zip(measured.not_measured.as_deref())
                .map(|(spans, not_measured)| Faults { spans, not_measured }),
            comparison,
            dirs,
            obs,
        )?;
        // Readings with no night (daily) or whose interval cannot tile the window skip the
        // stage with the reason: the run's other stages are its job, and they are done.
        let night = match &self.night {
            Some(settings) => match night_stage(&pre.raw, &pre.ingest.skipped_local_times, target, settings, dirs, obs)
            {
                Err(why @ (FlowError::NightUnmeasurable(_) | FlowError::NoNightMeasured { .. })) => {
                    say!(obs);
                    say!(obs, "night flow       skipped: {why}");
                    None
                }
                other => other?.measured(),
            },
            None => None,
        };
        let mut profile = vec![pre.profile.clone()];
        profile.extend(alarms.as_ref().map(|a| a.profile.clone()));
        profile.extend([
            trained.profile.clone(),
            evaluated.profile.clone(),
            predicted.profile.clone(),
        ]);
        profile.extend(night.as_ref().map(|n| n.profile.clone()));
        let input = export.describe();
        let identity = (target.slug.as_str(), target.column.as_str(), input.as_str());
        let mut report = report::finished(identity, &pre, &trained, &evaluated, &predicted, &profile);
        if let Some(job) = &mut report.job {
            job.night_flow = night.map(|n| n.summary);
            job.alarms = alarms.map(|a| a.summary);
        }
        let path = dirs.root.join("report.json");
        write_all_or_nothing(&[(path.clone(), serde_json::to_vec_pretty(&report)?)])?;
        say!(obs, "written          {}", path.display());
        Ok(report)
    }
}

/// `flow run`: the whole job on one site, or on several sites of one export read once.
pub fn run(args: &RunArgs, lang: Lang, obs: &mut dyn Observer) -> Result {
    let whole = Profiler::start();
    let pipeline = Pipeline::new(args, lang)?;
    let (export, read_profile, targets) = read_targets(&args.input, args.sites.as_deref(), obs)?;
    if let Some(night) = &pipeline.night {
        night.check_sites(&export, &targets)?;
    }
    let mut profile = vec![read_profile];
    if let [only] = targets.as_slice() {
        // One site: printed as it goes, the scan on every core.
        let report = pipeline.run_site(&export, only, &[], obs)?;
        profile.extend(report.job.map(|job| job.profile).unwrap_or_default());
        say!(obs);
        say!(obs, "== Profile ==");
        obs.block(&render_table(&profile, &whole.finish("total")));
        return Ok(());
    }
    // The outages most columns share are the logger's: found first, from every column's readings,
    // so each site lists its own alarms and the export lists those once.
    let shared = match &pipeline.alarms {
        Some(settings) => {
            let profiler = Profiler::start();
            let columns = crate::parallel::each_target(&targets, &mut crate::observer::Quiet, |target, _| {
                Ok(export
                    .series(target.selector())
                    .map(|read| flowcore::alarms::outages(&read.series, &settings.rule))
                    .unwrap_or_default())
            });
            let columns: Vec<Vec<(i64, i64)>> = columns.into_iter().map(Result::unwrap_or_default).collect();
            let shared = flowcore::alarms::shared_outages(&columns);
            profile.push(profiler.finish("shared outages"));
            shared
        }
        None => Vec::new(),
    };
    // Each site on its own thread, its transcript printed in the sites' order (crate::parallel).
    let results = crate::parallel::each_target(&targets, obs, |target, transcript| {
        pipeline.run_site(&export, target, &shared, transcript)
    });
    let mut failures: Vec<(&Target, FlowError)> = Vec::new();
    let mut finished: Vec<(&Target, Option<report::JobReport>)> = Vec::new();
    for (target, result) in targets.iter().zip(results) {
        match result {
            Ok(report) => {
                profile.extend(report.job.iter().flat_map(|job| job.profile.clone()).map(|mut s| {
                    s.stage = format!("{}/{}", target.slug, s.stage);
                    s
                }));
                finished.push((target, report.job));
            }
            Err(error) => {
                finished.push((target, None));
                failures.push((target, error));
            }
        }
    }
    if pipeline.alarms.is_some() {
        report_common_outages(&shared, &targets, obs);
    }
    say!(obs);
    say!(
        obs,
        "== Sites: {} (each site's report.json has the rest) ==",
        targets.len()
    );
    obs.block(&sites_table(&finished));
    for (target, job) in &finished {
        if let Some(note) = job
            .as_ref()
            .and_then(|job| job.night_flow.as_ref()?.long_alarm_note(&target.slug))
        {
            say!(obs, "note             {note}");
        }
    }
    say!(obs);
    say!(obs, "== Profile ==");
    obs.block(&render_table(&profile, &whole.finish("total")));
    // The profiler reads the process's CPU time, and the sites' stages overlapped.
    say!(
        obs,
        "(the sites ran side by side: a stage's CPU % and memory are the whole process's while it ran)"
    );
    if failures.is_empty() {
        return Ok(());
    }
    if targets.len() == 1 {
        // One site: its own error, said once (its report.json holds it too).
        if let Some((_, error)) = failures.pop() {
            return Err(error);
        }
    }
    say!(obs);
    say!(obs, "== Failed sites: {} of {} ==", failures.len(), targets.len());
    for (target, error) in &failures {
        say!(obs, "{:<16} {error}", target.slug);
    }
    Err(FlowError::SitesFailed {
        where_: " and in each site's report.json",
        file: std::path::PathBuf::from(export.describe()),
        failed: failures.len(),
        total: targets.len(),
        names: failures
            .iter()
            .map(|(t, _)| t.slug.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// One line a site at the end of a run on several, what an engineer reads first: the alarms this
/// run raised that are the site's own and how many of them are severe, its outages that were the
/// logger's (shared by most columns, listed once above), a night-flow (leak) alarm still on, the
/// latest night, and the LSTM's RMSE against the best baseline's (on the test points no meter
/// fault touched, where one did: `where_measured`). The same figures are in each
/// site's `report.json` (its `alarms.counts`, the shared outages among them, and
/// `alarms.in_shared_outages`).
fn sites_table(sites: &[(&Target, Option<report::JobReport>)]) -> String {
    let mut table = format!(
        "{:<16} {:>7} {:>7} {:>7}  {:<24} {:<30} {}\n",
        "site", "alarms", "severe", "+shared", "leak alarm on", "latest night (expected)", "LSTM RMSE / best baseline"
    );
    for (target, job) in sites {
        let Some(job) = job else {
            let _ = writeln!(table, "{:<16} failed (below)", target.slug);
            continue;
        };
        let (alarms, severe, shared) = job.alarms.as_ref().map_or(("-".into(), "-".into(), "-".into()), |a| {
            let shared = a.in_shared_outages;
            let all: usize = a.counts.values().flat_map(|stages| stages.values()).sum();
            let severe: usize = a
                .counts
                .values()
                .filter_map(|stages| stages.get(flowcore::events::Severity::Severe.english()))
                .sum();
            (
                all.saturating_sub(shared.alarms).to_string(),
                severe.saturating_sub(shared.severe).to_string(),
                shared.alarms.to_string(),
            )
        });
        let (leak, latest) = job.night_flow.as_ref().map_or(("-".into(), "-".into()), |night| {
            (night.alarm_on(), night.latest_text())
        });
        // Scored where the meter measured: a stuck week hurts the week-old baseline twice.
        let versus = job.deciding_baselines();
        let lstm = format!(
            "{:.0} %{}{}",
            versus.rmse_ratio * 100.0,
            if versus.model_wins {
                ""
            } else {
                " (a baseline is better)"
            },
            if job.where_measured.is_some() {
                " where measured"
            } else {
                ""
            }
        );
        let _ = writeln!(
            table,
            "{:<16} {alarms:>7} {severe:>7} {shared:>7}  {leak:<24} {latest:<30} {lstm}",
            target.slug
        );
    }
    let logger = |job: &Option<report::JobReport>| job.as_ref()?.alarms.as_ref().map(|a| a.in_shared_outages.alarms);
    if sites.iter().any(|(_, job)| logger(job).is_some_and(|n| n > 0)) {
        let _ = writeln!(
            table,
            "(alarms, severe: the site's own; +shared: its outages within the shared ones above, the logger's)"
        );
    }
    table
}

/// The outages most of the run's columns shared ([`flowcore::alarms::shared_outages`], found
/// before the sites ran): the logger, the telemetry or its link was down, not each meter. Printed
/// once for the export, the longest five.
fn report_common_outages(shared: &[SharedOutage], targets: &[Target], obs: &mut dyn Observer) {
    say!(obs);
    say!(
        obs,
        "== Outages shared by most columns: {} (more than half of the {} silent at once: the logger, the telemetry or its link, not each meter) ==",
        shared.len(),
        targets.len()
    );
    let mut longest: Vec<&SharedOutage> = shared.iter().collect();
    longest.sort_by_key(|s| std::cmp::Reverse(s.end - s.start));
    longest.truncate(5);
    longest.sort_by_key(|s| s.start);
    for s in &longest {
        let kept = match s.kept_reading.as_slice() {
            [] => String::new(),
            few if few.len() <= 3 => {
                let names: Vec<&str> = few
                    .iter()
                    .filter_map(|&i| Some(targets.get(i)?.slug.as_str()))
                    .collect();
                format!(" ({} kept reading)", names.join(", "))
            }
            many => format!(" ({} kept reading)", many.len()),
        };
        say!(
            obs,
            "                 {} .. {}  {} of {} silent{kept}",
            flowcore::time::format_timestamp(s.start),
            flowcore::time::format_timestamp(s.end),
            s.silent,
            targets.len()
        );
    }
    if shared.len() > longest.len() {
        say!(
            obs,
            "                 … and {} shorter: kind outage in the sites' alarms.csv at those times",
            shared.len() - longest.len()
        );
    }
}
