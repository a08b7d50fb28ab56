//! Sites of one export worked on at once: as many threads as cores (at most one per site), each
//! site writing into its own transcript, printed in the sites' order as soon as it and every site
//! before it are done, so the output reads the same whatever finishes first.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use flowcore::Export;

use crate::error::{FlowError, Result};
use crate::observer::{Observer, Transcript};
use crate::site::Target;

/// Runs `work` on every target, in parallel, printing each transcript in order, and with the
/// failure of a site said under its transcript when there are several (one site's failure is the
/// command's error, said once). libtorch is held to one thread in each worker.
pub(crate) fn each_target<T: Send>(
    targets: &[Target],
    obs: &mut dyn Observer,
    work: impl Fn(&Target, &mut Transcript) -> Result<T> + Sync,
) -> Vec<Result<T>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(targets.len())
        .max(1);
    flowlstm::set_threads(1);
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel::<(usize, Transcript, Result<T>)>();
    let mut results: Vec<Option<Result<T>>> = (0..targets.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(target) = targets.get(index) else {
                    break;
                };
                let mut transcript = Transcript::default();
                let result = work(target, &mut transcript);
                if sender.send((index, transcript, result)).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        let mut transcripts: Vec<Option<Transcript>> = (0..targets.len()).map(|_| None).collect();
        let mut printed = 0;
        for (index, transcript, result) in receiver {
            transcripts[index] = Some(transcript);
            results[index] = Some(result);
            while let Some(Some(done)) = transcripts.get(printed) {
                obs.block(&done.text);
                match results.get(printed) {
                    Some(Some(Err(error))) if targets.len() > 1 => {
                        let target = &targets[printed];
                        say!(obs);
                        match error {
                            // The error names the site already.
                            FlowError::Site { .. } | FlowError::AtOrigin { .. } => {
                                say!(obs, "failed           {error}");
                            }
                            _ => say!(obs, "failed           {} ({}): {error}", target.slug, target.column),
                        }
                    }
                    _ => {}
                }
                printed += 1;
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(FlowError::WorkerLost)))
        .collect()
}

/// `Ok` when every site succeeded; the one site's own error when only one was run; else which
/// sites failed.
pub(crate) fn all_done<T>(export: &Export, targets: &[Target], results: Vec<Result<T>>) -> Result {
    let mut failed = Vec::new();
    let total = results.len();
    for (target, result) in targets.iter().zip(results) {
        if let Err(error) = result {
            if total == 1 {
                return Err(error);
            }
            failed.push(target.slug.clone());
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    Err(FlowError::SitesFailed {
        where_: "",
        file: std::path::PathBuf::from(export.describe()),
        failed: failed.len(),
        total,
        names: failed.join(", "),
    })
}
