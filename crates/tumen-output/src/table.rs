//! The in-memory form of Flee's `out.csv`: one row per day, and its reading and writing exactly
//! as Flee 3.1 prints it (numbers as Python's `str()` writes them).

use serde::{Deserialize, Serialize};
use std::io::{BufWriter, Read, Write};

/// Flee's `out.csv` as data: camp names (column order) and one row per simulated day.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FleeTable {
    /// Camps in column order (locations that are camps, in `locations.csv` order).
    pub camps: Vec<String>,
    /// One row per day, day 0 first.
    pub rows: Vec<FleeRow>,
}

/// One row of `out.csv`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FleeRow {
    /// Day number (0-based).
    pub day: u32,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `<camp> sim`: agents at the camp at the end of the day (agents on links excluded).
    pub sim: Vec<u64>,
    /// `<camp> data`: the observed value (interpolated, hasten-scaled, truncated).
    pub data: Vec<i64>,
    /// `<camp> error`: `round(|sim/data − 1|, 4)`, 0 when data is 0.
    pub error: Vec<f64>,
    /// `Total error`: `Σ round(|sim − data|, 4) / raw UNHCR refugee count`.
    pub total_error: f64,
    /// `refugees in camps (UNHCR)`: Σ data.
    pub camps_data_total: i64,
    /// `total refugees (simulation)`: every agent, those on links included.
    pub agents_total: u64,
    /// `raw UNHCR refugee count`: the cumulative observed total.
    pub raw_total: i64,
    /// `refugees in camps (simulation)`: Σ sim.
    pub camps_sim_total: u64,
    /// `refugee_debt`.
    pub debt: i64,
}

/// The six columns after the camps, in order.
const TAIL: [&str; 6] = [
    "Total error",
    "refugees in camps (UNHCR)",
    "total refugees (simulation)",
    "raw UNHCR refugee count",
    "refugees in camps (simulation)",
    "refugee_debt",
];

/// Suffixes of the three columns of each camp, in order.
const CAMP_SUFFIXES: [&str; 3] = [" sim", " data", " error"];

/// An `out.csv` that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The reader failed (or the bytes are not UTF-8).
    #[error("cannot read out.csv: {0}")]
    Io(#[from] std::io::Error),
    /// A line or a field that is not what Flee writes.
    #[error("out.csv line {line}, column {column}: {message}")]
    Invalid {
        /// 1-based line number.
        line: usize,
        /// 1-based column (field) number.
        column: usize,
        /// What is wrong, naming the column.
        message: String,
    },
}

impl FleeRow {
    /// A row from the day's counts, with the columns Flee derives from them: per camp
    /// `error = round(|sim/data − 1|, 4)` (0 when data < 1e-5), `total_error = Σ |sim − data| /
    /// raw_total` (0 when `raw_total` is 0), and the camp sums.
    ///
    /// `sim` and `data` must have one entry per camp (the shorter one decides).
    #[must_use]
    pub fn new(
        day: u32,
        date: String,
        sim: Vec<u64>,
        data: Vec<i64>,
        agents_total: u64,
        raw_total: i64,
        debt: i64,
    ) -> Self {
        let error = sim
            .iter()
            .zip(&data)
            .map(|(&s, &d)| camp_error(s, d))
            .collect();
        // Σ round(|sim − data|, 4): Python rounds an int to an int, so the sum is exact.
        let abs_diff: i128 = sim
            .iter()
            .zip(&data)
            .map(|(&s, &d)| (i128::from(s) - i128::from(d)).abs())
            .sum();
        let total_error = if raw_total == 0 {
            0.0
        } else {
            abs_diff as f64 / raw_total as f64
        };
        let camps_data_total = data.iter().sum();
        let camps_sim_total = sim.iter().sum();
        Self {
            day,
            date,
            sim,
            data,
            error,
            total_error,
            camps_data_total,
            agents_total,
            raw_total,
            camps_sim_total,
            debt,
        }
    }
}

