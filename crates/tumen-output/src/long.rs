//! The long table: one row per location and day, with the location's attributes, for
//! spreadsheets and data-frame tools — as CSV (`long.csv`) and, behind the cargo feature
//! `parquet`, as Parquet (`long.parquet`).
//!
//! Columns: `day,date,location,region,country,latitude,longitude,kind,camp,people,observed`
//! (`camp` 0/1; `people` at the location at the end of the day, people on links excluded;
//! `observed` the camp's observed value from `out.csv`, empty where there is none).

use crate::daily::{Daily, RunNetwork, csv_field};
use crate::table::FleeTable;
use std::io::{BufWriter, Write};

/// The long table's columns, in order.
pub const LONG_COLUMNS: [&str; 11] = [
    "day",
    "date",
    "location",
    "region",
    "country",
    "latitude",
    "longitude",
    "kind",
    "camp",
    "people",
    "observed",
];

/// The observed value of every location on every day where `out.csv` has one:
/// `[day][location]`.
pub(crate) fn observed(
    network: &RunNetwork,
    daily: &Daily,
    table: &FleeTable,
) -> Vec<Vec<Option<i64>>> {
    let column_of: Vec<Option<usize>> = network
        .locations
        .iter()
        .map(|l| table.camps.iter().position(|c| *c == l.name))
        .collect();
    daily
        .days
        .iter()
        .map(|&day| {
            let row = table.rows.iter().find(|r| r.day == day);
            column_of
                .iter()
                .map(|column| {
                    let (row, column) = (row?, (*column)?);
                    row.data.get(column).copied()
                })
                .collect()
        })
        .collect()
}

/// Writes `long.csv`.
///
/// # Errors
/// Any write error.
pub fn write_long_csv(
    network: &RunNetwork,
    daily: &Daily,
    table: &FleeTable,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let mut out = BufWriter::new(w);
    writeln!(out, "{}", LONG_COLUMNS.join(","))?;
    write_long_rows(network, daily, table, &mut out)?;
    out.flush()
}

