//! An ensemble of replicas condensed as the reference tool condenses Flee's: per day and camp the
//! mean and sample sd over replicas, the same for the camps total and the agent total, and each
//! replica's validation metric.

use crate::error::ParityError;
use crate::stats::MeanSd;
use tumen_output::{Ard, FleeRow, FleeTable, ard};

/// Replicas of one scenario, summarised per day.
#[derive(Clone, Debug)]
pub struct Ensemble {
    /// Camps in column order.
    pub camps: Vec<String>,
    /// Number of replicas.
    pub replicas: usize,
    /// One entry per simulated day.
    pub days: Vec<EnsembleDay>,
    /// Each replica's averaged relative difference against the camp data, in replica order.
    pub ard: Vec<Ard>,
    /// Columns that must be the same in every replica (dates, camp data, raw total, debt, agent
    /// total) but are not: one line per (column, day), the first ones only.
    pub varying: Vec<String>,
    tables: Vec<FleeTable>,
}

/// One day of an [`Ensemble`].
#[derive(Clone, Debug, Default)]
pub struct EnsembleDay {
    /// Day number.
    pub day: u32,
    /// `YYYY-MM-DD` (of the first replica).
    pub date: String,
    /// Per camp: mean agents at the camp.
    pub camp_mean: Vec<f64>,
    /// Per camp: sample sd over replicas.
    pub camp_sd: Vec<f64>,
    /// Mean of Σ_c camp count.
    pub camps_total_mean: f64,
    /// Sample sd of Σ_c camp count.
    pub camps_total_sd: f64,
    /// Mean of every agent (links included); `None` on days whose raw observed total is 0,
    /// where Flee 3.1 prints no totals.
    pub agents_total_mean: Option<f64>,
    /// Sample sd of the agent total (`None` as the mean).
    pub agents_total_sd: Option<f64>,
    /// Per camp: the camp data (of the first replica).
    pub camp_data: Vec<i64>,
    /// The raw observed total (of the first replica).
    pub raw_total: i64,
    /// The refugee debt (of the first replica).
    pub debt: i64,
}

/// Most lines kept in [`Ensemble::varying`].
const MAX_VARYING: usize = 20;

/// Summarises replicas: per day and camp the mean and sample sd (ddof 1), the camps total, the
/// agent total, and each replica's validation metric. The result depends only on the order of
/// `tables`, never on how they were produced.
///
/// # Errors
/// With fewer than two tables, or tables with different camps or numbers of days.
pub fn summarise(tables: &[FleeTable]) -> Result<Ensemble, ParityError> {
    let Some(first) = tables.first() else {
        return Err(ParityError::Replicas("no replicas to summarise".to_owned()));
    };
    if tables.len() < 2 {
        return Err(ParityError::Replicas(
            "at least two replicas are needed for a standard deviation".to_owned(),
        ));
    }
    for (i, table) in tables.iter().enumerate() {
        if table.camps != first.camps {
            return Err(ParityError::Replicas(format!(
                "replica {} has camps {:?}, replica 1 has {:?}",
                i + 1,
                table.camps,
                first.camps
            )));
        }
        if table.rows.len() != first.rows.len() {
            return Err(ParityError::Replicas(format!(
                "replica {} has {} days, replica 1 has {}",
                i + 1,
                table.rows.len(),
                first.rows.len()
            )));
        }
        if let Some(row) = table
            .rows
            .iter()
            .find(|row| row.sim.len() != first.camps.len() || row.data.len() != first.camps.len())
        {
            return Err(ParityError::Replicas(format!(
                "replica {} day {}: {} counts for {} camps",
                i + 1,
                row.day,
                row.sim.len(),
                first.camps.len()
            )));
        }
    }
    let camp_count = first.camps.len();
    let mut varying = Vec::new();
    let mut varying_count = 0_usize;
    let mut days = Vec::with_capacity(first.rows.len());
    for (t, reference_row) in first.rows.iter().enumerate() {
        let rows: Vec<&FleeRow> = tables.iter().map(|table| &table.rows[t]).collect();
        note_varying(&rows, &mut varying, &mut varying_count);
        let camp_stats: Vec<MeanSd> = (0..camp_count)
            .map(|c| MeanSd::of(rows.iter().map(|row| row.sim[c] as f64)))
            .collect();
        let totals = MeanSd::of(
            rows.iter()
                .map(|row| row.sim.iter().map(|&s| s as f64).sum::<f64>()),
        );
        let printed: Vec<f64> = rows
            .iter()
            .filter(|row| row.raw_total != 0)
            .map(|row| row.agents_total as f64)
            .collect();
        let agents = (!printed.is_empty()).then(|| MeanSd::of(printed.iter().copied()));
        days.push(EnsembleDay {
            day: reference_row.day,
            date: reference_row.date.clone(),
            camp_mean: camp_stats.iter().map(|m| m.mean).collect(),
            camp_sd: camp_stats.iter().map(|m| m.sd).collect(),
            camps_total_mean: totals.mean,
            camps_total_sd: totals.sd,
            agents_total_mean: agents.map(|m| m.mean),
            agents_total_sd: agents.map(|m| m.sd),
            camp_data: reference_row.data.clone(),
            raw_total: reference_row.raw_total,
            debt: reference_row.debt,
        });
    }
    if varying_count > varying.len() {
        varying.push(format!("… and {} more", varying_count - varying.len()));
    }
    Ok(Ensemble {
        camps: first.camps.clone(),
        replicas: tables.len(),
        days,
        ard: tables.iter().map(ard).collect(),
        varying,
        tables: tables.to_vec(),
    })
}

