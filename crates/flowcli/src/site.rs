//! Which column of which file: the site or column asked for, the demo export when no file is
//! given, reading it once and saying what reading it changed (lines skipped, clocks, registers),
//! and writing a group of output files.

use std::path::PathBuf;

use crate::error::{FlowError, Result};
use crate::observer::Observer;
use crate::options::InputArgs;
use crate::output::slug_for_column;
use crate::output::{column_slugs, unique_slug};
use flowcore::files::write_all_or_nothing;
use flowcore::time::format_timestamp;
use flowcore::{find_site, Export, IngestReport, Selector, SITES};
use flowlstm::SeriesIdentity;
use flowreport::profile::{Profiler, StageProfile};

/// One column of one file, with the name its outputs go under.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) slug: String,
    pub(crate) column: String,
    pub(crate) registered: bool,
}

impl Target {
    pub(crate) fn selector(&self) -> Selector<'_> {
        match find_site(&self.slug) {
            Some(site) if self.registered => Selector::Site(site),
            _ => Selector::Column(&self.column),
        }
    }

    pub(crate) fn identity(&self) -> SeriesIdentity {
        SeriesIdentity {
            site: self.slug.clone(),
            column: self.column.clone(),
        }
    }

    /// A column outside the registry gets a folder name no other column of the export shares; a
    /// registered site read from a two-column file under another header (`time,flow`, the only
    /// column read in its place) is named by that header, so the terminal, `report.json` and the
    /// model say what was read, not the Jeongeup column it stood in for (and a model trained on
    /// one such file refuses another file's column).
    pub(crate) fn unique_in(mut self, export: &Export) -> Target {
        let present = export.value_columns();
        if !self.registered {
            self.slug = unique_slug(&self.column, &present);
        } else if let [only] = present.as_slice() {
            self.column = (*only).to_string();
        }
        self
    }
}

/// What was asked for, checked before the file is read: a column or a registered site is known
/// then; a folder name outside the registry (`dma-7`) only the file's headers can confirm.
pub(crate) enum Wanted {
    Known(Target),
    Slug(String),
    /// Neither `--site` nor `--column` with an `--input`: the default site when the file has its
    /// column (or only one column), else the engineer is asked to choose.
    Default(Target),
}

impl Wanted {
    /// The folder name the outputs go under (before the file is read).
    pub(crate) fn slug(&self) -> &str {
        match self {
            Wanted::Known(target) | Wanted::Default(target) => &target.slug,
            Wanted::Slug(slug) => slug,
        }
    }

    /// The target when no file is read (`flow train` reusing its preprocessed files, which
    /// needs no `--input`, so the slug is a registered one).
    pub(crate) fn without_file(self) -> Target {
        match self {
            Wanted::Known(target) | Wanted::Default(target) => target,
            Wanted::Slug(slug) => Target {
                column: slug.clone(),
                slug,
                registered: false,
            },
        }
    }

    /// The column of `export` meant, with a folder name no other column of it shares.
    pub(crate) fn resolve(self, export: &Export) -> Result<Target> {
        match self {
            Wanted::Known(target) => Ok(target.unique_in(export)),
            Wanted::Default(target) => {
                let present = export.value_columns();
                if present.len() > 1 && !present.contains(&target.column.as_str()) {
                    // Another utility's export of several columns: none is the default, and the
                    // Jeongeup column it looked for would only puzzle.
                    let slugs: Vec<String> = export_targets(export).into_iter().map(|t| t.slug).collect();
                    return Err(FlowError::ChooseSite {
                        file: export.describe(),
                        count: present.len(),
                        slugs: flowcore::ingest::list_names(&slugs),
                    });
                }
                Ok(target.unique_in(export))
            }
            Wanted::Slug(slug) => {
                let columns = export_targets(export);
                match columns.iter().find(|t| t.slug.eq_ignore_ascii_case(slug.trim())) {
                    Some(target) => Ok(target.clone()),
                    None => Err(flowcore::CoreError::UnknownSite {
                        slug,
                        known: format!(
                            "{} (the value columns of {})",
                            columns.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>().join(", "),
                            export.describe()
                        ),
                    }
                    .into()),
                }
            }
        }
    }
}