/// The data rows of the long table (shared with the HXL table).
pub(crate) fn write_long_rows(
    network: &RunNetwork,
    daily: &Daily,
    table: &FleeTable,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let observed = observed(network, daily, table);
    for (row, ((day, date), people)) in daily
        .days
        .iter()
        .zip(&daily.dates)
        .zip(&daily.locations)
        .enumerate()
    {
        for (index, location) in network.locations.iter().enumerate() {
            write!(
                out,
                "{day},{date},{},{},{},{},{},{},{},{},",
                csv_field(&location.name),
                csv_field(&location.region),
                csv_field(&location.country),
                location.latitude,
                location.longitude,
                location.kind,
                u8::from(location.camp),
                people.get(index).copied().unwrap_or(0),
            )?;
            if let Some(value) = observed[row][index] {
                write!(out, "{value}")?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Writes `long.parquet`: the long table's columns with types `day` INT32, `date`,
/// `location`, `region`, `country`, `kind` UTF-8 strings, `latitude`/`longitude` DOUBLE, `camp`
/// BOOLEAN, `people` INT64, `observed` optional INT64; one row group per 100,000 rows or so
/// (whole days), Snappy-free (uncompressed) for the widest compatibility.
///
/// # Errors
/// Any write or encoding error.
#[cfg(feature = "parquet")]
pub fn write_long_parquet(
    network: &RunNetwork,
    daily: &Daily,
    table: &FleeTable,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    parquet_impl::write(network, daily, table, w).map_err(std::io::Error::other)
}

#[cfg(feature = "parquet")]
mod parquet_impl {
    use super::{Daily, FleeTable, RunNetwork, observed};
    use parquet::data_type::{
        BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type,
    };
    use parquet::errors::ParquetError;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::io::Write;
    use std::sync::Arc;

    const SCHEMA: &str = "message long {
        REQUIRED INT32 day;
        REQUIRED BYTE_ARRAY date (UTF8);
        REQUIRED BYTE_ARRAY location (UTF8);
        REQUIRED BYTE_ARRAY region (UTF8);
        REQUIRED BYTE_ARRAY country (UTF8);
        REQUIRED DOUBLE latitude;
        REQUIRED DOUBLE longitude;
        REQUIRED BYTE_ARRAY kind (UTF8);
        REQUIRED BOOLEAN camp;
        REQUIRED INT64 people;
        OPTIONAL INT64 observed;
    }";

    const ROWS_PER_GROUP: usize = 100_000;

    pub(super) fn write(
        network: &RunNetwork,
        daily: &Daily,
        table: &FleeTable,
        w: &mut dyn Write,
    ) -> Result<(), ParquetError> {
        let schema = Arc::new(parse_message_type(SCHEMA)?);
        // Snappy: the compression most Parquet readers expect by default (pure Rust here).
        let properties = Arc::new(
            WriterProperties::builder()
                .set_compression(parquet::basic::Compression::SNAPPY)
                .build(),
        );
        let mut bytes = Vec::new();
        let mut writer = SerializedFileWriter::new(&mut bytes, schema, properties)?;
        let observed = observed(network, daily, table);
        let locations = network.locations.len().max(1);
        let days_per_group = (ROWS_PER_GROUP / locations).max(1);
        let rows: Vec<usize> = (0..daily.days.len()).collect();
        let text = |s: &str| ByteArray::from(s.as_bytes().to_vec());
        for group in rows.chunks(days_per_group) {
            let pairs = || {
                group
                    .iter()
                    .flat_map(|&row| (0..network.locations.len()).map(move |l| (row, l)))
            };
            let mut row_group = writer.next_row_group()?;
            let mut column = 0;
            while let Some(mut writer) = row_group.next_column()? {
                let location = |l: usize| &network.locations[l];
                match column {
                    0 => {
                        let values: Vec<i32> = pairs()
                            .map(|(r, _)| i32::try_from(daily.days[r]).unwrap_or(i32::MAX))
                            .collect();
                        writer
                            .typed::<Int32Type>()
                            .write_batch(&values, None, None)?;
                    }
                    1 | 2 | 3 | 4 | 7 => {
                        let values: Vec<ByteArray> = pairs()
                            .map(|(r, l)| match column {
                                1 => text(&daily.dates[r]),
                                2 => text(&location(l).name),
                                3 => text(&location(l).region),
                                4 => text(&location(l).country),
                                _ => text(&location(l).kind),
                            })
                            .collect();
                        writer
                            .typed::<ByteArrayType>()
                            .write_batch(&values, None, None)?;
                    }
                    5 | 6 => {
                        let values: Vec<f64> = pairs()
                            .map(|(_, l)| {
                                if column == 5 {
                                    location(l).latitude
                                } else {
                                    location(l).longitude
                                }
                            })
                            .collect();
                        writer
                            .typed::<DoubleType>()
                            .write_batch(&values, None, None)?;
                    }
                    8 => {
                        let values: Vec<bool> = pairs().map(|(_, l)| location(l).camp).collect();
                        writer
                            .typed::<BoolType>()
                            .write_batch(&values, None, None)?;
                    }
                    9 => {
                        let values: Vec<i64> = pairs()
                            .map(|(r, l)| {
                                let people = daily.locations[r].get(l).copied().unwrap_or(0);
                                i64::try_from(people).unwrap_or(i64::MAX)
                            })
                            .collect();
                        writer
                            .typed::<Int64Type>()
                            .write_batch(&values, None, None)?;
                    }
                    _ => {
                        let all: Vec<Option<i64>> = pairs().map(|(r, l)| observed[r][l]).collect();
                        let levels: Vec<i16> = all.iter().map(|v| i16::from(v.is_some())).collect();
                        let values: Vec<i64> = all.into_iter().flatten().collect();
                        writer
                            .typed::<Int64Type>()
                            .write_batch(&values, Some(&levels), None)?;
                    }
                }
                writer.close()?;
                column += 1;
            }
            row_group.close()?;
        }
        writer.close()?;
        w.write_all(&bytes)?;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::daily::tests::{daily, network};
    use crate::table::FleeRow;

    pub(crate) fn table() -> FleeTable {
        FleeTable {
            camps: vec!["B, camp".into()],
            rows: vec![
                FleeRow::new(0, "2020-01-01".into(), vec![0], vec![4], 3, 4, 0),
                FleeRow::new(1, "2020-01-02".into(), vec![2], vec![6], 3, 6, 0),
            ],
        }
    }

    #[test]
    fn one_row_per_location_and_day() {
        let mut out = Vec::new();
        write_long_csv(&network(), &daily(), &table(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], LONG_COLUMNS.join(","));
        assert_eq!(lines.len(), 1 + 2 * 2);
        assert_eq!(lines[1], "0,2020-01-01,A,R,X,1,2,town,0,3,");
        assert_eq!(lines[4], "1,2020-01-02,\"B, camp\",R,Y,1.5,2.5,camp,1,2,6");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for record in reader.records() {
            assert_eq!(record.unwrap().len(), LONG_COLUMNS.len());
        }
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_reads_back() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let mut out = Vec::new();
        write_long_parquet(&network(), &daily(), &table(), &mut out).unwrap();
        let reader = SerializedFileReader::new(bytes::Bytes::from(out)).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 4);
        let rows: Vec<String> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|row| row.unwrap().to_string())
            .collect();
        assert!(rows[3].contains("location: \"B, camp\""), "{}", rows[3]);
        assert!(rows[3].contains("observed: 6"), "{}", rows[3]);
        assert!(rows[0].contains("observed: null"), "{}", rows[0]);
        let group = reader.metadata().row_group(0);
        for column in group.columns() {
            assert_eq!(column.compression(), parquet::basic::Compression::SNAPPY);
        }
    }
}