/// Records the deterministic columns of one day that differ between replicas.
fn note_varying(rows: &[&FleeRow], varying: &mut Vec<String>, count: &mut usize) {
    let Some(first) = rows.first() else {
        return;
    };
    let mut note = |what: &str| {
        *count += 1;
        if varying.len() < MAX_VARYING {
            varying.push(format!(
                "day {}: {what} differs between replicas",
                first.day
            ));
        }
    };
    if rows.iter().any(|row| row.date != first.date) {
        note("the date");
    }
    if rows.iter().any(|row| row.data != first.data) {
        note("the camp data");
    }
    if rows.iter().any(|row| row.raw_total != first.raw_total) {
        note("the raw UNHCR refugee count");
    }
    if rows.iter().any(|row| row.debt != first.debt) {
        note("the refugee debt");
    }
    if rows
        .iter()
        .any(|row| row.agents_total != first.agents_total)
    {
        note("the agent total");
    }
}

impl Ensemble {
    /// Mean and sd over replicas of the normal validation metric.
    #[must_use]
    pub fn ard_normal(&self) -> MeanSd {
        MeanSd::of(self.ard.iter().map(|a| a.normal))
    }

    /// Mean and sd over replicas of the rescaled validation metric.
    #[must_use]
    pub fn ard_rescaled(&self) -> MeanSd {
        MeanSd::of(self.ard.iter().map(|a| a.rescaled))
    }

    /// The replicas' tables, in order.
    #[must_use]
    pub fn tables(&self) -> &[FleeTable] {
        &self.tables
    }

    /// The same replicas with only `camps` (in that order): camp totals and validation metrics
    /// recomputed over them. Used when Tumen reports camps that Flee 3.1 does not.
    ///
    /// # Errors
    /// When a camp of `camps` is not in the ensemble.
    pub fn restricted_to(&self, camps: &[String]) -> Result<Ensemble, ParityError> {
        let indices: Vec<usize> = camps
            .iter()
            .map(|camp| {
                self.camps.iter().position(|c| c == camp).ok_or_else(|| {
                    ParityError::Replicas(format!("the ensemble has no camp `{camp}`"))
                })
            })
            .collect::<Result<_, _>>()?;
        let pick = |values: &[u64]| indices.iter().map(|&i| values[i]).collect::<Vec<_>>();
        let pick_data = |values: &[i64]| indices.iter().map(|&i| values[i]).collect::<Vec<_>>();
        let tables: Vec<FleeTable> = self
            .tables
            .iter()
            .map(|table| FleeTable {
                camps: camps.to_vec(),
                rows: table
                    .rows
                    .iter()
                    .map(|row| {
                        FleeRow::new(
                            row.day,
                            row.date.clone(),
                            pick(&row.sim),
                            pick_data(&row.data),
                            row.agents_total,
                            row.raw_total,
                            row.debt,
                        )
                    })
                    .collect(),
            })
            .collect();
        summarise(&tables)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(sims: &[[u64; 2]], agents: u64) -> FleeTable {
        FleeTable {
            camps: vec!["A".to_owned(), "B".to_owned()],
            rows: sims
                .iter()
                .enumerate()
                .map(|(t, sim)| {
                    FleeRow::new(
                        t as u32,
                        format!("day{t}"),
                        sim.to_vec(),
                        vec![10, 20],
                        agents,
                        if t == 0 { 0 } else { 50 },
                        0,
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn per_day_mean_and_sd() {
        let tables = [
            table(&[[1, 2], [10, 20]], 40),
            table(&[[3, 2], [12, 26]], 40),
            table(&[[5, 2], [14, 23]], 40),
        ];
        let e = summarise(&tables).expect("summarises");
        assert_eq!(e.replicas, 3);
        assert_eq!(e.days[1].camp_mean, vec![12.0, 23.0]);
        assert_eq!(e.days[1].camp_sd, vec![2.0, 3.0]);
        assert_eq!(e.days[0].camp_sd, vec![2.0, 0.0]);
        assert_eq!(e.days[1].camps_total_mean, 35.0);
        // Totals 30, 38, 37.
        let expected = MeanSd::of([30.0, 38.0, 37.0]);
        assert!((e.days[1].camps_total_sd - expected.sd).abs() < 1e-12);
        assert_eq!(e.days[0].agents_total_mean, None, "raw total 0: no totals");
        assert_eq!(e.days[1].agents_total_mean, Some(40.0));
        assert_eq!(e.days[1].agents_total_sd, Some(0.0));
        assert!(e.varying.is_empty());
        assert_eq!(e.ard.len(), 3);
    }

    #[test]
    fn differing_deterministic_columns_are_noted() {
        let tables = [table(&[[1, 2]], 40), table(&[[1, 2]], 41)];
        let e = summarise(&tables).expect("summarises");
        // Day 0 has a raw total of 0, but the agent total is still compared.
        assert_eq!(e.varying.len(), 1, "{:?}", e.varying);
    }

    #[test]
    fn shapes_must_agree() {
        assert!(summarise(&[]).is_err());
        assert!(summarise(&[table(&[[1, 2]], 4)]).is_err());
        assert!(summarise(&[table(&[[1, 2]], 4), table(&[[1, 2], [3, 4]], 4)]).is_err());
    }

    #[test]
    fn restriction_recomputes_totals() {
        let tables = [
            table(&[[1, 2], [10, 20]], 40),
            table(&[[3, 2], [12, 26]], 40),
        ];
        let e = summarise(&tables).expect("summarises");
        let b = e.restricted_to(&["B".to_owned()]).expect("has B");
        assert_eq!(b.camps, vec!["B"]);
        assert_eq!(b.days[1].camps_total_mean, 23.0);
        assert_eq!(b.days[1].camp_data, vec![20]);
        assert!(e.restricted_to(&["Z".to_owned()]).is_err());
    }
}
