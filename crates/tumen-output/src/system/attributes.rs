//! Outputs by person attribute: the sex columns of `yearly.csv` and `origins.csv`.
//!
//! The engine counts the attribute breakdowns in extra slots after the mechanisms' own: the
//! events `crossings_female`, `crossings_male`, `detentions_female`, … and
//! `asylum_exits_from@<origin>`, `detentions_from@<origin>` (see `tumen_engine::SEX_EVENTS`
//! and `ORIGIN_EVENTS`), and the categories `hiding_female`, `hiding_male` right after
//! [`CATEGORIES`]. Per replica, the female and male values sum to the total exactly; the
//! files hold medians over replicas, which need not.

use super::*;
use std::io::Write;
use tumen_engine::{CATEGORIES, ORIGIN_EVENTS, SEX_CATEGORIES};

/// The quantities of `yearly.csv` split by sex, in column order, with the engine event each
/// sums (`None`: the people hiding at the year's end).
const SEX_QUANTITIES: [(&str, Option<&str>); 4] = [
    ("crossings", Some("crossings")),
    ("deportations", Some("detentions")),
    ("asylum_exits", Some("asylum_exits")),
    ("hidden_at_year_end", None),
];

/// The columns of `origins.csv`.
pub const ORIGINS_COLUMNS: &str = "year,origin,asylum_exits,deportations";

/// What one value of a period is: a sum of an event slot over the period's days, or a
/// category slot on its last day.
#[derive(Copy, Clone, Debug)]
enum Source {
    Sum(usize),
    End(usize),
}

impl SystemLayout {
    /// Whether the runs carry sex (the engine counted events by sex).
    #[must_use]
    pub fn has_sex(&self) -> bool {
        self.event_slot("crossings_female").is_some()
    }

    /// The origins the runs carry, in slot order (empty without origins).
    #[must_use]
    pub fn origins(&self) -> Vec<&str> {
        let prefix = format!("{}@", ORIGIN_EVENTS[0]);
        self.event_names
            .iter()
            .filter_map(|name| name.strip_prefix(&prefix))
            .collect()
    }

    /// The extra `yearly.csv` columns (empty without sex).
    #[must_use]
    pub fn sex_columns(&self) -> Vec<String> {
        if !self.has_sex() {
            return Vec::new();
        }
        SEX_QUANTITIES
            .iter()
            .flat_map(|(q, _)| [format!("{q}_female"), format!("{q}_male")])
            .collect()
    }

    fn sex_sources(&self) -> Vec<Source> {
        if !self.has_sex() {
            return Vec::new();
        }
        let mut sources = Vec::new();
        for (_, event) in SEX_QUANTITIES {
            for (index, sex) in ["female", "male"].into_iter().enumerate() {
                sources.push(match event {
                    Some(event) => Source::Sum(
                        self.event_slot(&format!("{event}_{sex}"))
                            .unwrap_or(usize::MAX),
                    ),
                    None => {
                        debug_assert_eq!(SEX_CATEGORIES[index], format!("hiding_{sex}"));
                        Source::End(CATEGORIES.len() + index)
                    }
                });
            }
        }
        sources
    }

    fn origin_sources(&self, origin: &str) -> [Source; 2] {
        let slot = |event: &str| {
            self.event_slot(&format!("{event}@{origin}"))
                .unwrap_or(usize::MAX)
        };
        [
            Source::Sum(slot(ORIGIN_EVENTS[0])),
            Source::Sum(slot(ORIGIN_EVENTS[1])),
        ]
    }
}

/// One replica's values of `sources` per period: `(first day, values)`.
fn period_values(
    layout: &SystemLayout,
    record: &SystemRecord,
    periods: Periods,
    sources: &[Source],
) -> Vec<(u32, Vec<u64>)> {
    let days = u32::try_from(record.status.len().max(record.events.len())).unwrap_or(u32::MAX);
    period_bounds(layout, days, periods)
        .into_iter()
        .map(|(first, last)| {
            let values = sources
                .iter()
                .map(|source| match *source {
                    Source::Sum(slot) => (first..=last)
                        .map(|day| record.event(day as usize, slot))
                        .sum(),
                    Source::End(slot) => record.category(last as usize, slot),
                })
                .collect();
            (first, values)
        })
        .collect()
}

impl SystemEnsemble {
    /// The medians over replicas of `sources` per year: `(year, medians)`.
    fn yearly_medians(&self, sources: &[Source]) -> Vec<(i16, Vec<f64>)> {
        let per_replica: Vec<Vec<(u32, Vec<u64>)>> = self
            .replicas
            .iter()
            .map(|r| period_values(&self.layout, r, Periods::Years, sources))
            .collect();
        let Some(first) = per_replica.first() else {
            return Vec::new();
        };
        first
            .iter()
            .enumerate()
            .map(|(index, (first_day, _))| {
                let medians = (0..sources.len())
                    .map(|value| {
                        #[expect(clippy::cast_precision_loss, reason = "counts far below 2^53")]
                        Band::of(
                            per_replica
                                .iter()
                                .filter_map(|r| r.get(index))
                                .map(|(_, v)| v[value] as f64),
                        )
                        .median
                    })
                    .collect();
                (self.layout.date(*first_day).year(), medians)
            })
            .collect()
    }