/// The site when none is named: the Jeongeup export's main inflow, as in the original tool.
const DEFAULT_SITE: &str = "jangmyeong";

pub(crate) fn target(input: &InputArgs) -> Result<Wanted> {
    if let Some(column) = &input.column {
        return Ok(Wanted::Known(match SITES.iter().find(|s| s.column == column.trim()) {
            Some(site) => registered(site),
            None => Target {
                slug: slug_for_column(column),
                column: column.trim().to_string(),
                registered: false,
            },
        }));
    }
    if input.site.is_none() && !input.input.is_empty() {
        if let Some(site) = find_site(DEFAULT_SITE) {
            return Ok(Wanted::Default(registered(site)));
        }
    }
    let slug = input.site.as_deref().unwrap_or(DEFAULT_SITE);
    match find_site(slug) {
        Some(site) => Ok(Wanted::Known(registered(site))),
        // Another utility's export: its headers name its sites.
        None if !input.input.is_empty() => Ok(Wanted::Slug(slug.to_string())),
        // `flow train --site dma-1` after `flow preprocess --input F --site dma-1`: only the
        // export knows which column `dma-1` is (and the model must record it).
        None => Err(flowcore::CoreError::UnknownSite {
            slug: slug.to_string(),
            known: format!(
                "{} (the Jeongeup export's); a column of another export needs that export: --input FILE --site {slug}",
                flowcore::sites::known_slugs()
            ),
        }
        .into()),
    }
}

fn registered(site: &flowcore::Site) -> Target {
    Target {
        slug: site.slug.to_string(),
        column: site.column.to_string(),
        registered: true,
    }
}

/// Every value column of `export` under its folder name: a Jeongeup site's slug, or one made from
/// the header (what `flow sites --input` lists).
pub(crate) fn export_targets(export: &Export) -> Vec<Target> {
    let present = export.value_columns();
    present
        .iter()
        .zip(column_slugs(&present))
        .map(
            |(column, slug)| match SITES.iter().find(|s| s.column == column.trim()) {
                Some(site) => registered(site),
                None => Target {
                    slug,
                    column: column.trim().to_string(),
                    registered: false,
                },
            },
        )
        .collect()
}

/// The targets `sites` names (comma-separated slugs, or `all`), with the columns `all` left out:
/// those with no number in any cell (a status or comment column, one left blank), which would
/// each fail as a site and make the whole command fail.
pub(crate) fn targets_for(sites: &str, input: &InputArgs, export: &Export) -> Result<(Vec<Target>, Vec<String>)> {
    if sites.trim().eq_ignore_ascii_case("all") {
        let all = export_targets(export);
        if all.is_empty() {
            // `--sites all` on nothing would finish with nothing done and exit 0.
            return Err(FlowError::NoValueColumn {
                file: export.describe(),
            });
        }
        // The Jeongeup export: its registered sites; any other: every value column with a number.
        if all.iter().any(|t| t.registered) {
            return Ok((all.into_iter().filter(|t| t.registered).collect(), Vec::new()));
        }
        let without: Vec<String> = export
            .columns_without_numbers()
            .into_iter()
            .map(str::to_string)
            .collect();
        if without.len() == all.len() {
            // Nothing left: each column's own message says why.
            return Ok((all, Vec::new()));
        }
        let (kept, left): (Vec<Target>, Vec<Target>) = all.into_iter().partition(|t| !without.contains(&t.column));
        return Ok((kept, left.into_iter().map(|t| t.column).collect()));
    }
    sites
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|slug| {
            let one = InputArgs {
                site: Some(slug.trim().to_string()),
                input: input.input.clone(),
                output_dir: PathBuf::new(),
                ..InputArgs::default()
            };
            target(&one)?.resolve(export)
        })
        .collect::<Result<Vec<_>>>()
        .map(|targets| (targets, Vec::new()))
}

