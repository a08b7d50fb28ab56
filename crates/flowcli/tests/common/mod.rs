//! Helpers of the CLI tests: run the `flow` binary on fixtures in a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)] // test helpers may fail loudly

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A file of `fixtures/`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

/// Flags of a small, fast model for tests that run the whole job: hourly, 2 epochs, 8 units.
pub(crate) const QUICK_MODEL: [&str; 6] = ["--interval", "hourly", "--epochs", "2", "--hidden", "8"];

/// Runs `flow` in `dir` with its cache inside `dir`, so no test touches the user's cache.
pub(crate) fn flow(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(args)
        .current_dir(dir)
        .env("FLOW_CACHE_DIR", dir.join("cache"))
        .output()
        .expect("the flow binary runs")
}

/// Runs `flow` with the flags of `parts` one after another (a command's and a case's own), asserts
/// it succeeded, and returns what it printed.
pub(crate) fn flow_succeeds(dir: &Path, parts: &[&[&str]]) -> String {
    let output = flow(dir, &parts.concat());
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

/// What the command printed.
pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the command printed as errors.
pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file below `dir`.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// Writes `bytes` to `dir/name` and returns the path.
pub(crate) fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Asserts a refusal: exit 1, one line on stderr starting `flow: error: ` and containing `message`.
pub(crate) fn assert_refused(output: &Output, message: &str) -> String {
    let error = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected a refusal with `{message}`: {error}"
    );
    assert_eq!(error.lines().count(), 1, "one line expected: {error}");
    assert!(error.starts_with("flow: error: "), "{error}");
    assert!(error.contains(message), "expected `{message}` in {error}");
    error
}

/// Writes a demo export of `rows` minutes with `seed` to `dir/name`; returns its path as text.
pub(crate) fn demo_export(dir: &Path, name: &str, rows: usize, seed: u64) -> String {
    let path = dir.join(name);
    let (rows, seed) = (rows.to_string(), seed.to_string());
    let output = flow(
        dir,
        &[
            "demo-data",
            "--rows",
            &rows,
            "--seed",
            &seed,
            "--out",
            path.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    path.to_str().unwrap().to_string()
}
