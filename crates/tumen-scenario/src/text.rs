//! Text files as Flee reads them: UTF-8 (a BOM is accepted), any line ends, Python `csv`
//! records with positions, and numbers and dates parsed like Python's `int()`, `float()` and
//! `strptime("%Y-%m-%d")`.

use crate::diagnostic::{Diagnostic, Span};
use tumen_core::Date;

/// A decoded input file with its lines, for locating diagnostics.
#[derive(Debug)]
pub(crate) struct TextFile {
    /// Path relative to the scenario directory (or the settings path as given).
    pub(crate) label: String,
    /// The text, without a BOM.
    pub(crate) text: String,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

impl TextFile {
    /// Decodes `bytes` as UTF-8, dropping a leading BOM. Invalid UTF-8 is a located error.
    pub(crate) fn decode(label: &str, bytes: Vec<u8>) -> Result<Self, Box<Diagnostic>> {
        let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Self::new(label, text)),
            Err(error) => {
                let valid_up_to = error.utf8_error().valid_up_to();
                let bytes = error.into_bytes();
                let prefix = Self::new(
                    "",
                    String::from_utf8_lossy(bytes.get(..valid_up_to).unwrap_or_default())
                        .into_owned(),
                );
                let line = prefix.line_starts.len();
                let line_start = prefix.line_starts.last().copied().unwrap_or(0);
                let column = prefix
                    .text
                    .get(line_start..)
                    .map_or(0, |s| s.chars().count())
                    + 1;
                let byte = bytes.get(valid_up_to).copied().unwrap_or(0);
                let line_end = bytes
                    .iter()
                    .skip(valid_up_to)
                    .position(|&b| b == b'\n' || b == b'\r')
                    .map_or(bytes.len(), |at| at + valid_up_to);
                let source_line = String::from_utf8_lossy(
                    bytes
                        .get(prefix_byte_start(&bytes, valid_up_to)..line_end)
                        .unwrap_or_default(),
                )
                .into_owned();
                Err(Box::new(
                    Diagnostic::error(format!("`{label}` is not valid UTF-8 text"))
                        .at(
                            Span {
                                file: label.to_owned(),
                                line: to_u32(line),
                                column: to_u32(column),
                                len: 1,
                                field: None,
                            },
                            Some(source_line),
                        )
                        .with_label(format!(
                            "expected UTF-8 text, found the byte `0x{byte:02X}`{}",
                            legacy_reading(byte)
                        ))
                        .with_hint(utf8_hint(label)),
                ))
            }
        }
    }

    /// A file from text already decoded (tests, settings given as text).
    pub(crate) fn new(label: &str, text: String) -> Self {
        let text = match text.strip_prefix('\u{FEFF}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        let mut line_starts = vec![0];
        let bytes = text.as_bytes();
        let mut index = 0;
        while let Some(&byte) = bytes.get(index) {
            match byte {
                b'\n' => line_starts.push(index + 1),
                b'\r' => {
                    if bytes.get(index + 1) == Some(&b'\n') {
                        index += 1;
                    }
                    line_starts.push(index + 1);
                }
                _ => {}
            }
            index += 1;
        }
        Self {
            label: label.to_owned(),
            text,
            line_starts,
        }
    }

    /// The text of line `line` (1-based), without its line end.
    pub(crate) fn line(&self, line: u32) -> Option<String> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        let text = self.text.get(start..end)?;
        Some(text.trim_end_matches(['\n', '\r']).to_owned())
    }

    /// A diagnostic at `field` (index is 0-based; `name` is the column's name).
    pub(crate) fn at_field(
        &self,
        diagnostic: Diagnostic,
        field: &Field,
        index: usize,
        name: &str,
    ) -> Diagnostic {
        let description = if name.is_empty() {
            format!("field {}", index + 1)
        } else {
            format!("field {} (`{name}`)", index + 1)
        };
        self.at_field_as(diagnostic, field, description)
    }

    /// A diagnostic at `field`, described as `description` (``field 3 of the header``).
    pub(crate) fn at_field_as(
        &self,
        diagnostic: Diagnostic,
        field: &Field,
        description: String,
    ) -> Diagnostic {
        diagnostic.at(
            Span {
                file: self.label.clone(),
                line: field.line,
                column: field.column,
                len: field.len,
                field: Some(description),
            },
            self.line(field.line),
        )
    }

    /// A diagnostic at the end of a record (for missing fields).
    pub(crate) fn at_record_end(&self, diagnostic: Diagnostic, record: &Record) -> Diagnostic {
        diagnostic.at(
            Span {
                file: self.label.clone(),
                line: record.end_line,
                column: record.end_column,
                len: 1,
                field: None,
            },
            self.line(record.end_line),
        )
    }

    /// A diagnostic at a whole line.
    pub(crate) fn at_line(&self, diagnostic: Diagnostic, line: u32) -> Diagnostic {
        let text = self.line(line);
        let len = text
            .as_ref()
            .map_or(1, |t| to_u32(t.chars().count().max(1)));
        diagnostic.at(
            Span {
                file: self.label.clone(),
                line,
                column: 1,
                len,
                field: None,
            },
            text,
        )
    }
}

