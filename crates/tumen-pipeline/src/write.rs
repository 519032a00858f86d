//! Writing a run's files. Each is written to a temporary name and renamed when complete, so a
//! killed run never leaves a truncated file that looks complete; `run.json` is written last
//! of the run's own files.

use crate::error::Error;
use crate::run::RunOutput;
use std::path::{Path, PathBuf};
use tumen_output::{TargetOutcome, TargetResult, write_atomic};

/// The directory of the per-replica tables (FabFlee's ensemble layout).
pub const RUNS: &str = "RUNS";

/// Exchange formats written on request besides the standard files.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// `long.csv`: one row per location and day.
    Long,
    /// `hxl.csv`: the long table with a row of HXL hashtags.
    Hxl,
    /// `long.parquet` (needs a build with the cargo feature `parquet`).
    Parquet,
}

impl Format {
    /// The format's name on the command line and in `run.json`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Long => "long",
            Self::Hxl => "hxl",
            Self::Parquet => "parquet",
        }
    }
}

/// The names of `formats`, in order.
pub(crate) fn format_names(formats: &[Format]) -> Vec<String> {
    formats.iter().map(|f| f.name().to_owned()).collect()
}

/// Whether every format asked for can be written by this build.
pub(crate) fn check_formats(formats: &[Format]) -> Result<(), Error> {
    if cfg!(not(feature = "parquet")) && formats.contains(&Format::Parquet) {
        return Err(Error::Request(
            "`--formats parquet` needs a `tumen` built with the cargo feature `parquet` \
             (`cargo build --release --features parquet`)"
                .to_owned(),
        ));
    }
    Ok(())
}

/// One scheduled asylum incident (a row of `incidents.csv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    /// Its date.
    pub date: String,
    /// The location of its channel.
    pub location: String,
    /// The channel.
    pub channel: String,
    /// People in the group.
    pub size: u64,
    /// What happened (commas and quotes replaced by spaces).
    pub label: String,
}

/// The scenario's scheduled asylum incidents.
pub(crate) fn incidents(scenario: &tumen_core::Scenario) -> Vec<Incident> {
    let Some(asylum) = &scenario.mechanisms.asylum else {
        return Vec::new();
    };
    asylum
        .incidents
        .iter()
        .map(|incident| {
            let day = u32::try_from(incident.day.max(0)).unwrap_or(u32::MAX);
            let channel = &asylum.channels[incident.channel];
            Incident {
                date: scenario.date_of(day).to_string(),
                location: scenario.network.location(channel.location).name.clone(),
                channel: channel.name.clone(),
                size: incident.size,
                label: incident.label.replace([',', '"', '\n'], " "),
            }
        })
        .collect()
}

/// What [`RunOutput::write`] wrote.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// Every file, in the order written.
    pub files: Vec<PathBuf>,
    /// The calibration targets against the ensemble, when the scenario has targets.
    pub targets: Option<Vec<TargetResult>>,
    /// The evaluation figures against the ensemble (`evaluation.csv`), when the scenario has
    /// them.
    pub evaluation: Option<Vec<TargetResult>>,
    /// Targets that cannot be evaluated, with the reason (`target`, line, reason).
    pub target_problems: Vec<(String, usize, String)>,
    /// Targets dated outside the simulated period.
    pub targets_outside: Vec<String>,
}

