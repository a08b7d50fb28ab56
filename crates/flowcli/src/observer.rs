//! How the pipeline reports as it goes: every line `flow` prints goes to an [`Observer`], so the
//! binary prints as it goes, a program embedding flow can stay quiet or keep the text, and sites run
//! in parallel can each keep their own report and print it in order.

use flowlstm::EpochReport;

/// Receives the pipeline's report, line by line, and training progress.
pub trait Observer {
    /// One line of the report, without its line break.
    fn line(&mut self, text: &str);

    /// Training of at most `epochs` epochs starts.
    fn training_starts(&mut self, _epochs: usize) {}

    /// One epoch is done.
    fn epoch(&mut self, _report: &EpochReport) {}

    /// Training is done.
    fn training_ends(&mut self) {}

    /// Several lines at once (each ends with a line break, as the renderers write them).
    fn block(&mut self, text: &str) {
        for line in text.lines() {
            self.line(line);
        }
    }
}

/// Says nothing: for programs that only want the results.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Observer for Quiet {
    fn line(&mut self, _text: &str) {}
}

/// Keeps the report as text.
#[derive(Debug, Default, Clone)]
pub struct Transcript {
    /// Every line so far, each ending with a line break.
    pub text: String,
}

impl Observer for Transcript {
    fn line(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
    }
}
