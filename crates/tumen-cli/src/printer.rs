//! Everything the tool prints goes through here: messages on stderr, progress bars on stderr
//! when it is a terminal. stdout is kept for data.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use tumen_scenario::Diagnostic;

/// Prints messages and draws progress.
pub(crate) struct Printer {
    quiet: bool,
}

impl Printer {
    pub(crate) fn new(quiet: bool) -> Self {
        Self { quiet }
    }

    #[expect(
        clippy::print_stderr,
        reason = "the printer is the one place that prints"
    )]
    fn line(&self, text: &str) {
        eprintln!("{text}");
    }

    pub(crate) fn error(&self, message: &str) {
        self.line(&format!("error: {message}"));
    }

    pub(crate) fn note(&self, message: &str) {
        if !self.quiet {
            self.line(&format!("note: {message}"));
        }
    }

    pub(crate) fn done(&self, message: &str) {
        if !self.quiet {
            self.line(message);
        }
    }

    pub(crate) fn diagnostic(&self, diagnostic: &Diagnostic) {
        let is_error = matches!(diagnostic.severity, tumen_scenario::Severity::Error);
        if self.quiet && !is_error {
            return;
        }
        self.line(&tumen_scenario::render(diagnostic));
    }

    /// A progress bar of `length` steps, hidden when stderr is not a terminal, under
    /// `--quiet`/`--no-progress`, or when `TUMEN_NO_PROGRESS` is set.
    pub(crate) fn progress(&self, length: u64, message: &str, no_progress: bool) -> ProgressBar {
        let hidden = self.quiet
            || no_progress
            || std::env::var_os("TUMEN_NO_PROGRESS").is_some()
            || !std::io::stderr().is_terminal();
        if hidden {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:40}] day {pos}/{len} ({elapsed}, {eta} left)")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_owned());
        bar
    }
}
