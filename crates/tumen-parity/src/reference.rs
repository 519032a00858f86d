//! A Flee 3.1 reference ensemble (`../shared/flee-reference/<name>/`): `summary.csv`,
//! `metrics.json`, and one of its `replica-<seed>.csv` for the deterministic columns.

use crate::ensemble::Ensemble;
use crate::error::ParityError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use tumen_output::FleeTable;

/// Flee's ensemble on one scenario, as the reference tool condensed it.
#[derive(Clone, Debug)]
pub struct Reference {
    /// The folder's name (the scenario).
    pub name: String,
    /// Camps in Flee's column order.
    pub camps: Vec<String>,
    /// One entry per simulated day.
    pub days: Vec<RefDay>,
    /// Number of Flee replicas.
    pub replicas: usize,
    /// Mean over replicas of the normal validation metric.
    pub ard_normal_mean: f64,
    /// Its sample sd.
    pub ard_normal_sd: f64,
    /// Mean over replicas of the rescaled validation metric.
    pub ard_rescaled_mean: f64,
    /// Its sample sd.
    pub ard_rescaled_sd: f64,
    /// Each replica's metric (`metrics.json` `per_replica`).
    pub per_replica: Vec<ReplicaArd>,
    /// Flee against itself: its two halves of replicas compared.
    pub split_half: SplitHalf,
    /// One replica's `out.csv` (the lowest seed present), for the deterministic columns.
    pub replica: Option<FleeTable>,
}

/// One day of a [`Reference`] (a row of `summary.csv`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RefDay {
    /// Day number.
    pub day: u32,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Per camp: mean agents at the camp.
    pub camp_mean: Vec<f64>,
    /// Per camp: sample sd (ddof 1).
    pub camp_sd: Vec<f64>,
    /// Mean of Σ_c camp count.
    pub camps_total_mean: f64,
    /// Its sample sd.
    pub camps_total_sd: f64,
    /// Mean agent total; `None` where Flee prints no totals (raw observed total 0).
    pub agents_total_mean: Option<f64>,
    /// Its sample sd.
    pub agents_total_sd: Option<f64>,
    /// Per camp: the camp data as Flee prints them.
    pub camp_data: Vec<i64>,
}

/// One Flee replica's validation metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReplicaArd {
    /// Its seed.
    pub seed: u64,
    /// Normal ARD.
    pub normal: f64,
    /// Rescaled ARD.
    pub rescaled: f64,
}

/// Flee against itself: the even- and odd-indexed replicas' mean trajectories compared.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SplitHalf {
    /// Replicas in each half.
    pub halves: (usize, usize),
    /// The trajectory distance D between the two halves' means.
    pub ard_between_half_means: f64,
    /// Share of checkpoint cells failing the checkpoint test between the halves, per relative
    /// tolerance r: `(r, share)`, r ascending (empty when not known).
    pub checkpoint_fail_fraction: Vec<(f64, f64)>,
    /// Share of (day, camp) cells with Welch z > 3 between the halves (0 when not known).
    pub frac_cells_z_gt_3: f64,
    /// Share with z > 4.
    pub frac_cells_z_gt_4: f64,
}

impl SplitHalf {
    /// The split-half distance of an ensemble: its even- and odd-indexed replicas' mean
    /// trajectories (the reference tool's `ard_between_half_means`).
    ///
    /// # Errors
    /// With fewer than four replicas (each half needs two).
    pub fn of_ensemble(ensemble: &Ensemble) -> Result<Self, ParityError> {
        let tables = ensemble.tables();
        let even: Vec<FleeTable> = tables.iter().step_by(2).cloned().collect();
        let odd: Vec<FleeTable> = tables.iter().skip(1).step_by(2).cloned().collect();
        let even = crate::ensemble::summarise(&even)?;
        let odd = crate::ensemble::summarise(&odd)?;
        let d = trajectory_distance(
            odd.days.iter().map(|d| d.camp_mean.as_slice()),
            even.days.iter().map(|d| d.camp_mean.as_slice()),
        );
        Ok(Self {
            halves: (even.replicas, odd.replicas),
            ard_between_half_means: d,
            ..Self::default()
        })
    }
}

/// D = mean over days of Σ_c |a_c(t) − b_c(t)| / max(Σ_c b_c(t), 1).
pub(crate) fn trajectory_distance<'a>(
    ours: impl Iterator<Item = &'a [f64]>,
    flee: impl Iterator<Item = &'a [f64]>,
) -> f64 {
    let mut sum = 0.0;
    let mut days = 0_usize;
    for (a, b) in ours.zip(flee) {
        let total: f64 = b.iter().sum();
        let diff: f64 = a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum();
        sum += diff / total.max(1.0);
        days += 1;
    }
    if days == 0 { 0.0 } else { sum / days as f64 }
}