/// What a byte that is not UTF-8 most likely was: a character of Windows-1252 (a superset of
/// Latin-1 for printable characters), the usual encoding of files that are not UTF-8.
fn legacy_reading(byte: u8) -> String {
    const CP1252_80_9F: [char; 32] = [
        '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0',
        '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
    ];
    let c = match byte {
        0x80..=0x9F => CP1252_80_9F
            .get(usize::from(byte - 0x80))
            .copied()
            .unwrap_or('\0'),
        0xA1..=0xFF => char::from(byte),
        _ => '\0',
    };
    if c == '\0' {
        String::new()
    } else {
        format!(" (`{c}` in Windows-1252 or Latin-1: the file was saved in another encoding)")
    }
}

/// How to fix a file that is not UTF-8, by kind of file.
fn utf8_hint(label: &str) -> &'static str {
    let lower = label.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        "save the file as UTF-8 (spreadsheet programs call it \"CSV UTF-8\")"
    } else if lower.ends_with(".yml") || lower.ends_with(".yaml") {
        "save the settings file as UTF-8 (in a text editor, choose the UTF-8 encoding when saving)"
    } else {
        "save the file as UTF-8 (in a text editor, choose the UTF-8 encoding when saving)"
    }
}

/// Byte offset of the start of the line holding byte `at`.
fn prefix_byte_start(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(..at)
        .and_then(|head| head.iter().rposition(|&b| b == b'\n' || b == b'\r'))
        .map_or(0, |position| position + 1)
}

/// Saturating conversion for line and column numbers.
pub(crate) fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// One field of a CSV record: its text (quotes removed) and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) text: String,
    pub(crate) line: u32,
    pub(crate) column: u32,
    /// Characters in the source, quotes included (to the end of the line for a field that
    /// spans lines).
    pub(crate) len: u32,
}

/// One CSV record. A blank line is a record with no fields, as in Python's `csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) line: u32,
    pub(crate) fields: Vec<Field>,
    pub(crate) end_line: u32,
    pub(crate) end_column: u32,
}

impl Record {
    /// The text of field `index`, or `""` when the record is shorter.
    pub(crate) fn text(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", |f| f.text.as_str())
    }

    /// Whether Flee treats this record as a comment or header: no fields, or a first field
    /// that starts with `#`.
    pub(crate) fn is_comment(&self) -> bool {
        self.fields.first().is_none_or(|f| f.text.starts_with('#'))
    }

    /// Whether every field is empty or white space (a blank spreadsheet row).
    pub(crate) fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.text.trim().is_empty())
    }
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum State {
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
}

