//! Observed series (`source_data/`): the spawn driver and the validation data.

use crate::ids::LocationId;
use serde::{Deserialize, Serialize};

/// A dated series: points `(day offset from the start date, value)` in file order, already
/// divided by `hasten`. Values between points are interpolated linearly and truncated toward
/// zero, as Flee's `DataTable.get_interpolated_data` does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// `(day, value)` pairs in file order.
    pub points: Vec<(i64, f64)>,
}

impl Series {
    /// The series' value on `day`: the first value before the first point, the last after the
    /// last point, linear interpolation in between, truncated to an integer.
    #[must_use]
    pub fn value_at(&self, day: i64) -> i64 {
        let Some(&(first_day, first_value)) = self.points.first() else {
            return 0;
        };
        if day <= first_day {
            return truncate(first_value);
        }
        for window in self.points.windows(2) {
            let (day0, value0) = window[0];
            let (day1, value1) = window[1];
            if day < day1 {
                #[expect(clippy::cast_precision_loss, reason = "day offsets are small")]
                let fraction = (day - day0) as f64 / (day1 - day0) as f64;
                return truncate(value0 + fraction * (value1 - value0));
            }
        }
        self.points.last().map_or(0, |&(_, value)| truncate(value))
    }

    /// The series' value on `day` as a real number: the first value before the first point,
    /// the last after the last point, linear interpolation in between (no truncation; used for
    /// rates and intensities). An empty series is 0.
    #[must_use]
    pub fn interpolate(&self, day: f64) -> f64 {
        let Some(&(first_day, first_value)) = self.points.first() else {
            return 0.0;
        };
        #[expect(clippy::cast_precision_loss, reason = "day offsets are small")]
        if day <= first_day as f64 {
            return first_value;
        }
        for window in self.points.windows(2) {
            let (day0, value0) = window[0];
            let (day1, value1) = window[1];
            #[expect(clippy::cast_precision_loss, reason = "day offsets are small")]
            let (d0, d1) = (day0 as f64, day1 as f64);
            if day < d1 {
                return value0 + (day - d0) / (d1 - d0) * (value1 - value0);
            }
        }
        self.points.last().map_or(0.0, |&(_, value)| value)
    }

    /// A series with one constant value.
    #[must_use]
    pub fn constant(value: f64) -> Self {
        Self {
            points: vec![(0, value)],
        }
    }

    /// Multiplies every point before index `index` by `factor` (registration corrections).
    pub fn scale_before(&mut self, index: usize, factor: f64) {
        for point in &mut self.points[..index] {
            point.1 *= factor;
        }
    }

    /// Adds `other` to this series the way Flee's `AddCSVTables` does (no interpolation
    /// between the two files: each point takes the other file's latest earlier value).
    #[must_use]
    pub fn add_flee(&self, other: &Series) -> Series {
        let table1 = &self.points;
        let mut out = Vec::new();
        if table1.is_empty() {
            return other.clone();
        }
        let mut offset = 0_usize;
        let mut last_c2 = (0_i64, 0.0_f64);
        for &c2 in &other.points {
            while c2.0 > table1[offset].0 {
                out.push((table1[offset].0, last_c2.1 + table1[offset].1));
                if offset < table1.len() - 1 {
                    offset += 1;
                } else {
                    break;
                }
            }
            if c2.0 == table1[offset].0 {
                out.push((c2.0, c2.1 + table1[offset].1));
                if offset < table1.len() - 1 {
                    offset += 1;
                }
                last_c2 = c2;
                continue;
            }
            if c2.0 < table1[offset].0 {
                out.push((c2.0, c2.1 + table1[offset].1));
                last_c2 = c2;
            }
        }
        Series { points: out }
    }
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "Python's int() truncation is the specified behaviour"
)]
fn truncate(value: f64) -> i64 {
    if value.is_finite() {
        value.trunc() as i64
    } else {
        0
    }
}

/// The observed data of a scenario (`source_data/data_layout.csv`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Observations {
    /// The `total` row: cumulative refugees, which drives data-driven spawning.
    pub total: Series,
    /// One series per camp row of `data_layout.csv`.
    pub camps: Vec<(LocationId, Series)>,
}

impl Observations {
    /// The series of `location`, if `data_layout.csv` has one.
    #[must_use]
    pub fn camp(&self, location: LocationId) -> Option<&Series> {
        self.camps
            .iter()
            .find(|(id, _)| *id == location)
            .map(|(_, series)| series)
    }

    /// Sum over every camp series of its value on `day` (for `sum_from_camps`).
    #[must_use]
    pub fn camps_sum_at(&self, day: i64) -> i64 {
        self.camps
            .iter()
            .map(|(_, series)| series.value_at(day))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_truncates_and_clamps() {
        let series = Series {
            points: vec![(0, 150.0), (10, 1650.0), (40, 4150.0)],
        };
        assert_eq!(series.value_at(-5), 150);
        assert_eq!(series.value_at(0), 150);
        assert_eq!(series.value_at(1), 300);
        assert_eq!(series.value_at(11), 1733);
        assert_eq!(series.value_at(40), 4150);
        assert_eq!(series.value_at(400), 4150);
    }

    #[test]
    fn adding_tables_takes_the_latest_earlier_value() {
        let a = Series {
            points: vec![(0, 10.0), (10, 20.0), (20, 30.0)],
        };
        let b = Series {
            points: vec![(5, 1.0), (20, 2.0)],
        };
        let sum = a.add_flee(&b);
        // Flee adds the *next* value of the first table to a point that falls between two of its
        // points (5 → 1 + 20); this is what its AddCSVTables does, and parity depends on it.
        assert_eq!(
            sum.points,
            vec![(0, 10.0), (5, 21.0), (10, 21.0), (20, 32.0)]
        );
    }
}