/// Reads an `out.csv` file.
///
/// # Errors
/// When it cannot be read or is not an `out.csv`.
pub fn read_table(path: &Path) -> Result<FleeTable, ParityError> {
    let file = std::fs::File::open(path).map_err(|source| ParityError::Io {
        path: path.to_owned(),
        source,
    })?;
    FleeTable::read_csv(std::io::BufReader::new(file)).map_err(|source| ParityError::Table {
        path: path.to_owned(),
        source,
    })
}

#[derive(Deserialize)]
struct MetricsFile {
    replicas: usize,
    days: usize,
    camps: Vec<String>,
    ard_normal: MeanSdJson,
    ard_rescaled: MeanSdJson,
    split_half: SplitHalfJson,
    per_replica: Vec<PerReplicaJson>,
}

#[derive(Deserialize)]
struct MeanSdJson {
    mean: f64,
    sd: f64,
}

#[derive(Deserialize)]
struct SplitHalfJson {
    halves: (usize, usize),
    ard_between_half_means: f64,
    #[serde(default)]
    checkpoint_test_fail_fraction: BTreeMap<String, f64>,
    #[serde(default)]
    frac_cells_z_gt_3: f64,
    #[serde(default)]
    frac_cells_z_gt_4: f64,
}

#[derive(Deserialize)]
struct PerReplicaJson {
    seed: u64,
    ard_normal: f64,
    ard_rescaled: f64,
}

impl Reference {
    /// Reads a reference folder: `summary.csv`, `metrics.json`, and the `replica-<seed>.csv`
    /// with the lowest seed (if any).
    ///
    /// # Errors
    /// When a file is missing or not as the reference tool writes it, or the files disagree
    /// (camps, days, replicas).
    pub fn load(dir: &Path) -> Result<Self, ParityError> {
        let name = dir
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let summary_path = dir.join("summary.csv");
        let metrics_path = dir.join("metrics.json");
        let (camps, days) = read_summary(&summary_path)?;
        let text = read_text(&metrics_path)?;
        let metrics: MetricsFile =
            serde_json::from_str(&text).map_err(|source| ParityError::Json {
                path: metrics_path.clone(),
                source,
            })?;
        let mismatch = |message: String| ParityError::Invalid {
            path: metrics_path.clone(),
            message,
        };
        if metrics.camps != camps {
            return Err(mismatch(format!(
                "camps {:?}, summary.csv has {camps:?}",
                metrics.camps
            )));
        }
        if metrics.days != days.len() {
            return Err(mismatch(format!(
                "{} days, summary.csv has {}",
                metrics.days,
                days.len()
            )));
        }
        if metrics.per_replica.len() != metrics.replicas {
            return Err(mismatch(format!(
                "{} replicas but {} in `per_replica`",
                metrics.replicas,
                metrics.per_replica.len()
            )));
        }
        let mut checkpoint_fail_fraction: Vec<(f64, f64)> = metrics
            .split_half
            .checkpoint_test_fail_fraction
            .iter()
            .filter_map(|(key, &share)| {
                let r: f64 = key.strip_prefix("tol_rel_")?.parse().ok()?;
                Some((r, share))
            })
            .collect();
        checkpoint_fail_fraction.sort_by(|a, b| a.0.total_cmp(&b.0));
        let replica = lowest_replica(dir)?;
        if let Some(table) = &replica
            && (table.camps != camps || table.rows.len() != days.len())
        {
            return Err(ParityError::Invalid {
                path: dir.to_owned(),
                message: "the replica CSV's camps or days differ from summary.csv".to_owned(),
            });
        }
        Ok(Self {
            name,
            camps,
            days,
            replicas: metrics.replicas,
            ard_normal_mean: metrics.ard_normal.mean,
            ard_normal_sd: metrics.ard_normal.sd,
            ard_rescaled_mean: metrics.ard_rescaled.mean,
            ard_rescaled_sd: metrics.ard_rescaled.sd,
            per_replica: metrics
                .per_replica
                .iter()
                .map(|r| ReplicaArd {
                    seed: r.seed,
                    normal: r.ard_normal,
                    rescaled: r.ard_rescaled,
                })
                .collect(),
            split_half: SplitHalf {
                halves: metrics.split_half.halves,
                ard_between_half_means: metrics.split_half.ard_between_half_means,
                checkpoint_fail_fraction,
                frac_cells_z_gt_3: metrics.split_half.frac_cells_z_gt_3,
                frac_cells_z_gt_4: metrics.split_half.frac_cells_z_gt_4,
            },
            replica,
        })
    }

