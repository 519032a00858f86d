//! The report of a Tumen run: one self-contained HTML file (`report.html`) made from the files
//! of a run directory, with SVG plots (camps against observed data with quantile bands, the
//! validation error, people by status and by country, the flagship's targets and series, a map
//! of the location graph with a day slider), the target table, the settings, the seed and the
//! version — and each plot as a PNG for papers, rendered with a bundled font.
//!
//! ```no_run
//! let written = tumen_report::write_report(
//!     std::path::Path::new("tumen-out"),
//!     &tumen_report::Options { output: None, png: true },
//! )?;
//! assert!(written.html.ends_with("report.html"));
//! # Ok::<(), tumen_report::ReportError>(())
//! ```

mod calibration;
mod compare;
mod data;
mod geo;
mod html;
mod plots;
mod png;
mod svg;

pub use calibration::{
    CalibrationReport, Quantiles, ReportCamp, ReportGeneration, ReportParameter, ReportParticle,
    ReportScore, calibration_plots, render_calibration, weighted_quantile,
};
pub use compare::{ComparisonData, ComparisonRow, comparison_plots, load_comparison};
pub use data::{
    CampSeries, CountryBands, DrawnParameter, Groups, Incident, MAX_FRAMES, MapData, MapLocation,
    RunData, Target, Weekly, Yearly, load_run,
};
pub use plots::{Plot, map_json, plots};
pub use png::{FONT_BYTES, render_png};

use std::path::{Path, PathBuf};

/// A report that cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A required file is missing.
    #[error("`{}` not found: is this a Tumen run directory?", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// A file cannot be read or written.
    #[error("`{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not what Tumen writes.
    #[error("`{}`: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A plot could not be rendered as PNG.
    #[error("cannot render the plot `{plot}` as PNG: {message}")]
    Png {
        /// The plot's id.
        plot: String,
        /// What went wrong.
        message: String,
    },
}

/// What to write.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The HTML file (default: `report.html` in the run directory).
    pub output: Option<PathBuf>,
    /// Also write one PNG per plot, in `plots/` beside the HTML file.
    pub png: bool,
}

/// What was written.
#[derive(Clone, Debug)]
pub struct Written {
    /// The HTML file.
    pub html: PathBuf,
    /// The PNG files, one per plot.
    pub pngs: Vec<PathBuf>,
    /// How many plots the report has.
    pub plots: usize,
    /// Sections left out for want of a file (their notes are in the report).
    pub missing: Vec<String>,
}

/// The report's HTML for a run's data.
#[must_use]
pub fn render_html(data: &RunData) -> String {
    html::page(data, &plots(data))
}

/// Reads the run directory `dir` and writes its report (and PNGs when asked).
///
/// # Errors
/// When `out.csv` is missing, a file is malformed, or a file cannot be written.
pub fn write_report(dir: &Path, options: &Options) -> Result<Written, ReportError> {
    let (page, plots, missing) = if !dir.join("out.csv").exists()
        && let Some(comparison) = load_comparison(dir)?
    {
        let plots = comparison_plots(&comparison);
        (
            html::comparison_page(&comparison, &plots),
            plots,
            Vec::new(),
        )
    } else {
        let data = load_run(dir)?;
        let plots = plots(&data);
        let missing = data.missing.keys().cloned().collect();
        (html::page(&data, &plots), plots, missing)
    };
    let html_path = options
        .output
        .clone()
        .unwrap_or_else(|| dir.join("report.html"));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    tumen_output::write_atomic(&html_path, |w| w.write_all(page.as_bytes()))
        .map_err(io(&html_path))?;
    let mut pngs = Vec::new();
    if options.png {
        let folder = html_path
            .parent()
            .map_or_else(|| PathBuf::from("plots"), |p| p.join("plots"));
        std::fs::create_dir_all(&folder).map_err(io(&folder))?;
        for plot in &plots {
            let bytes = render_png(&plot.svg, 2.0).map_err(|message| ReportError::Png {
                plot: plot.id.clone(),
                message,
            })?;
            let path = folder.join(format!("{}.png", plot.id));
            tumen_output::write_atomic(&path, |w| w.write_all(&bytes)).map_err(io(&path))?;
            pngs.push(path);
        }
    }
    Ok(Written {
        html: html_path,
        pngs,
        plots: plots.len(),
        missing,
    })
}
