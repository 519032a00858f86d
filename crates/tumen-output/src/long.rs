//! The long table: one row per location and day, with the location's attributes, for
//! spreadsheets and data-frame tools — as CSV (`long.csv`) and, behind the cargo feature
//! `parquet`, as Parquet (`long.parquet`).
//!
//! Columns: `day,date,location,region,country,latitude,longitude,kind,camp,people,observed`
//! (`camp` 0/1; `people` at the location at the end of the day, people on links excluded;
//! `observed` the camp's observed value from `out.csv`, empty where there is none). One type
//! per column: `latitude` and `longitude` are always written with a decimal point (`129.0`).

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
                "{day},{date},{},{},{},{:?},{:?},{},{},{},",
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

/// Writes `long.parquet`: the long table's columns with types `day` INT32, `date` DATE (INT32
/// days since 1970-01-01, Parquet's logical type), `location`, `region`, `country`, `kind`
/// UTF-8 strings, `latitude`/`longitude` DOUBLE, `camp` BOOLEAN, `people` INT64, `observed`
/// optional INT64; one row group per 100,000 rows or so (whole days), Snappy-compressed. The
/// file's key-value metadata holds `tool` and `version` (see
/// [`write_long_parquet_with_metadata`] for the run's essentials).
///
/// # Errors
/// Any write or encoding error, or a date that is not `YYYY-MM-DD`.
#[cfg(feature = "parquet")]
pub fn write_long_parquet(
    network: &RunNetwork,
    daily: &Daily,
    table: &FleeTable,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    write_long_parquet_with_metadata(network, daily, table, &[], w)
}

/// As [`write_long_parquet`], with more key-value pairs in the file's metadata (after `tool`
/// and `version`; a key given twice keeps its last value), for instance [`run_metadata`]'s.
///
/// # Errors
/// As [`write_long_parquet`].
#[cfg(feature = "parquet")]
pub fn write_long_parquet_with_metadata(
    network: &RunNetwork,
    daily: &Daily,
    table: &FleeTable,
    metadata: &[(String, String)],
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let mut pairs = vec![
        ("tool".to_owned(), "tumen".to_owned()),
        ("version".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
    ];
    for (key, value) in metadata {
        pairs.retain(|(k, _)| k != key);
        pairs.push((key.clone(), value.clone()));
    }
    parquet_impl::write(network, daily, table, &pairs, w).map_err(std::io::Error::other)
}

/// The essentials of a run's `run.json` as key-value pairs for a data file's metadata: `tool`,
/// `version`, `scenario` (its name), `scenario_path`, `seed`, `engine`, `replicas`, `days`,
/// `start_date`, `content_fnv1a64` (the scenario's checksum), `rerun` (the command line that
/// reproduces the run, space-separated). Keys missing from the text are left out; text that is
/// not JSON gives no pairs.
#[must_use]
pub fn run_metadata(run_json: &str) -> Vec<(String, String)> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(run_json) else {
        return Vec::new();
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => Some(other.to_string()),
    };
    [
        ("tool", "/tool"),
        ("version", "/version"),
        ("scenario", "/scenario/name"),
        ("scenario_path", "/scenario/path"),
        ("content_fnv1a64", "/scenario/content_fnv1a64"),
        ("seed", "/seed"),
        ("engine", "/engine"),
        ("replicas", "/replicas"),
        ("days", "/days"),
        ("start_date", "/start_date"),
        ("rerun", "/rerun"),
    ]
    .iter()
    .filter_map(|(key, pointer)| Some(((*key).to_owned(), text(value.pointer(pointer)?)?)))
    .collect()
}

#[cfg(feature = "parquet")]
mod parquet_impl {
    use super::{Daily, FleeTable, RunNetwork, observed};
    use parquet::data_type::{
        BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type,
    };
    use parquet::errors::ParquetError;
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::io::Write;
    use std::sync::Arc;