    /// A reference made from an ensemble (for checking the comparison itself, e.g. Flee's
    /// replicas against Flee's other replicas); replica seeds are numbered from 1.
    #[must_use]
    pub fn from_ensemble(name: &str, ensemble: &Ensemble, split_half: SplitHalf) -> Self {
        let normal = ensemble.ard_normal();
        let rescaled = ensemble.ard_rescaled();
        Self {
            name: name.to_owned(),
            camps: ensemble.camps.clone(),
            days: ensemble
                .days
                .iter()
                .map(|d| RefDay {
                    day: d.day,
                    date: d.date.clone(),
                    camp_mean: d.camp_mean.clone(),
                    camp_sd: d.camp_sd.clone(),
                    camps_total_mean: d.camps_total_mean,
                    camps_total_sd: d.camps_total_sd,
                    agents_total_mean: d.agents_total_mean,
                    agents_total_sd: d.agents_total_sd,
                    camp_data: d.camp_data.clone(),
                })
                .collect(),
            replicas: ensemble.replicas,
            ard_normal_mean: normal.mean,
            ard_normal_sd: normal.sd,
            ard_rescaled_mean: rescaled.mean,
            ard_rescaled_sd: rescaled.sd,
            per_replica: ensemble
                .ard
                .iter()
                .zip(1..)
                .map(|(a, seed)| ReplicaArd {
                    seed,
                    normal: a.normal,
                    rescaled: a.rescaled,
                })
                .collect(),
            split_half,
            replica: ensemble.tables().first().cloned(),
        }
    }
}

fn read_text(path: &Path) -> Result<String, ParityError> {
    std::fs::read_to_string(path).map_err(|source| ParityError::Io {
        path: path.to_owned(),
        source,
    })
}

/// `replica-<seed>.csv` with the lowest seed in `dir`, read.
fn lowest_replica(dir: &Path) -> Result<Option<FleeTable>, ParityError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ParityError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let lowest = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let seed: u64 = name
                .strip_prefix("replica-")?
                .strip_suffix(".csv")?
                .parse()
                .ok()?;
            Some((seed, entry.path()))
        })
        .min_by_key(|(seed, _)| *seed);
    lowest.map(|(_, path)| read_table(&path)).transpose()
}