/// The files to read: `--input`, or the demo export (generated into the cache on first use).
pub(crate) fn input_paths(input: &InputArgs, obs: &mut dyn Observer) -> Result<Vec<PathBuf>> {
    match input.input.as_slice() {
        [_, ..] => Ok(input.input.clone()),
        [] => {
            let config = flowcore::demo::DemoConfig::default();
            let path = flowcore::demo::demo_path(&config);
            if !path.is_file() {
                say!(
                    obs,
                    "Generating the built-in demo export (first use): {}",
                    path.display()
                );
            } else if !flowcore::demo::demo_is_complete(&config, &path) {
                say!(
                    obs,
                    "The cached demo export {} is incomplete (cut short?): generating it again",
                    path.display()
                );
            }
            let path = flowcore::demo::ensure_demo(&config)?;
            say!(obs, "No --input: using the built-in demo export {}", path.display());
            Ok(vec![path])
        }
    }
}

pub(crate) fn read_stage(input: &InputArgs, obs: &mut dyn Observer) -> Result<(Export, StageProfile)> {
    let clock = input.clock.settings()?;
    let encoding = input.clock.encoding()?;
    let paths = input_paths(input, obs)?;
    let profiler = Profiler::start();
    let export = Export::open_all(&paths, clock, encoding)?;
    let profile = profiler.finish("read");
    say!(
        obs,
        "Read {} ({}), {} value columns",
        export.describe(),
        export
            .encodings()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        export.value_columns().len()
    );
    if !export.left_aside().is_empty() {
        let names: Vec<String> = export
            .left_aside()
            .iter()
            .filter_map(|path| path.file_name().map(|name| name.to_string_lossy().into_owned()))
            .collect();
        say!(
            obs,
            "                 left aside in the folder (not an export's .{}): {}",
            flowcore::ingest::EXPORT_EXTENSIONS.join(", ."),
            flowcore::ingest::list_names(&names)
        );
    }
    let partial: Vec<String> = export
        .columns_not_in_every_file()
        .iter()
        .map(|(column, holding)| format!("{column} ({holding} of {})", export.paths().count()))
        .collect();
    if !partial.is_empty() {
        say!(
            obs,
            "                 not in every file (a meter added or removed): {}; where a file lacks one, its time is a gap",
            flowcore::ingest::list_names(&partial)
        );
    }
    for renamed in export.renamed_headers() {
        say!(obs, "                 {renamed}");
    }
    // Each file's table is found on its own; the first file's is told.
    let first_file = match export.paths().nth(1) {
        Some(_) => format!(
            " (in {}; each file's table is found on its own)",
            export.path().display()
        ),
        None => String::new(),
    };
    for note in skipped_notes(export.skipped_lines()) {
        say!(obs, "                 {note}{first_file}");
    }
    if let Some((date, time)) = export.date_and_time_columns() {
        say!(
            obs,
            "                 dates in `{date}` and times of day in `{time}`: read together as the time"
        );
    }
    say!(obs, "{profile}");
    Ok((export, profile))
}