/// Flee's `<camp> error`: `round(abs(sim/data − 1), 4)`, 0 when `data < 1e-5`.
fn camp_error(sim: u64, data: i64) -> f64 {
    let data = data as f64;
    if data < 1e-5 {
        0.0
    } else {
        python_round((sim as f64 / data - 1.0).abs(), 4)
    }
}

/// Python 3's `round(x, digits)` for a float: the exact binary value rounded to `digits` decimals,
/// ties to even, converted back to the nearest float.
pub(crate) fn python_round(x: f64, digits: usize) -> f64 {
    if !x.is_finite() {
        return x;
    }
    // Rust's fixed-precision formatting rounds the exact value, ties to even, as Python does.
    format!("{x:.digits$}").parse().unwrap_or(x)
}

/// Python 3's `repr(x)` (= `str(x)`) of a float: the shortest digits that read back to `x`,
/// in positional notation for decimal exponents −4 ≤ e < 16 (`0.0001`, `123.0`), otherwise in
/// scientific notation with a sign and at least two exponent digits (`1e-05`, `1.5e+16`).
pub(crate) fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    let (digits, exponent) = shortest_digits(x.abs());
    let sign = if x < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        if exponent >= 0 {
            let int_len = exponent.unsigned_abs() as usize + 1;
            if digits.len() <= int_len {
                let zeros = "0".repeat(int_len - digits.len());
                format!("{sign}{digits}{zeros}.0")
            } else {
                let (int_part, frac_part) = digits.split_at(int_len);
                format!("{sign}{int_part}.{frac_part}")
            }
        } else {
            let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
            format!("{sign}0.{zeros}{digits}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{sign}{mantissa}e{exponent_sign}{:02}",
            exponent.unsigned_abs()
        )
    }
}

/// The shortest decimal digits `d₁d₂…dₙ` and exponent `e` with `d₁.d₂…dₙ × 10^e` reading back
/// to the finite, positive `x`, closest to `x` among those, ties to an even last digit (as
/// Python's `repr`).
fn shortest_digits(x: f64) -> (String, i32) {
    let (mut digits, exponent) = split_scientific(&format!("{x:e}"));
    // Rust breaks an exact tie between two shortest candidates upwards; Python to even. A tie is
    // possible only when the candidate one below also reads back to `x`.
    let last = digits.as_bytes().last().copied().unwrap_or(b'0');
    if (last - b'0') % 2 == 1 && !(digits.len() == 1 && last == b'1') {
        let mut below = digits.clone();
        below.pop();
        below.push(char::from(last - 1));
        let reads_back = scientific_text(&below, exponent).parse::<f64>() == Ok(x);
        if reads_back {
            // The midpoint of the two candidates: `below` followed by a 5.
            let midpoint = format!("{below}5");
            let (exact, exact_exponent) = split_scientific(&format!("{x:.800e}"));
            let is_tie = exact_exponent == exponent
                && exact.starts_with(&midpoint)
                && exact[midpoint.len()..].bytes().all(|b| b == b'0');
            if is_tie {
                digits = below;
            }
        }
    }
    (digits, exponent)
}