/// Splits a file into records the way Python's `csv.reader` (excel dialect, not strict) does.
/// The only syntax error is a quoted field that never ends.
pub(crate) fn parse_csv(file: &TextFile) -> Result<Vec<Record>, Box<Diagnostic>> {
    let mut records = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    let mut text = String::new();
    let mut state = State::StartField;
    let mut in_record = false;
    let (mut line, mut column) = (1_usize, 1_usize);
    let mut start = (1_usize, 1_usize);
    let mut record_line = 1_usize;
    let mut chars = file.text.chars().peekable();

    let finish_field =
        |fields: &mut Vec<Field>, text: &mut String, start: (usize, usize), end: (usize, usize)| {
            let len = if end.0 == start.0 {
                end.1.saturating_sub(start.1)
            } else {
                1
            };
            fields.push(Field {
                text: std::mem::take(text),
                line: to_u32(start.0),
                column: to_u32(start.1),
                len: to_u32(len),
            });
        };

    loop {
        let here = (line, column);
        let c = chars.next();
        let mut crlf = false;
        match c {
            Some('\n') => {
                line += 1;
                column = 1;
            }
            Some('\r') => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                    crlf = true;
                }
                line += 1;
                column = 1;
            }
            Some(_) => column += 1,
            None => {}
        }
        let newline = matches!(c, Some('\n' | '\r'));
        match state {
            State::StartField => {
                if !in_record {
                    record_line = here.0;
                }
                match c {
                    None => {
                        if in_record {
                            finish_field(&mut fields, &mut text, here, here);
                            push_record(&mut records, &mut fields, record_line, here);
                        }
                        break;
                    }
                    Some(_) if newline => {
                        if in_record {
                            finish_field(&mut fields, &mut text, here, here);
                        }
                        push_record(&mut records, &mut fields, record_line, here);
                        in_record = false;
                    }
                    Some(',') => {
                        in_record = true;
                        finish_field(&mut fields, &mut text, here, here);
                    }
                    Some('"') => {
                        in_record = true;
                        start = here;
                        state = State::InQuoted;
                    }
                    Some(other) => {
                        in_record = true;
                        start = here;
                        text.push(other);
                        state = State::InField;
                    }
                }
            }
            State::InField => match c {
                None => {
                    finish_field(&mut fields, &mut text, start, here);
                    push_record(&mut records, &mut fields, record_line, here);
                    break;
                }
                Some(_) if newline => {
                    finish_field(&mut fields, &mut text, start, here);
                    push_record(&mut records, &mut fields, record_line, here);
                    in_record = false;
                    state = State::StartField;
                }
                Some(',') => {
                    finish_field(&mut fields, &mut text, start, here);
                    state = State::StartField;
                }
                Some(other) => text.push(other),
            },
            State::InQuoted => match c {
                None => {
                    let diagnostic = Diagnostic::error("a quoted field is never closed")
                        .with_label("expected a closing `\"` before the end of the file, found none")
                        .with_hint("a `\"` that starts a field opens a quoted field; close it with another `\"`, and write `\"\"` for a quote inside it");
                    let field = Field {
                        text: String::new(),
                        line: to_u32(start.0),
                        column: to_u32(start.1),
                        len: 1,
                    };
                    return Err(Box::new(file.at_field(
                        diagnostic,
                        &field,
                        fields.len(),
                        "",
                    )));
                }
                Some('"') => state = State::QuoteInQuoted,
                Some(other) => {
                    text.push(other);
                    if crlf {
                        text.push('\n');
                    }
                }
            },
            State::QuoteInQuoted => match c {
                None => {
                    finish_field(&mut fields, &mut text, start, here);
                    push_record(&mut records, &mut fields, record_line, here);
                    break;
                }
                Some(_) if newline => {
                    finish_field(&mut fields, &mut text, start, here);
                    push_record(&mut records, &mut fields, record_line, here);
                    in_record = false;
                    state = State::StartField;
                }
                Some(',') => {
                    finish_field(&mut fields, &mut text, start, here);
                    state = State::StartField;
                }
                Some('"') => {
                    text.push('"');
                    state = State::InQuoted;
                }
                Some(other) => {
                    text.push(other);
                    state = State::InField;
                }
            },
        }
    }
    Ok(records)
}

fn push_record(
    records: &mut Vec<Record>,
    fields: &mut Vec<Field>,
    line: usize,
    end: (usize, usize),
) {
    records.push(Record {
        line: to_u32(line),
        fields: std::mem::take(fields),
        end_line: to_u32(end.0),
        end_column: to_u32(end.1),
    });
}

/// Why a number could not be read.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// Nothing but white space.
    Empty,
    /// Not a number of the expected kind.
    Invalid,
    /// Too large (or not finite).
    TooLarge,
}

/// Python's `int(text)`: white space around, an optional sign, digits with single `_` between
/// them.
pub(crate) fn py_int(text: &str) -> Result<i128, NumberError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(NumberError::Empty);
    }
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..).unwrap_or_default()),
        Some(b'+') => (false, text.get(1..).unwrap_or_default()),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return Err(NumberError::Invalid);
    }
    let mut value: i128 = 0;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let digit = c.to_digit(10).ok_or(NumberError::Invalid)?;
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(digit)))
            .ok_or(NumberError::TooLarge)?;
    }
    Ok(if negative { -value } else { value })
}