/// What was skipped around the header, in a line each: the lines above it (a title, the export's
/// time), the rows under it with no time (units).
fn skipped_notes(skipped: &flowcore::SkippedLines) -> Vec<String> {
    let quoted = |line: &str| {
        let cut: String = line.chars().take(60).collect();
        if cut.len() < line.len() {
            format!("`{cut}…`")
        } else {
            format!("`{cut}`")
        }
    };
    let mut notes = Vec::new();
    match skipped.space_aligned {
        Some(flowcore::ingest::SpaceAligned::Runs) => notes.push(
            "columns lined up by spaces (no `,`, `;` or tab: a fixed-width export): split at runs of two or more spaces".to_string(),
        ),
        Some(flowcore::ingest::SpaceAligned::Single) => notes.push(
            "columns split by single spaces (no `,`, `;` or tab), every line holding as many".to_string(),
        ),
        None => {}
    }
    if let Some(tags) = &skipped.tags_in_rows {
        let more = match tags.tags.saturating_sub(tags.first_tags.len()) {
            0 => String::new(),
            n => format!(", … {n} more"),
        };
        let not_read = match tags.not_read.as_slice() {
            [] => String::new(),
            columns => format!("; not read: {}", columns.join(", ")),
        };
        notes.push(format!(
            "a row per meter and time (`{}`: {}{more}): read as a column per meter, of `{}`{not_read}",
            tags.tag_column,
            tags.first_tags.join(", "),
            tags.value_columns.join("`, `")
        ));
    }
    if let Some(names) = &skipped.names_given {
        notes.push(format!(
            "no header: line 1 is already a reading, so the columns are read as {}",
            quoted(names)
        ));
    }
    if let Some(first) = skipped.above.first() {
        notes.push(format!(
            "the header is line {}: {} line(s) above it skipped, the first {}",
            skipped.header_line,
            skipped.above.len(),
            quoted(first)
        ));
    }
    if let Some(across) = &skipped.hours_across {
        let others = match across.other_columns.len() {
            0 => String::new(),
            _ => format!("; not read: {}", across.other_columns.join(", ")),
        };
        let summaries = match across.summary_rows {
            0 => String::new(),
            n => format!("; {n} row(s) with no date (totals) not read"),
        };
        notes.push(format!(
            "a day a row and an hour a column (`{}` … `{}`, {} columns beside `{}`): read as one hourly column `{}`{others}{summaries}",
            across.first_hour,
            across.last_hour,
            across.hours,
            across.date_column,
            flowcore::ingest::HOURS_ACROSS_NAME
        ));
    }
    for (line, text) in &skipped.below {
        notes.push(format!(
            "line {line} under the header skipped: no time in it (units or a description) {}",
            quoted(text)
        ));
    }
    notes
}