    const SCHEMA: &str = "message long {
        REQUIRED INT32 day;
        REQUIRED INT32 date (DATE);
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
        metadata: &[(String, String)],
        w: &mut dyn Write,
    ) -> Result<(), ParquetError> {
        let schema = Arc::new(parse_message_type(SCHEMA)?);
        let epoch = jiff::civil::date(1970, 1, 1);
        let dates: Vec<i32> = daily
            .dates
            .iter()
            .map(|text| {
                let date: jiff::civil::Date = text.parse().map_err(|_| {
                    ParquetError::General(format!("`{text}` is not a YYYY-MM-DD date"))
                })?;
                let days = epoch
                    .until(date)
                    .map_err(|e| ParquetError::General(e.to_string()))?
                    .get_days();
                Ok(days)
            })
            .collect::<Result<_, ParquetError>>()?;
        let key_values: Vec<KeyValue> = metadata
            .iter()
            .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
            .collect();
        // Snappy: the compression most Parquet readers expect by default (pure Rust here).
        let properties = Arc::new(
            WriterProperties::builder()
                .set_compression(parquet::basic::Compression::SNAPPY)
                .set_key_value_metadata(Some(key_values))
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
                    0 | 1 => {
                        let values: Vec<i32> = pairs()
                            .map(|(r, _)| {
                                if column == 0 {
                                    i32::try_from(daily.days[r]).unwrap_or(i32::MAX)
                                } else {
                                    dates[r]
                                }
                            })
                            .collect();
                        writer
                            .typed::<Int32Type>()
                            .write_batch(&values, None, None)?;
                    }
                    2 | 3 | 4 | 7 => {
                        let values: Vec<ByteArray> = pairs()
                            .map(|(_, l)| match column {
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
        assert_eq!(lines[1], "0,2020-01-01,A,R,X,1.0,2.0,town,0,3,");
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
        // `date` is a Parquet DATE: INT32 days since 1970-01-01 (2020-01-01 is day 18262).
        let schema = reader.metadata().file_metadata().schema_descr();
        let date = schema.column(1);
        assert_eq!(date.name(), "date");
        assert_eq!(date.physical_type(), parquet::basic::Type::INT32);
        assert_eq!(
            date.logical_type_ref(),
            Some(&parquet::basic::LogicalType::Date)
        );
        assert!(rows[0].contains("date: 2020-01-01"), "{}", rows[0]);
        let kv = reader
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .unwrap();
        let get = |k: &str| kv.iter().find(|p| p.key == k).and_then(|p| p.value.clone());
        assert_eq!(get("tool").as_deref(), Some("tumen"));
        assert_eq!(get("version").as_deref(), Some(env!("CARGO_PKG_VERSION")));
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_metadata_carries_the_run_essentials() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let run = r#"{"tool":"tumen","version":"0.1.0","engine":"counts","seed":7,
            "replicas":1,"days":300,"start_date":"2012-02-29","rerun":["tumen","run","x"],
            "scenario":{"name":"mali2012","path":"../m","content_fnv1a64":"1c96"}}"#;
        let metadata = run_metadata(run);
        let mut out = Vec::new();
        write_long_parquet_with_metadata(&network(), &daily(), &table(), &metadata, &mut out)
            .unwrap();
        let reader = SerializedFileReader::new(bytes::Bytes::from(out)).unwrap();
        let kv = reader
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .unwrap();
        let get = |k: &str| kv.iter().find(|p| p.key == k).and_then(|p| p.value.clone());
        assert_eq!(get("scenario").as_deref(), Some("mali2012"));
        assert_eq!(get("seed").as_deref(), Some("7"));
        assert_eq!(get("engine").as_deref(), Some("counts"));
        assert_eq!(get("days").as_deref(), Some("300"));
        assert_eq!(get("start_date").as_deref(), Some("2012-02-29"));
        assert_eq!(get("rerun").as_deref(), Some("tumen run x"));
        assert_eq!(kv.iter().filter(|p| p.key == "tool").count(), 1);
    }
}