/// Python's `float(text)`, but only finite values: `nan`, `inf` and values beyond `f64` are
/// [`NumberError::TooLarge`].
pub(crate) fn py_float(text: &str) -> Result<f64, NumberError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(NumberError::Empty);
    }
    let value: f64 = text.parse().map_err(|_| NumberError::Invalid)?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(NumberError::TooLarge)
    }
}

/// A date written `YYYY-MM-DD` (month and day may have one digit, as `strptime` allows).
/// Surrounding white space is ignored.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || year.len() != 4
        || !(1..=2).contains(&month.len())
        || !(1..=2).contains(&day.len())
        || ![year, month, day]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let year: i16 = year.parse().ok()?;
    let month: i8 = month.parse().ok()?;
    let day: i8 = day.parse().ok()?;
    Date::new(year, month, day).ok()
}

/// Days from `start` to `date` (negative when `date` comes first).
pub(crate) fn days_between(start: Date, date: Date) -> i64 {
    start.duration_until(date).as_secs() / 86_400
}

/// The candidate closest to `name` when it is close enough to be a likely misspelling:
/// the same name up to case or surrounding white space, or within an edit distance of about a
/// third of its length.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Past this length a name is no misspelling, and the edit distance (quadratic in the
    // length) would cost more than the whole load.
    const LONGEST: usize = 200;
    let wanted: Vec<char> = name.trim().to_lowercase().chars().collect();
    if wanted.is_empty() || wanted.len() > LONGEST {
        return None;
    }
    let limit = (wanted.len() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let other: Vec<char> = candidate.trim().to_lowercase().chars().collect();
        if other.len().abs_diff(wanted.len()) > limit {
            continue;
        }
        let distance = edit_distance(&wanted, &other);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Edit distance counting insertions, deletions, substitutions and swaps of two neighbouring
/// characters (optimal string alignment), so that `Mentoa` is one edit from `Mentao`.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut table = vec![0_usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    let get = |table: &[usize], i: usize, j: usize| table.get(at(i, j)).copied().unwrap_or(0);
    for i in 0..=a.len() {
        if let Some(cell) = table.get_mut(at(i, 0)) {
            *cell = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(cell) = table.get_mut(at(0, j)) {
            *cell = j;
        }
    }
    for (i, &ca) in a.iter().enumerate() {
        for (j, &cb) in b.iter().enumerate() {
            let (i1, j1) = (i + 1, j + 1);
            let mut best = (get(&table, i, j) + usize::from(ca != cb))
                .min(get(&table, i, j1) + 1)
                .min(get(&table, i1, j) + 1);
            let swapped = i > 0
                && j > 0
                && a.get(i - 1) == Some(&cb)
                && b.get(j - 1) == Some(&ca)
                && ca != cb;
            if swapped {
                best = best.min(get(&table, i - 1, j - 1) + 1);
            }
            if let Some(cell) = table.get_mut(at(i1, j1)) {
                *cell = best;
            }
        }
    }
    get(&table, a.len(), b.len())
}

/// `` `a`, `b` or `c` `` for messages.
pub(crate) fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A value as shown in a message: the text, shortened when long, with control characters
/// written as escapes (`Bor\0der`, `a\tb`) so that they cannot hide.
pub(crate) fn shown(text: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == MAX {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// A note on the first control character of the name `text` (such as a NUL byte), which a
/// terminal or a spreadsheet does not show: `None` when there is none.
pub(crate) fn control_note(text: &str) -> Option<String> {
    let c = text.chars().find(|c| c.is_control() && *c != '\t')?;
    let code = u32::from(c);
    let name = match c {
        '\0' => " (NUL)",
        '\r' => " (carriage return)",
        '\n' => " (line feed)",
        '\u{7f}' => " (DEL)",
        _ => "",
    };
    Some(format!(
        "the name holds the invisible control character U+{code:04X}{name}: delete it"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> Vec<Vec<String>> {
        parse_csv(&TextFile::new("t.csv", text.to_owned()))
            .unwrap()
            .into_iter()
            .map(|r| r.fields.into_iter().map(|f| f.text).collect())
            .collect()
    }

    #[test]
    fn csv_records_follow_python() {
        assert_eq!(
            csv("a,b\n\nc,\"d,e\"\r\n"),
            vec![vec!["a", "b"], vec![], vec!["c", "d,e"]]
        );
        assert_eq!(csv("a,\n"), vec![vec!["a", ""]]);
        assert_eq!(csv("\"a\"\"b\"x,c"), vec![vec!["a\"bx", "c"]]);
        assert_eq!(
            csv("x,\"l1\r\nl2\"\ry"),
            vec![vec!["x", "l1\r\nl2"], vec!["y"]]
        );
        assert_eq!(csv("a, \"b\""), vec![vec!["a", " \"b\""]]);
        assert!(csv("").is_empty());
    }

    #[test]
    fn csv_positions_count_characters() {
        let file = TextFile::new("t.csv", "é,ab,\"q\"\nx".to_owned());
        let records = parse_csv(&file).unwrap();
        let f = &records[0].fields;
        assert_eq!((f[1].line, f[1].column, f[1].len), (1, 3, 2));
        assert_eq!((f[2].column, f[2].len), (6, 3));
        assert_eq!(records[1].line, 2);
        assert_eq!(file.line(2).as_deref(), Some("x"));
    }

    #[test]
    fn unterminated_quotes_are_located() {
        let file = TextFile::new("t.csv", "a,b\nc,\"d\n".to_owned());
        let error = parse_csv(&file).unwrap_err();
        let span = error.span.unwrap();
        assert_eq!((span.line, span.column), (2, 3));
    }

    #[test]
    fn numbers_parse_like_python() {
        assert_eq!(py_int(" 12\t"), Ok(12));
        assert_eq!(py_int("-1_000"), Ok(-1000));
        assert_eq!(py_int("1.5"), Err(NumberError::Invalid));
        assert_eq!(py_int(""), Err(NumberError::Empty));
        assert_eq!(py_int(&"9".repeat(60)), Err(NumberError::TooLarge));
        assert_eq!(py_float(" 2.5 "), Ok(2.5));
        assert_eq!(py_float("nan"), Err(NumberError::TooLarge));
        assert_eq!(py_float("1e400"), Err(NumberError::TooLarge));
        assert_eq!(py_float("x"), Err(NumberError::Invalid));
    }

    #[test]
    fn dates_parse_like_strptime() {
        assert_eq!(parse_date("2012-02-29"), Date::new(2012, 2, 29).ok());
        assert_eq!(parse_date("2012-2-9"), Date::new(2012, 2, 9).ok());
        assert_eq!(parse_date("2013-02-29"), None);
        assert_eq!(parse_date("29/02/2012"), None);
        let start = Date::new(2012, 2, 29).unwrap();
        assert_eq!(days_between(start, Date::new(2012, 3, 1).unwrap()), 1);
        assert_eq!(days_between(start, Date::new(2012, 2, 27).unwrap()), -2);
    }

    #[test]
    fn suggestions_find_close_names() {
        let names = ["Bourem", "Kidal", "Gao"];
        assert_eq!(suggest("Bourm", names), Some("Bourem"));
        assert_eq!(suggest("kidal", names), Some("Kidal"));
        assert_eq!(suggest("Timbuktu", names), None);
        assert_eq!(suggest("Mentoa", ["Menaka", "Mentao"]), Some("Mentao"));
        let long = "x".repeat(10_000);
        assert_eq!(suggest(&long, [long.as_str()]), None);
    }

    #[test]
    fn control_characters_are_shown() {
        assert_eq!(shown("Bor\0der"), "Bor\\0der");
        assert_eq!(shown("a\u{1}b"), "a\\u{1}b");
        assert!(control_note("Bor\0der").unwrap().contains("U+0000 (NUL)"));
        assert_eq!(control_note("Border"), None);
        assert_eq!(shown(&"x".repeat(70)), format!("{}...", "x".repeat(60)));
    }

    #[test]
    fn non_utf8_bytes_are_read_as_windows_1252() {
        assert!(legacy_reading(0xE9).contains("`é`"));
        assert!(legacy_reading(0x80).contains("`€`"));
        assert_eq!(legacy_reading(0x81), "");
        assert!(utf8_hint("simsetting.yml").contains("settings file"));
        assert!(utf8_hint("input_csv/routes.csv").contains("CSV UTF-8"));
    }

    #[test]
    fn invalid_utf8_is_located() {
        let error = TextFile::decode("f.csv", b"ok\nab\xE9c\n".to_vec()).unwrap_err();
        let span = error.span.clone().unwrap();
        assert_eq!((span.line, span.column), (2, 3));
        assert!(crate::render(&error).contains("0xE9"));
    }
}
