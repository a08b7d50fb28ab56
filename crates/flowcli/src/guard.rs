//! What a command holds while it writes one site's folder: a lock (one command per folder), a
//! check that no output overwrites the input, and a marker while a run rewrites the folder.

use std::path::{Path, PathBuf};

use flowcore::files::FolderLock;

use crate::error::{FlowError, Result};
use crate::observer::Observer;
use crate::output::SiteDirs;

/// The marker a run leaves in a site folder until its report is written: a folder holding it
/// after the run ended mixes files of two runs.
const INCOMPLETE: &str = ".run-incomplete";

/// A claim on one site folder for the length of a command.
pub(crate) struct SiteGuard {
    _lock: FolderLock,
    marker: Option<PathBuf>,
}

impl SiteGuard {
    /// Claims the site folder for `command`, after checking that no file of `inputs` lies inside it
    /// (a run would replace its own input with its output). Says so when an earlier run into the
    /// folder did not finish.
    pub(crate) fn claim<'a>(
        dirs: &SiteDirs,
        command: &str,
        inputs: impl IntoIterator<Item = &'a Path>,
        obs: &mut dyn Observer,
    ) -> Result<SiteGuard> {
        for input in inputs {
            refuse_overwriting(input, &dirs.root)?;
        }
        let lock = FolderLock::acquire(&dirs.root, command)?;
        let marker = dirs.root.join(INCOMPLETE);
        if let Ok(started) = std::fs::read_to_string(&marker) {
            say!(
                obs,
                "note             {}: a `flow run` started {} did not finish; its files may sit beside older ones",
                dirs.root.display(),
                started.trim()
            );
        }
        Ok(SiteGuard {
            _lock: lock,
            marker: None,
        })
    }

    /// Says so when the folder's files so far are another column's (`report.json`, a
    /// `model.json` or the alarm log name it): one-column files of different meters, each read for
    /// the default site, share its folder, and this command's files would sit beside the other
    /// meter's with nothing telling them apart.
    pub(crate) fn note_other_column(dirs: &SiteDirs, column: &str, command: &str, obs: &mut dyn Observer) {
        if let Some(earlier) = column_in_folder(dirs).filter(|earlier| earlier != column) {
            say!(
                obs,
                "note             {}: its files so far are of column `{earlier}`; {command} writes column `{column}`'s beside them (--site or --column gives each its own folder)",
                dirs.root.display()
            );
        }
    }

    /// Marks the folder as being rewritten by a run, until [`SiteGuard::finish`].
    pub(crate) fn begin_run(&mut self, dirs: &SiteDirs) -> Result {
        let marker = dirs.root.join(INCOMPLETE);
        let started = flowcore::time::format_timestamp(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        );
        std::fs::write(&marker, format!("{started} UTC\n")).map_err(|source| flowcore::CoreError::Io {
            path: marker.clone(),
            source,
        })?;
        self.marker = Some(marker);
        Ok(())
    }

    /// Whether the site folder holds anything but the lock and the marker.
    pub(crate) fn holds_outputs(dirs: &SiteDirs) -> bool {
        std::fs::read_dir(&dirs.root).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| !matches!(e.file_name().to_str(), Some(".flow.lock" | INCOMPLETE)))
        })
    }

    /// The run's files are all written (its report last): the folder is one run's again.
    pub(crate) fn finish(mut self) {
        if let Some(marker) = self.marker.take() {
            let _ = std::fs::remove_file(marker);
        }
    }
}

/// Refuses an input inside the folder the command rewrites.
fn refuse_overwriting(input: &Path, root: &Path) -> Result {
    let (Ok(input), Ok(root)) = (input.canonicalize(), canonical_folder(root)) else {
        return Ok(());
    };
    if input.starts_with(&root) {
        return Err(FlowError::InputInsideOutput {
            input: input.to_path_buf(),
            root: root.to_path_buf(),
        });
    }
    Ok(())
}

/// The column the site folder's earlier files were made from, as the first of `report.json`,
/// the LSTM's and the forecast's `model.json`, `night.json`, `detection.json` and the alarm log
/// that names one says.
fn column_in_folder(dirs: &SiteDirs) -> Option<String> {
    let named = |path: PathBuf| -> Option<String> {
        let text = std::fs::read_to_string(path).ok()?;
        let first = text.lines().find(|l| !l.trim().is_empty())?;
        // `alarms.jsonl` is one object a line; the others one object.
        let value: serde_json::Value = serde_json::from_str(&text)
            .or_else(|_| serde_json::from_str(first))
            .ok()?;
        value.get("column")?.as_str().map(str::to_string)
    };
    [
        dirs.root.join("report.json"),
        dirs.learning.join("model.json"),
        dirs.root.join("Forecast").join("model.json"),
        dirs.root.join("Night").join("night.json"),
        dirs.root.join("Detection").join("detection.json"),
        dirs.prediction.join("alarms.jsonl"),
    ]
    .into_iter()
    .find_map(named)
}

/// A folder's canonical path, also when it does not exist yet (its nearest existing ancestor's,
/// with the rest appended).
fn canonical_folder(folder: &Path) -> std::io::Result<PathBuf> {
    let absolute = if folder.is_absolute() {
        folder.to_path_buf()
    } else {
        std::env::current_dir()?.join(folder)
    };
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        rest.push(existing.file_name().map(PathBuf::from).unwrap_or_default());
        existing = existing.parent().unwrap_or(Path::new("/"));
    }
    let mut canonical = existing.canonicalize()?;
    for part in rest.iter().rev() {
        canonical.push(part);
    }
    Ok(canonical)
}