/// `1.2345e-5` → (`12345`, −5).
fn split_scientific(text: &str) -> (String, i32) {
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    let digits = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// (`12345`, −5) → `1.2345e-5`.
fn scientific_text(digits: &str, exponent: i32) -> String {
    let (first, rest) = digits.split_at(1.min(digits.len()));
    format!("{first}.{rest}0e{exponent}")
}

impl FleeTable {
    /// Writes the table as Flee 3.1's `out.csv`: the header, then one line per row, `\n` line
    /// ends, numbers as Python's `str()` prints them. Rows whose `raw_total` is 0 end in
    /// `0,0,0,0,0,0`, as Flee 3.1 prints them.
    ///
    /// # Errors
    /// When the writer fails.
    pub fn write_csv<W: Write>(&self, w: W) -> std::io::Result<()> {
        let mut out = BufWriter::new(w);
        write!(out, "Day,Date")?;
        for camp in &self.camps {
            for suffix in CAMP_SUFFIXES {
                write!(out, ",{camp}{suffix}")?;
            }
        }
        for name in TAIL {
            write!(out, ",{name}")?;
        }
        writeln!(out)?;
        for row in &self.rows {
            write!(out, "{},{}", row.day, row.date)?;
            for ((sim, data), error) in row.sim.iter().zip(&row.data).zip(&row.error) {
                write!(out, ",{sim},{data},{}", python_float(*error))?;
            }
            if row.raw_total == 0 {
                writeln!(out, ",0,0,0,0,0,0")?;
            } else {
                writeln!(
                    out,
                    ",{},{},{},{},{},{}",
                    python_float(row.total_error),
                    row.camps_data_total,
                    row.agents_total,
                    row.raw_total,
                    row.camps_sim_total,
                    row.debt
                )?;
            }
        }
        out.flush()
    }

    /// Reads Flee's `out.csv` (as written by Flee 3.1 or [`FleeTable::write_csv`]). Rows that
    /// Flee printed with the tail `0,0,0,0,0,0` read as zeros.
    ///
    /// # Errors
    /// When the reader fails, or a line or field is not what Flee writes (with its line and
    /// column).
    pub fn read_csv<R: Read>(mut r: R) -> Result<FleeTable, TableError> {
        let mut text = String::new();
        r.read_to_string(&mut text)?;
        let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
        let Some((_, header)) = lines.next() else {
            return Err(invalid(
                1,
                1,
                "the file is empty: expected the header".to_owned(),
            ));
        };
        let header: Vec<&str> = header.split(',').collect();
        let camps = parse_header(&header)?;
        let width = header.len();
        let mut rows = Vec::new();
        for (number, line) in lines {
            if line.is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split(',').collect();
            if fields.len() != width {
                return Err(invalid(
                    number,
                    fields.len().min(width) + 1,
                    format!("{} fields, the header has {width}", fields.len()),
                ));
            }
            rows.push(parse_row(number, &fields, &header, camps.len())?);
        }
        Ok(FleeTable { camps, rows })
    }
}

fn invalid(line: usize, column: usize, message: String) -> TableError {
    TableError::Invalid {
        line,
        column,
        message,
    }
}

/// The camp names of a header `Day,Date,<c> sim,<c> data,<c> error,…,<tail>`.
fn parse_header(header: &[&str]) -> Result<Vec<String>, TableError> {
    for (i, expected) in ["Day", "Date"].into_iter().enumerate() {
        match header.get(i) {
            Some(&name) if name == expected => {}
            found => {
                return Err(invalid(
                    1,
                    i + 1,
                    format!("expected `{expected}`, found `{}`", found.unwrap_or(&"")),
                ));
            }
        }
    }
    if header.len() < 2 + TAIL.len() || !(header.len() - 2 - TAIL.len()).is_multiple_of(3) {
        return Err(invalid(
            1,
            header.len(),
            format!(
                "{} columns: expected `Day,Date`, three per camp, and the {} totals",
                header.len(),
                TAIL.len()
            ),
        ));
    }
    let camp_count = (header.len() - 2 - TAIL.len()) / 3;
    let mut camps = Vec::with_capacity(camp_count);
    for c in 0..camp_count {
        let first = 2 + 3 * c;
        let Some(name) = header[first].strip_suffix(CAMP_SUFFIXES[0]) else {
            return Err(invalid(
                1,
                first + 1,
                format!("expected `<camp> sim`, found `{}`", header[first]),
            ));
        };
        for (k, suffix) in CAMP_SUFFIXES.iter().enumerate().skip(1) {
            let expected = format!("{name}{suffix}");
            if header[first + k] != expected {
                return Err(invalid(
                    1,
                    first + k + 1,
                    format!("expected `{expected}`, found `{}`", header[first + k]),
                ));
            }
        }
        camps.push(name.to_owned());
    }
    let tail_start = 2 + 3 * camp_count;
    for (k, expected) in TAIL.iter().enumerate() {
        if header[tail_start + k] != *expected {
            return Err(invalid(
                1,
                tail_start + k + 1,
                format!("expected `{expected}`, found `{}`", header[tail_start + k]),
            ));
        }
    }
    Ok(camps)
}

fn parse_row(
    line: usize,
    fields: &[&str],
    header: &[&str],
    camp_count: usize,
) -> Result<FleeRow, TableError> {
    let field = |column: usize| -> Field<'_> {
        Field {
            line,
            column,
            name: header[column],
            text: fields[column],
        }
    };
    let mut row = FleeRow {
        day: field(0).parse("an integer")?,
        date: fields[1].to_owned(),
        sim: Vec::with_capacity(camp_count),
        data: Vec::with_capacity(camp_count),
        error: Vec::with_capacity(camp_count),
        ..FleeRow::default()
    };
    for c in 0..camp_count {
        let first = 2 + 3 * c;
        row.sim.push(field(first).parse("a count")?);
        row.data.push(field(first + 1).parse("an integer")?);
        row.error.push(field(first + 2).parse("a number")?);
    }
    let tail = 2 + 3 * camp_count;
    row.total_error = field(tail).parse("a number")?;
    row.camps_data_total = field(tail + 1).parse("an integer")?;
    row.agents_total = field(tail + 2).parse("a count")?;
    row.raw_total = field(tail + 3).parse("an integer")?;
    row.camps_sim_total = field(tail + 4).parse("a count")?;
    row.debt = field(tail + 5).parse("an integer")?;
    Ok(row)
}

