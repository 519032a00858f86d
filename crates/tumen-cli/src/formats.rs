//! The files a run writes besides `out.csv` and `summary.json`: always the network and the
//! daily counts the report needs (`locations.geojson`, `daily_locations.csv`,
//! `daily_links.csv`), and the exchange tables asked for with `--formats`.

use anyhow::Context;
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use tumen_output::{Daily, FleeTable, RunNetwork, write_atomic};

/// Exchange formats that `--formats` adds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// `long.csv`: one row per location and day.
    Long,
    /// `hxl.csv`: the long table with a row of HXL hashtags.
    Hxl,
    /// `long.parquet` (needs a build with the cargo feature `parquet`).
    Parquet,
}

/// Writes one file atomically and returns its path.
fn write(
    dir: &Path,
    name: &str,
    body: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    write_atomic(&path, body).with_context(|| format!("writing `{}`", path.display()))?;
    Ok(path)
}

/// Writes the network files and the requested formats; returns the paths written.
pub(crate) fn write_outputs(
    dir: &Path,
    network: &RunNetwork,
    daily: &Daily,
    table: &FleeTable,
    formats: &[Format],
) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = vec![
        write(dir, "locations.geojson", |w| {
            tumen_output::write_geojson(network, daily, w)
        })?,
        write(dir, "links.geojson", |w| {
            tumen_output::write_links_geojson(network, daily, w)
        })?,
        write(dir, "daily_locations.csv", |w| {
            daily.write_locations_csv(network, w)
        })?,
        write(dir, "daily_links.csv", |w| {
            daily.write_links_csv(network, w)
        })?,
    ];
    let mut done = Vec::new();
    for &format in formats {
        if done.contains(&format) {
            continue;
        }
        done.push(format);
        written.push(match format {
            Format::Long => write(dir, "long.csv", |w| {
                tumen_output::write_long_csv(network, daily, table, w)
            })?,
            Format::Hxl => write(dir, "hxl.csv", |w| {
                tumen_output::write_hxl_csv(network, daily, table, w)
            })?,
            Format::Parquet => write_parquet(dir, network, daily, table)?,
        });
    }
    Ok(written)
}

#[cfg(feature = "parquet")]
fn write_parquet(
    dir: &Path,
    network: &RunNetwork,
    daily: &Daily,
    table: &FleeTable,
) -> anyhow::Result<PathBuf> {
    let run = std::fs::read_to_string(dir.join("run.json")).unwrap_or_default();
    let metadata = tumen_output::run_metadata(&run);
    write(dir, "long.parquet", |w| {
        tumen_output::write_long_parquet_with_metadata(network, daily, table, &metadata, w)
    })
}

#[cfg(not(feature = "parquet"))]
fn write_parquet(
    _dir: &Path,
    _network: &RunNetwork,
    _daily: &Daily,
    _table: &FleeTable,
) -> anyhow::Result<PathBuf> {
    anyhow::bail!(
        "this `tumen` was built without Parquet support; rebuild with \
         `cargo build --release --features parquet`"
    )
}

/// Whether `--formats parquet` can be honoured by this build.
pub(crate) fn check(formats: &[Format]) -> Result<(), String> {
    if cfg!(not(feature = "parquet")) && formats.contains(&Format::Parquet) {
        return Err(
            "`--formats parquet` needs a `tumen` built with the cargo feature \
                    `parquet` (`cargo build --release --features parquet`)"
                .to_owned(),
        );
    }
    Ok(())
}