impl Written {
    /// The files' names (not their directories), comma-separated, for a closing line.
    #[must_use]
    pub fn file_names(&self) -> String {
        self.files
            .iter()
            .map(|p| {
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where the files go: a directory (each file written atomically) or memory (for front ends
/// that hand the tables to their users, like the Python package).
pub(crate) enum Out<'a> {
    /// Files in this directory.
    Dir(&'a Path),
    /// `(name, bytes)` in the order written.
    Memory(Vec<(String, Vec<u8>)>),
}

/// Writes one file and records its path (in memory: its name).
fn write_file(
    written: &mut Vec<PathBuf>,
    out: &mut Out<'_>,
    name: &str,
    body: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    match out {
        Out::Dir(dir) => {
            let path = dir.join(name);
            write_atomic(&path, body).map_err(|source| Error::write(&path, source))?;
            written.push(path);
        }
        Out::Memory(files) => {
            let mut bytes = Vec::new();
            body(&mut bytes).map_err(|source| Error::write(name, source))?;
            files.push((name.to_owned(), bytes));
            written.push(PathBuf::from(name));
        }
    }
    Ok(())
}

/// Writes `value` as pretty JSON.
fn write_json(
    written: &mut Vec<PathBuf>,
    out: &mut Out<'_>,
    name: &str,
    value: &impl serde::Serialize,
) -> Result<(), Error> {
    write_file(written, out, name, |w| {
        serde_json::to_writer_pretty(&mut *w, value)?;
        w.write_all(b"\n")
    })
}

/// Creates `dir` and its parents; an existing file in the way is the user's to move.
pub(crate) fn create_dir(dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Request(format!(
            "the output directory `{}` is an existing file; give another `--output`",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "create the output directory",
        path: dir.to_path_buf(),
        source,
    })
}

/// Writes the mechanisms' tables (`yearly.csv`, `weekly.csv`, `status.csv` and, with targets,
/// `targets.csv`, with evaluation figures `evaluation.csv`) of `system` into `dir`.
pub(crate) fn write_system(
    dir: &mut Out<'_>,
    system: &tumen_output::SystemEnsemble,
    targets: Option<&[tumen_output::TargetRow]>,
    evaluation: Option<&[tumen_output::TargetRow]>,
    written: &mut Written,
) -> Result<(), Error> {
    write_file(&mut written.files, dir, "yearly.csv", |w| {
        system.write_yearly_csv(w)
    })?;
    write_file(&mut written.files, dir, "weekly.csv", |w| {
        system.write_weekly_csv(w)
    })?;
    write_file(&mut written.files, dir, "status.csv", |w| {
        system.write_status_csv(w)
    })?;
    if system.has_origins() {
        write_file(&mut written.files, dir, "origins.csv", |w| {
            system.write_origins_csv(w)
        })?;
    }
    if let Some(rows) = targets {
        let results = system.evaluate_targets(rows);
        for (row, result) in rows.iter().zip(&results) {
            match &result.outcome {
                TargetOutcome::Failed(reason) => {
                    written
                        .target_problems
                        .push((row.target.clone(), row.line, reason.clone()));
                }
                TargetOutcome::OutsideRun(_) => written.targets_outside.push(row.target.clone()),
                _ => {}
            }
        }
        write_file(&mut written.files, dir, "targets.csv", |w| {
            tumen_output::write_targets_csv(&results, w)
        })?;
        written.targets = Some(results);
    }
    if let Some(rows) = evaluation {
        let results = system.evaluate_targets(rows);
        write_file(&mut written.files, dir, "evaluation.csv", |w| {
            tumen_output::write_targets_csv(&results, w)
        })?;
        written.evaluation = Some(results);
    }
    Ok(())
}

/// The scores of an ensemble on a table of documented figures, for `summary.json`.
fn table_score(
    role: &'static str,
    file: &'static str,
    rows: &[tumen_output::TargetRow],
    results: &[TargetResult],
) -> crate::summary::TableScore {
    let mut inside = 0;
    let mut distances = Vec::new();
    for (row, result) in rows.iter().zip(results) {
        if let TargetOutcome::Evaluated { band, inside: met } = &result.outcome {
            inside += usize::from(*met);
            distances.push(tumen_calibrate::score::interval_distance(
                band.median,
                row.low.unwrap_or(f64::NEG_INFINITY),
                row.high.unwrap_or(f64::INFINITY),
            ));
        }
    }
    #[expect(clippy::cast_precision_loss, reason = "row counts far below 2^52")]
    let mean =
        (!distances.is_empty()).then(|| distances.iter().sum::<f64>() / distances.len() as f64);
    crate::summary::TableScore {
        role,
        file,
        evaluated: distances.len(),
        inside,
        mean_interval_distance: mean,
    }
}

impl RunOutput {
    /// Writes every output file into `dir` (created if needed): `out.csv` (replica 0), for an
    /// ensemble `quantiles.csv` and `countries.csv`, `summary.json`, for a scenario with
    /// mechanisms `yearly.csv`, `weekly.csv`, `status.csv`, `targets.csv` and
    /// `incidents.csv`, the network files (`locations.geojson`, `daily_locations.csv`,
    /// `daily_links.csv`), the exchange formats asked for, with `replica_outputs` every
    /// replica's table as `RUNS/replica-<i>/out.csv`, and `run.json` last.
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be written; [`Error::Request`] when `dir` is a file.
    pub fn write(&self, dir: &Path) -> Result<Written, Error> {
        create_dir(dir)?;
        self.write_into(&mut Out::Dir(dir), &self.formats)
    }

    /// The files [`RunOutput::write`] writes, as `(name, bytes)` in memory, with `formats`
    /// instead of the run's own exchange formats.
    ///
    /// # Errors
    /// When a writer fails (it should not, in memory).
    pub fn files_in_memory(&self, formats: &[Format]) -> Result<Vec<(String, Vec<u8>)>, Error> {
        let mut out = Out::Memory(Vec::new());
        self.write_into(&mut out, formats)?;
        match out {
            Out::Memory(files) => Ok(files),
            Out::Dir(_) => Err(Error::Internal(
                "memory output became a directory".to_owned(),
            )),
        }
    }

    fn write_into(&self, dir: &mut Out<'_>, formats: &[Format]) -> Result<Written, Error> {
        let mut written = Written::default();
        let first = &self.ensemble.replicas[0];
        write_file(&mut written.files, dir, "out.csv", |w| {
            first.table.write_csv(w)
        })?;
        if self.ensemble_outputs {
            write_file(&mut written.files, dir, "quantiles.csv", |w| {
                self.ensemble.write_bands_csv(w)
            })?;
            write_file(&mut written.files, dir, "countries.csv", |w| {
                self.ensemble.write_country_bands_csv(w)
            })?;
        }
        let mut summary = self.summary.clone();
        if let Some(system) = &self.system {
            let score = |rows: Option<&Vec<tumen_output::TargetRow>>, role, file| {
                rows.map(|rows| table_score(role, file, rows, &system.evaluate_targets(rows)))
            };
            let fit = score(self.targets.as_ref(), crate::summary::FIT, "targets.csv");
            let forecast = score(
                self.evaluation.as_ref(),
                crate::summary::FORECAST,
                "evaluation.csv",
            );
            if fit.is_some() || forecast.is_some() {
                summary.scores = Some(crate::summary::Scores { fit, forecast });
            }
        }
        write_json(&mut written.files, dir, "summary.json", &summary)?;
        if let Some(system) = &self.system {
            if !self.incidents.is_empty() {
                write_file(&mut written.files, dir, "incidents.csv", |w| {
                    writeln!(w, "date,location,channel,size,label")?;
                    for i in &self.incidents {
                        writeln!(
                            w,
                            "{},{},{},{},{}",
                            i.date, i.location, i.channel, i.size, i.label
                        )?;
                    }
                    Ok(())
                })?;
            }
            write_system(
                dir,
                system,
                self.targets.as_deref(),
                self.evaluation.as_deref(),
                &mut written,
            )?;
        }
        self.write_network_and_formats(dir, &mut written.files, formats)?;
        if self.replica_outputs {
            for (index, replica) in self.ensemble.replicas.iter().enumerate() {
                let name = format!("{RUNS}/replica-{index}/out.csv");
                if let Out::Dir(root) = dir {
                    create_dir(&root.join(RUNS).join(format!("replica-{index}")))?;
                }
                write_file(&mut written.files, dir, &name, |w| {
                    replica.table.write_csv(w)
                })?;
            }
        }
        if let Some(parameters) = &self.parameters {
            write_file(&mut written.files, dir, "parameters.csv", |w| {
                w.write_all(parameters_csv(parameters, self).as_bytes())
            })?;
        }
        write_json(&mut written.files, dir, "run.json", &self.record)?;
        Ok(written)
    }

    fn write_network_and_formats(
        &self,
        dir: &mut Out<'_>,
        files: &mut Vec<PathBuf>,
        formats: &[Format],
    ) -> Result<(), Error> {
        let network = &self.network;
        let daily = &self.daily;
        let table = &self.ensemble.replicas[0].table;
        write_file(files, dir, "locations.geojson", |w| {
            tumen_output::write_geojson(network, daily, w)
        })?;
        write_file(files, dir, "links.geojson", |w| {
            tumen_output::write_links_geojson(network, daily, w)
        })?;
        write_file(files, dir, "daily_locations.csv", |w| {
            daily.write_locations_csv(network, w)
        })?;
        write_file(files, dir, "daily_links.csv", |w| {
            daily.write_links_csv(network, w)
        })?;
        let mut done = Vec::new();
        for &format in formats {
            if done.contains(&format) {
                continue;
            }
            done.push(format);
            match format {
                Format::Long => write_file(files, dir, "long.csv", |w| {
                    tumen_output::write_long_csv(network, daily, table, w)
                })?,
                Format::Hxl => write_file(files, dir, "hxl.csv", |w| {
                    tumen_output::write_hxl_csv(network, daily, table, w)
                })?,
                Format::Parquet => self.write_parquet(dir, files)?,
            }
        }
        Ok(())
    }

    #[cfg(feature = "parquet")]
    fn write_parquet(&self, dir: &mut Out<'_>, files: &mut Vec<PathBuf>) -> Result<(), Error> {
        // The essentials of run.json go into the file's key-value metadata.
        let run = serde_json::to_string(&self.record)
            .map_err(|error| Error::Internal(format!("encoding run.json: {error}")))?;
        let metadata = tumen_output::run_metadata(&run);
        write_file(files, dir, "long.parquet", |w| {
            tumen_output::write_long_parquet_with_metadata(
                &self.network,
                &self.daily,
                &self.ensemble.replicas[0].table,
                &metadata,
                w,
            )
        })
    }

    #[cfg(not(feature = "parquet"))]
    #[expect(
        clippy::unused_self,
        reason = "the same signature as the parquet build's"
    )]
    fn write_parquet(&self, _dir: &mut Out<'_>, _files: &mut Vec<PathBuf>) -> Result<(), Error> {
        check_formats(&[Format::Parquet])
    }
}

/// The text of `parameters.csv`: `replica,seed,<parameter>...`, the parameters each replica of
/// `output` ran with (shortest round-trip decimals).
fn parameters_csv(parameters: &crate::run::DrawnParameters, output: &RunOutput) -> String {
    let mut text = format!("replica,seed,{}\n", parameters.names.join(","));
    for ((index, replica), theta) in output
        .ensemble
        .replicas
        .iter()
        .enumerate()
        .zip(&parameters.thetas)
    {
        let values: Vec<String> = theta.iter().map(|v| format!("{v:?}")).collect();
        text.push_str(&format!("{index},{},{}\n", replica.seed, values.join(",")));
    }
    text
}
