//! `tumen report RUN_DIR` and `tumen run --report`: the HTML report (and PNGs) of a run
//! directory, made by `tumen-report`.

use crate::Failure;
use crate::printer::Printer;
use std::path::{Path, PathBuf};
use tumen_report::{Options, ReportError};

/// Writes the report of `dir`; prints where it is.
pub(crate) fn write(
    dir: &Path,
    output: Option<PathBuf>,
    png: bool,
    printer: &Printer,
) -> Result<(), Failure> {
    let options = Options { output, png };
    match tumen_report::write_report(dir, &options) {
        Ok(written) => {
            let pngs = if written.pngs.is_empty() {
                String::new()
            } else {
                format!(
                    " and {} PNG(s) in `{}`",
                    written.pngs.len(),
                    written
                        .pngs
                        .first()
                        .and_then(|p| p.parent())
                        .map_or_else(String::new, |p| p.display().to_string())
                )
            };
            let missing = if written.missing.is_empty() {
                String::new()
            } else {
                format!(
                    " (without: {}; see the notes in the report)",
                    written.missing.join(", ")
                )
            };
            printer.done(&format!(
                "Wrote the report `{}` ({} plots){pngs}{missing}",
                written.html.display(),
                written.plots
            ));
            Ok(())
        }
        Err(error @ (ReportError::Missing { .. } | ReportError::Invalid { .. })) => {
            printer.error(&format!("cannot make the report: {error}"));
            Err(Failure::User)
        }
        Err(error) => Err(Failure::Internal(
            anyhow::Error::new(error).context("making the report"),
        )),
    }
}