/// One field of a data line, for parsing with a located message.
struct Field<'a> {
    line: usize,
    column: usize,
    name: &'a str,
    text: &'a str,
}

impl Field<'_> {
    fn parse<T: std::str::FromStr>(&self, what: &str) -> Result<T, TableError> {
        self.text.parse().map_err(|_| {
            invalid(
                self.line,
                self.column + 1,
                format!("`{}` is `{}`, expected {what}", self.name, self.text),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_repr() {
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (0.5, "0.5"),
            (0.3908, "0.3908"),
            (0.1 + 0.2, "0.30000000000000004"),
            (0.7426424546023794, "0.7426424546023794"),
            (1e-4, "0.0001"),
            (1.5e-4, "0.00015"),
            (1e-5, "1e-05"),
            (1.234e-5, "1.234e-05"),
            (2.5e-300, "2.5e-300"),
            (123456.0, "123456.0"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (-0.25, "-0.25"),
            (-1e-7, "-1e-07"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            // Two shortest candidates equally close: Python takes the even one.
            (96_602_368_898_286.0 + 0.125, "96602368898286.12"),
            (1_608_766_826_916_633.0 + 0.25, "1608766826916633.2"),
        ];
        for (x, expected) in cases {
            assert_eq!(python_float(x), expected, "{x:e}");
        }
    }

    #[test]
    fn printed_floats_read_back_exactly() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            if x.is_finite() {
                let text = python_float(x);
                assert_eq!(
                    text.parse::<f64>().unwrap().to_bits(),
                    x.to_bits(),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn round_is_python_round() {
        // Exact ties go to even; non-ties follow the exact binary value.
        assert_eq!(python_round(0.03125, 4), 0.0312);
        assert_eq!(python_round(0.00005, 4), 0.0001); // 5.000000000000000409e-05
        assert_eq!(python_round(0.12345, 4), 0.1235); // 0.1234500000000000041...
        assert_eq!(python_round(0.25, 1), 0.2);
        assert_eq!(python_round(0.35, 1), 0.3); // 0.34999999999999997...
        assert_eq!(python_round(2.5, 0), 2.0);
        assert_eq!(python_round(1.0 / 3.0, 4), 0.3333);
    }

    #[test]
    fn derived_columns_are_flees() {
        let row = FleeRow::new(
            1,
            "2013-12-02".to_owned(),
            vec![6, 281, 0, 121],
            vec![41, 308, 0, 100],
            1597,
            1597,
            3,
        );
        // 6/41 − 1 = −0.853658…, 281/308 − 1 = −0.0876…, data 0 → 0, 121/100 − 1 = 0.21.
        assert_eq!(row.error, vec![0.8537, 0.0877, 0.0, 0.21]);
        assert_eq!(row.total_error, (35 + 27 + 21) as f64 / 1597.0);
        assert_eq!(row.camps_data_total, 449);
        assert_eq!(row.camps_sim_total, 408);
        let zero = FleeRow::new(0, "d".to_owned(), vec![3], vec![0], 3, 0, 0);
        assert_eq!(zero.total_error, 0.0);
        assert_eq!(zero.error, vec![0.0]);
    }

    const SAMPLE: &str = "Day,Date,A sim,A data,A error,B b sim,B b data,B b error,\
Total error,refugees in camps (UNHCR),total refugees (simulation),raw UNHCR refugee count,\
refugees in camps (simulation),refugee_debt
0,2013-12-01,0,0,0.0,0,0,0.0,0,0,0,0,0,0
1,2013-12-02,53,87,0.3908,114,120,0.05,0.26666666666666666,207,300,150,167,0
2,2013-12-03,1,3,0.6667,7,0,0.0,1e-05,3,8,200000,8,12
";

    #[test]
    fn reads_and_writes_back_byte_for_byte() {
        let table = FleeTable::read_csv(SAMPLE.as_bytes()).unwrap();
        assert_eq!(table.camps, vec!["A", "B b"]);
        assert_eq!(table.rows.len(), 3);
        let row = &table.rows[1];
        assert_eq!(row.sim, vec![53, 114]);
        assert_eq!(row.data, vec![87, 120]);
        assert_eq!(row.error, vec![0.3908, 0.05]);
        assert_eq!(row.raw_total, 150);
        assert_eq!(table.rows[2].debt, 12);
        assert_eq!(table.rows[2].total_error, 1e-5);
        let mut out = Vec::new();
        table.write_csv(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), SAMPLE);
    }

    #[test]
    fn rows_without_a_total_print_six_zeros() {
        let table = FleeTable {
            camps: vec!["A".to_owned()],
            rows: vec![FleeRow::new(
                0,
                "2020-01-01".to_owned(),
                vec![5],
                vec![5],
                5,
                0,
                2,
            )],
        };
        let mut out = Vec::new();
        table.write_csv(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.lines().nth(1).unwrap(),
            "0,2020-01-01,5,5,0.0,0,0,0,0,0,0"
        );
    }

    #[test]
    fn written_tables_read_back_equal() {
        let table = FleeTable {
            camps: vec!["X".to_owned(), "Y".to_owned()],
            rows: (0..5)
                .map(|d| {
                    FleeRow::new(
                        d,
                        format!("2020-01-0{}", d + 1),
                        vec![u64::from(d) * 7, 3],
                        vec![i64::from(d) * 5, 11],
                        100 + u64::from(d),
                        1000 + i64::from(d),
                        i64::from(d),
                    )
                })
                .collect(),
        };
        let mut out = Vec::new();
        table.write_csv(&mut out).unwrap();
        assert_eq!(FleeTable::read_csv(out.as_slice()).unwrap(), table);
    }

    #[test]
    fn errors_name_line_and_column() {
        let bad_value = SAMPLE.replacen("114,120", "114,x", 1);
        let error = FleeTable::read_csv(bad_value.as_bytes()).unwrap_err();
        match &error {
            TableError::Invalid { line, column, .. } => assert_eq!((*line, *column), (3, 7)),
            TableError::Io(_) => panic!("{error}"),
        }
        assert!(error.to_string().contains("`B b data` is `x`"), "{error}");

        let bad_header = SAMPLE.replacen("A error", "A err", 1);
        let error = FleeTable::read_csv(bad_header.as_bytes()).unwrap_err();
        assert!(
            error.to_string().starts_with("out.csv line 1, column 5"),
            "{error}"
        );

        let short = SAMPLE.replacen(",0,0,0,0,0,0\n", ",0,0\n", 1);
        let error = FleeTable::read_csv(short.as_bytes()).unwrap_err();
        assert!(error.to_string().starts_with("out.csv line 2"), "{error}");

        let error = FleeTable::read_csv(&b""[..]).unwrap_err();
        assert!(error.to_string().contains("line 1"), "{error}");
    }
}