/// What the local clock's changes did, a line each: the autumn hours it shows twice (averaged) and
/// the spring hours it skips, where a zone is known; where none is named and every time written
/// twice is a clock change's hour, the zone that would read them so.
fn daylight_saving_notes(report: &IngestReport) -> Vec<String> {
    let list = |times: &[i64]| {
        let shown: Vec<String> = times
            .iter()
            .take(4)
            .map(|t| format_timestamp(*t)[..16].to_string())
            .collect();
        let more = times.len().saturating_sub(4);
        if more > 0 {
            format!("{} … and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    let zone = report.time_zone.as_deref().unwrap_or_default();
    let mut notes = Vec::new();
    if !report.repeated_local_times.is_empty() {
        notes.push(format!(
            "clock            {} autumn hour(s) shown twice by the clock ({zone}), their two readings averaged: {}",
            report.repeated_local_times.len(),
            list(&report.repeated_local_times)
        ));
    }
    if !report.skipped_local_times.is_empty() {
        notes.push(format!(
            "clock            {} spring hour(s) the clock ({zone}) skipped (no reading can exist), filled like any gap: {}",
            report.skipped_local_times.len(),
            list(&report.skipped_local_times)
        ));
    }
    if let Some((zone, times)) = &report.zone_repeating_duplicates {
        notes.push(format!(
            "clock            the {} time(s) written twice are all hours a clock on summer time shows twice ({zone}'s: {}): the last reading of each was kept; --time-zone {zone} (or the export's own zone) averages the two hours' readings",
            times.len(),
            list(times)
        ));
    }
    notes
}

/// What reading the rows changed or could not know, a line each: rows with more fields than the
/// header, rows with no time (a report's totals), readings moved onto their grid (a logger's clock
/// wandering either side of the hour), times on the UTC clock for want of a zone.
pub(crate) fn time_notes(report: &IngestReport) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(first) = &report.first_long_row {
        notes.push(format!(
            "long rows        {} with more fields than the header, the extra fields not read, from {first}: a value with an unquoted `,` (`1,234.5`) reads as its first part; check those rows",
            thousands(report.long_rows)
        ));
    }
    if let Some(first) = &report.first_label_row {
        notes.push(format!(
            "skipped rows     {} with no time in the time column, from {first}: a report's totals or labels, not readings",
            thousands(report.label_rows)
        ));
    }
    if let Some(totaliser) = &report.totaliser {
        let resets = match totaliser.first_reset {
            Some(first) => format!(
                "; {} fall(s) (a roll-over or reset, first at {}) left as missing flow",
                totaliser.resets,
                &format_timestamp(first)[..16]
            ),
            None => String::new(),
        };
        notes.push(format!(
            "totaliser        {} only rises (a register of the volume so far): read as its rise per hour between readings{resets}",
            report.column
        ));
    }
    if let Some(unit) = &report.unit_in_cells {
        notes.push(format!(
            "units            {} numbers written with their unit after them (`… {unit}`): read as numbers in {unit}",
            thousands(report.unit_cells)
        ));
    }
    notes.extend(daylight_saving_notes(report));
    notes.extend(snap_note(report));
    if report.utc_clock {
        notes.push(format!(
            "clock            {}: with no zone named, the hours (the night's among them) are UTC's; --time-zone Asia/Seoul (or the plant's zone) puts them on its clock",
            report.time_format
        ));
    }
    notes
}

fn snap_note(report: &IngestReport) -> Option<String> {
    let snapped = report.snapped;
    let grid = snapped.grid.filter(|_| snapped.moved > 0)?;
    let largest = match snapped.largest_seconds {
        s if s < 60 => format!("{s} s"),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{} min {} s", s / 60, s % 60),
    };
    let merged = match snapped.merged {
        0 => String::new(),
        n => format!("; {n} that then met another reading averaged with it"),
    };
    Some(format!(
        "clock            {} readings up to {largest} either side of the {grid} grid moved onto it (the logger's clock wanders){merged}",
        thousands(snapped.moved)
    ))
}

/// Reads the export once and names the columns to work on: `sites` (comma-separated slugs, or
/// `all`) or else the one site or column of `input`, checked before the file is read; each with a
/// folder name no other column of the export shares.
pub(crate) fn read_targets(
    input: &InputArgs,
    sites: Option<&str>,
    obs: &mut dyn Observer,
) -> Result<(Export, StageProfile, Vec<Target>)> {
    let single = match sites {
        None => Some(target(input)?),
        Some(_) => None,
    };
    let (export, profile) = read_stage(input, obs)?;
    let targets = match (sites, single) {
        (Some(sites), _) => {
            let (targets, left_out) = targets_for(sites, input, &export)?;
            if !left_out.is_empty() {
                say!(
                    obs,
                    "                 not a site: {} (no number in any cell: a status or comment column, or one left blank; --site names it)",
                    flowcore::ingest::list_names(&left_out)
                );
            }
            targets
        }
        (_, Some(single)) => vec![single.resolve(&export)?],
        (None, None) => Vec::new(),
    };
    if targets.len() > 1 {
        // The sites are read a batch a pass over the file, not once a site.
        let columns: Vec<&str> = targets.iter().map(|t| t.column.as_str()).collect();
        export.read_ahead(&columns);
    }
    Ok((export, profile, targets))
}

/// Writes a group of files (all or none) and lists them for the engineer.
pub(crate) fn write_and_list(files: &[(PathBuf, Vec<u8>)], obs: &mut dyn Observer) -> Result {
    write_all_or_nothing(files)?;
    for (path, _) in files {
        say!(obs, "written          {}", path.display());
    }
    Ok(())
}

pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