/// Camps and days of `summary.csv`: `Day,Date`, `<c> mean,<c> sd` per camp, `camps total
/// mean,camps total sd,agents total mean,agents total sd`, `<c> data` per camp.
fn read_summary(path: &Path) -> Result<(Vec<String>, Vec<RefDay>), ParityError> {
    let text = read_text(path)?;
    let invalid = |line: usize, message: String| ParityError::Invalid {
        path: path.to_owned(),
        message: format!("line {line}: {message}"),
    };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let Some((_, header)) = lines.next() else {
        return Err(invalid(1, "empty file".to_owned()));
    };
    let header: Vec<&str> = header.split(',').collect();
    let tail = [
        "camps total mean",
        "camps total sd",
        "agents total mean",
        "agents total sd",
    ];
    let Some(tail_start) = header.iter().position(|h| *h == tail[0]) else {
        return Err(invalid(1, "no `camps total mean` column".to_owned()));
    };
    if header.get(..2) != Some(&["Day", "Date"][..]) || tail_start < 2 || tail_start % 2 != 0 {
        return Err(invalid(
            1,
            "expected `Day,Date` and two columns per camp".to_owned(),
        ));
    }
    let camp_count = (tail_start - 2) / 2;
    let mut camps = Vec::with_capacity(camp_count);
    for c in 0..camp_count {
        let mean = header[2 + 2 * c];
        let Some(camp) = mean.strip_suffix(" mean") else {
            return Err(invalid(
                1,
                format!("expected `<camp> mean`, found `{mean}`"),
            ));
        };
        if header[3 + 2 * c] != format!("{camp} sd") {
            return Err(invalid(1, format!("expected `{camp} sd`")));
        }
        camps.push(camp.to_owned());
    }
    let data_start = tail_start + tail.len();
    let expected_width = data_start + camp_count;
    if header.len() != expected_width || header[tail_start..data_start] != tail {
        return Err(invalid(
            1,
            format!("expected the four totals and `<camp> data` for {camp_count} camps"),
        ));
    }
    for (c, camp) in camps.iter().enumerate() {
        if header[data_start + c] != format!("{camp} data") {
            return Err(invalid(1, format!("expected `{camp} data`")));
        }
    }
    let mut days = Vec::new();
    for (line, text) in lines {
        if text.is_empty() {
            continue;
        }
        let fields: Vec<&str> = text.split(',').collect();
        if fields.len() != expected_width {
            return Err(invalid(
                line,
                format!("{} fields, expected {expected_width}", fields.len()),
            ));
        }
        let number = |i: usize| -> Result<f64, ParityError> {
            fields[i].parse().map_err(|_| {
                invalid(
                    line,
                    format!("`{}` is `{}`, expected a number", header[i], fields[i]),
                )
            })
        };
        let optional = |i: usize| -> Result<Option<f64>, ParityError> {
            if fields[i].is_empty() {
                Ok(None)
            } else {
                number(i).map(Some)
            }
        };
        let integer = |i: usize| -> Result<i64, ParityError> {
            fields[i].parse().map_err(|_| {
                invalid(
                    line,
                    format!("`{}` is `{}`, expected an integer", header[i], fields[i]),
                )
            })
        };
        let day = u32::try_from(integer(0)?)
            .map_err(|_| invalid(line, format!("day `{}`", fields[0])))?;
        days.push(RefDay {
            day,
            date: fields[1].to_owned(),
            camp_mean: (0..camp_count)
                .map(|c| number(2 + 2 * c))
                .collect::<Result<_, _>>()?,
            camp_sd: (0..camp_count)
                .map(|c| number(3 + 2 * c))
                .collect::<Result<_, _>>()?,
            camps_total_mean: number(tail_start)?,
            camps_total_sd: number(tail_start + 1)?,
            agents_total_mean: optional(tail_start + 2)?,
            agents_total_sd: optional(tail_start + 3)?,
            camp_data: (0..camp_count)
                .map(|c| integer(data_start + c))
                .collect::<Result<_, _>>()?,
        });
    }
    Ok((camps, days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_between_trajectories() {
        let a = [vec![10.0, 0.0], vec![5.0, 5.0]];
        let b = [vec![8.0, 2.0], vec![0.0, 0.0]];
        // Day 0: (2 + 2)/10; day 1: 10 / max(0, 1).
        let d = trajectory_distance(a.iter().map(Vec::as_slice), b.iter().map(Vec::as_slice));
        assert!((d - (0.4 + 10.0) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn reads_a_reference_folder() {
        let dir = std::env::temp_dir().join(format!("tumen-parity-ref-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let summary = "Day,Date,A mean,A sd,B b mean,B b sd,camps total mean,camps total sd,\
agents total mean,agents total sd,A data,B b data
0,2020-01-01,0,0,0,0,0,0,,,0,0
1,2020-01-02,4.25,1.5,2,0.5,6.25,1.7078,20,0,5,3
";
        let metrics = r#"{"replicas": 2, "days": 2, "camps": ["A", "B b"],
            "ard_normal": {"mean": 0.5, "sd": 0.1}, "ard_rescaled": {"mean": 0.4, "sd": 0.05},
            "split_half": {"halves": [1, 1], "ard_between_half_means": 0.01,
                "checkpoint_test_fail_fraction": {"cells": 4, "tol_rel_0.05": 0.0, "tol_rel_0": 0.25},
                "frac_cells_z_gt_3": 0.0, "frac_cells_z_gt_4": 0.0},
            "per_replica": [{"seed": 1, "ard_normal": 0.4, "ard_rescaled": 0.35, "wall_s": 1.0},
                            {"seed": 2, "ard_normal": 0.6, "ard_rescaled": 0.45, "wall_s": 1.0}],
            "other": "ignored"}"#;
        std::fs::write(dir.join("summary.csv"), summary).expect("write");
        std::fs::write(dir.join("metrics.json"), metrics).expect("write");
        let reference = Reference::load(&dir).expect("loads");
        assert_eq!(reference.camps, vec!["A", "B b"]);
        assert_eq!(reference.days.len(), 2);
        assert_eq!(reference.days[0].agents_total_mean, None);
        assert_eq!(reference.days[1].agents_total_mean, Some(20.0));
        assert_eq!(reference.days[1].camp_mean, vec![4.25, 2.0]);
        assert_eq!(reference.days[1].camp_data, vec![5, 3]);
        assert_eq!(reference.days[1].camps_total_sd, 1.7078);
        assert_eq!(
            reference.split_half.checkpoint_fail_fraction,
            vec![(0.0, 0.25), (0.05, 0.0)]
        );
        assert_eq!(reference.per_replica[1].rescaled, 0.45);
        assert!(reference.replica.is_none());

        std::fs::write(dir.join("summary.csv"), summary.replace("4.25", "x")).expect("write");
        let error = Reference::load(&dir).expect_err("bad number");
        assert!(error.to_string().contains("line 3"), "{error}");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