    /// The sex columns of `yearly.csv` per year (medians over replicas), one row per year
    /// in the order of [`SystemEnsemble::periods`]; empty rows without sex.
    pub(super) fn sex_rows(&self) -> Vec<String> {
        let sources = self.layout.sex_sources();
        if sources.is_empty() {
            return Vec::new();
        }
        self.yearly_medians(&sources)
            .into_iter()
            .map(|(_, medians)| {
                medians
                    .iter()
                    .map(|&m| format_count(m))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    }

    /// Whether `origins.csv` is written: the runs carry origins.
    #[must_use]
    pub fn has_origins(&self) -> bool {
        !self.layout.origins().is_empty()
    }

    /// Writes `origins.csv` ([`ORIGINS_COLUMNS`]): per year and origin, the medians over
    /// replicas of the asylum exits and deportations of the people of that origin.
    ///
    /// # Errors
    /// Any write error.
    pub fn write_origins_csv(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(w, "{ORIGINS_COLUMNS}")?;
        let origins = self.layout.origins();
        let sources: Vec<Source> = origins
            .iter()
            .flat_map(|o| self.layout.origin_sources(o))
            .collect();
        for (year, medians) in self.yearly_medians(&sources) {
            for (index, origin) in origins.iter().enumerate() {
                writeln!(
                    w,
                    "{year},{},{},{}",
                    csv_field(origin),
                    format_count(medians[2 * index]),
                    format_count(medians[2 * index + 1])
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use tumen_engine::EVENTS;

    /// Three days across a new year, one replica: events by sex and origin, hiding by sex.
    fn ensemble(replicas: usize) -> SystemEnsemble {
        let mut event_names: Vec<String> = EVENTS.iter().map(|&e| e.to_owned()).collect();
        for event in ["crossings", "detentions", "asylum_exits"] {
            event_names.push(format!("{event}_female"));
            event_names.push(format!("{event}_male"));
        }
        for origin in ["North", "South, far"] {
            event_names.push(format!("asylum_exits_from@{origin}"));
            event_names.push(format!("detentions_from@{origin}"));
        }
        let layout = SystemLayout {
            start_date: jiff::civil::date(2001, 12, 31),
            days: 3,
            event_names,
        };
        let slot = |name: &str| layout.event_slot(name).unwrap();
        let mut record = SystemRecord::default();
        for day in 0..3_u64 {
            let mut events = vec![0; layout.event_names.len()];
            events[slot("crossings")] = 10 + day;
            events[slot("crossings_female")] = 4 + day;
            events[slot("crossings_male")] = 6;
            events[slot("detentions")] = 5;
            events[slot("detentions_female")] = 2;
            events[slot("detentions_male")] = 3;
            events[slot("asylum_exits")] = 3;
            events[slot("asylum_exits_female")] = 1;
            events[slot("asylum_exits_male")] = 2;
            events[slot("asylum_exits_from@North")] = 2;
            events[slot("asylum_exits_from@South, far")] = 1;
            events[slot("detentions_from@North")] = day;
            events[slot("detentions_from@South, far")] = 5 - day;
            record.events.push(events);
            let mut status = vec![0; CATEGORIES.len() + 2];
            status[1] = 100 + day;
            status[CATEGORIES.len()] = 60;
            status[CATEGORIES.len() + 1] = 40 + day;
            record.status.push(status);
        }
        SystemEnsemble {
            layout,
            replicas: vec![record; replicas],
        }
    }

    fn written(write: impl Fn(&SystemEnsemble, &mut Vec<u8>)) -> String {
        let mut bytes = Vec::new();
        write(&ensemble(3), &mut bytes);
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn yearly_gains_the_columns_by_sex() {
        let text = written(|e, w| e.write_yearly_csv(w).unwrap());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "year,crossings,returns,deportations,asylum_exits,hidden_at_year_end,\
             crossings_female,crossings_male,deportations_female,deportations_male,\
             asylum_exits_female,asylum_exits_male,hidden_at_year_end_female,hidden_at_year_end_male"
        );
        // 2001: day 0 only; 2002: days 1 and 2 (hidden on day 2: 100 + 2, by sex 60 + 42).
        assert_eq!(lines[1], "2001,10,0,5,3,100,4,6,2,3,1,2,60,40");
        assert_eq!(lines[2], "2002,23,0,10,6,102,11,12,4,6,2,4,60,42");
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn origins_are_written_per_year_and_origin() {
        let text = written(|e, w| e.write_origins_csv(w).unwrap());
        assert_eq!(
            text,
            "year,origin,asylum_exits,deportations\n\
             2001,North,2,0\n\
             2001,\"South, far\",1,5\n\
             2002,North,4,3\n\
             2002,\"South, far\",2,7\n"
        );
        assert!(ensemble(1).has_origins());
    }

    #[test]
    fn without_attributes_nothing_changes() {
        let mut ensemble = ensemble(1);
        ensemble.layout.event_names.truncate(EVENTS.len());
        assert!(!ensemble.has_origins());
        assert!(ensemble.layout.sex_columns().is_empty());
        let mut bytes = Vec::new();
        ensemble.write_yearly_csv(&mut bytes).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.lines().next().unwrap(), YEARLY_COLUMNS);
    }
}
