//! The `scenario.toml` document as a tree of values that remember where they were written (in
//! the file, or in a `--set` override), and the overrides applied to it.

use super::schema;
use crate::diagnostic::{Diagnostic, Span};
use crate::text::{shown, suggest, to_u32};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The file name used in diagnostics.
pub(crate) const FILE: &str = "scenario.toml";

/// Where a value or key was written: a byte range of `scenario.toml`, or of the `index`-th
/// override string.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// In the file.
    File { start: usize, end: usize },
    /// In override number `index` (0-based).
    Set {
        index: usize,
        start: usize,
        end: usize,
    },
}

/// A value with its origin.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) origin: Origin,
}

/// A TOML value.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    /// A date or date-time: `(year, month, day)` when it has a date, and whether it has a time.
    Datetime(Option<(u16, u8, u8)>, bool),
    Array(Vec<Node>),
    Table(Table),
}

impl Value {
    /// "a string", "an integer", ... for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::String(_) => "a string",
            Self::Integer(_) => "an integer",
            Self::Float(_) => "a number",
            Self::Boolean(_) => "a boolean",
            Self::Datetime(..) => "a date",
            Self::Array(_) => "an array",
            Self::Table(_) => "a table",
        }
    }
}

/// A table: entries in the order they were written.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    pub(crate) entries: Vec<Entry>,
}

/// One `key = value` of a table.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) key: String,
    pub(crate) key_origin: Origin,
    pub(crate) node: Node,
}

impl Table {
    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.node)
    }
}

/// The texts a diagnostic can point into: the file and the overrides.
#[derive(Debug)]
pub(crate) struct Texts {
    pub(crate) file: String,
    pub(crate) overrides: Vec<String>,
}

impl Texts {
    /// A diagnostic placed at `origin`, with the key path shown after the position.
    pub(crate) fn at(&self, diagnostic: Diagnostic, origin: Origin, path: &str) -> Diagnostic {
        let field = if path.is_empty() {
            None
        } else {
            Some(format!("key `{path}`"))
        };
        match origin {
            Origin::File { start, end } => {
                let (span, line) = locate(&self.file, start, end, FILE, field);
                diagnostic.at(span, Some(line))
            }
            Origin::Set { index, start, end } => {
                let text = self.overrides.get(index).map_or("", String::as_str);
                let (mut span, line) = locate(text, start, end, "--set", field);
                span.line = to_u32(index + 1);
                diagnostic.at(span, Some(line))
            }
        }
    }

    /// The source text of `origin`, shortened for messages.
    pub(crate) fn snippet(&self, origin: Origin) -> String {
        let (text, start, end) = match origin {
            Origin::File { start, end } => (self.file.as_str(), start, end),
            Origin::Set { index, start, end } => (
                self.overrides.get(index).map_or("", String::as_str),
                start,
                end,
            ),
        };
        let piece = text.get(start..end).unwrap_or_default();
        let first_line = piece.lines().next().unwrap_or_default();
        if first_line.len() < piece.trim_end().len() {
            format!("{}...", shown(first_line))
        } else {
            shown(first_line)
        }
    }
}

/// The span of bytes `start..end` of `text` (marked on its first line only) and that line.
fn locate(
    text: &str,
    start: usize,
    end: usize,
    file: &str,
    field: Option<String>,
) -> (Span, String) {
    let start = start.min(text.len());
    let head = text.get(..start).unwrap_or_default();
    let line_start = head.rfind('\n').map_or(0, |at| at + 1);
    let line_number = head.matches('\n').count() + 1;
    let line_end = text
        .get(line_start..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |at| line_start + at);
    let line = text
        .get(line_start..line_end)
        .unwrap_or_default()
        .trim_end_matches('\r');
    let column = text.get(line_start..start).map_or(0, |s| s.chars().count()) + 1;
    let marked_end = end.clamp(start, line_end);
    let len = text
        .get(start..marked_end)
        .map_or(0, |s| s.trim_end().chars().count())
        .max(1);
    (
        Span {
            file: file.to_owned(),
            line: to_u32(line_number),
            column: to_u32(column),
            len: to_u32(len),
            field,
        },
        line.to_owned(),
    )
}

/// Parses the file into a tree; syntax errors are located diagnostics.
pub(crate) fn parse(texts: &Texts) -> Result<Table, Vec<Diagnostic>> {
    let (document, errors) = DeTable::parse_recoverable(&texts.file);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|error| syntax_error(texts, error, None))
            .collect());
    }
    let mut problems = Vec::new();
    let table = convert_table(
        document.get_ref(),
        &|start, end| Origin::File { start, end },
        &mut problems,
    );
    if problems.is_empty() {
        Ok(table)
    } else {
        Err(problems
            .into_iter()
            .map(|(origin, text)| {
                texts.at(
                    Diagnostic::error(format!("integer `{text}` is too large")).with_label(
                        format!("expected an integer between -2^63 and 2^63 - 1, found `{text}`"),
                    ),
                    origin,
                    "",
                )
            })
            .collect())
    }
}

fn syntax_error(texts: &Texts, error: &toml::de::Error, index: Option<usize>) -> Diagnostic {
    let message = error
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .trim();
    let diagnostic = Diagnostic::error(format!("invalid TOML: {message}")).with_hint(
        "scenario.toml is TOML (https://toml.io): `key = value`, strings in quotes, `[section]` and `[[list]]` headers",
    );
    let Some(range) = error.span() else {
        return diagnostic;
    };
    let origin = match index {
        None => Origin::File {
            start: range.start,
            end: range.end,
        },
        Some(index) => Origin::Set {
            index,
            start: range.start,
            end: range.end,
        },
    };
    texts.at(diagnostic, origin, "")
}

type MakeOrigin<'a> = &'a dyn Fn(usize, usize) -> Origin;

fn convert_table(
    table: &DeTable<'_>,
    origin: MakeOrigin<'_>,
    problems: &mut Vec<(Origin, String)>,
) -> Table {
    let mut entries: Vec<Entry> = table
        .iter()
        .map(|(key, value)| Entry {
            key: key.get_ref().to_string(),
            key_origin: origin(key.span().start, key.span().end),
            node: convert(value, origin, problems),
        })
        .collect();
    entries.sort_by_key(|e| match e.key_origin {
        Origin::File { start, .. } | Origin::Set { start, .. } => start,
    });
    Table { entries }
}

fn convert(
    value: &Spanned<DeValue<'_>>,
    origin: MakeOrigin<'_>,
    problems: &mut Vec<(Origin, String)>,
) -> Node {
    let span = value.span();
    let here = origin(span.start, span.end);
    let value = match value.get_ref() {
        DeValue::String(text) => Value::String(text.to_string()),
        DeValue::Integer(integer) => {
            let text = integer.as_str();
            if let Ok(number) = i64::from_str_radix(&text.replace('_', ""), integer.radix()) {
                Value::Integer(number)
            } else {
                problems.push((here, integer.to_string()));
                Value::Integer(0)
            }
        }
        DeValue::Float(float) => {
            let text = float.as_str().replace('_', "");
            Value::Float(text.parse().unwrap_or(f64::NAN))
        }
        DeValue::Boolean(b) => Value::Boolean(*b),
        DeValue::Datetime(datetime) => Value::Datetime(
            datetime.date.map(|d| (d.year, d.month, d.day)),
            datetime.time.is_some(),
        ),
        DeValue::Array(array) => Value::Array(
            array
                .iter()
                .map(|element| convert(element, origin, problems))
                .collect(),
        ),
        DeValue::Table(table) => Value::Table(convert_table(table, origin, problems)),
    };
    Node {
        value,
        origin: here,
    }
}

/// One segment of an override's key path: `name` or `name[index]`.
#[derive(Debug)]
struct Segment {
    name: String,
    index: Option<usize>,
    start: usize,
    end: usize,
}

/// Applies every override (`key.path=value`) to `document`. Errors are located in the
/// override's text.
pub(crate) fn apply_overrides(document: &mut Table, texts: &Texts) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for (index, text) in texts.overrides.iter().enumerate() {
        if let Err(error) = apply_one(document, texts, index, text) {
            errors.push(*error);
        }
    }
    errors
}

fn apply_one(
    document: &mut Table,
    texts: &Texts,
    index: usize,
    text: &str,
) -> Result<(), Box<Diagnostic>> {
    let whole = Origin::Set {
        index,
        start: 0,
        end: text.len(),
    };
    let Some(equals) = text.find('=') else {
        return Err(Box::new(
            texts
                .at(
                    Diagnostic::error(format!("`--set {}` has no value", shown(text))),
                    whole,
                    "",
                )
                .with_label(format!(
                    "expected `key.path=value`, found `{}`",
                    shown(text)
                ))
                .with_hint("for example `--set enforcement.trigger.enabled=false`"),
        ));
    };
    let key_text = text.get(..equals).unwrap_or_default();
    let value_start = equals + 1;
    let value_text = text.get(value_start..).unwrap_or_default();
    let segments = segments(key_text).map_err(|(start, end, problem)| {
        Box::new(
            texts
                .at(
                    Diagnostic::error(format!("invalid key path `{}`", shown(key_text.trim()))),
                    Origin::Set { index, start, end },
                    "",
                )
                .with_label(problem)
                .with_hint("a key path is names separated by dots, with `[N]` to pick the N-th entry of a list (from 0): `asylum.channel[1].success`"),
        )
    })?;
    let value_origin = |start: usize, end: usize| Origin::Set {
        index,
        start: value_start + start,
        end: value_start + end,
    };
    let value = match DeValue::parse(value_text) {
        Ok(value) => {
            let mut problems = Vec::new();
            let node = convert(&value, &value_origin, &mut problems);
            if problems.is_empty() {
                node
            } else {
                return Err(Box::new(
                    texts
                        .at(
                            Diagnostic::error("integer too large"),
                            value_origin(0, value_text.len()),
                            "",
                        )
                        .with_label("expected an integer between -2^63 and 2^63 - 1"),
                ));
            }
        }
        Err(_) => {
            return Err(Box::new(
                texts
                    .at(
                        Diagnostic::error(format!(
                            "the value of `--set {}` is not a TOML value",
                            key_text.trim()
                        )),
                        value_origin(0, value_text.len()),
                        "",
                    )
                    .with_label(format!(
                        "expected a TOML value (`false`, `0.002`, `\"text\"`, `[1, 2]`), found `{}`",
                        shown(value_text)
                    ))
                    .with_hint(format!(
                        "a string is written in quotes: `--set '{}=\"{}\"'`",
                        key_text.trim(),
                        value_text.trim()
                    )),
            ));
        }
    };
    let mut applied = 0;
    set_in(
        document,
        &segments,
        &value,
        &mut Walk {
            texts,
            index,
            shown_path: String::new(),
            schema_path: String::new(),
        },
        &mut applied,
    )
}

/// Where an override walk is.
struct Walk<'a> {
    texts: &'a Texts,
    index: usize,
    /// With indices: `enforcement.trigger[0]`.
    shown_path: String,
    /// Without: `enforcement.trigger`.
    schema_path: String,
}

impl Walk<'_> {
    fn error(&self, segment: &Segment, diagnostic: Diagnostic) -> Box<Diagnostic> {
        Box::new(self.texts.at(
            diagnostic,
            Origin::Set {
                index: self.index,
                start: segment.start,
                end: segment.end,
            },
            "",
        ))
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn set_in(
    table: &mut Table,
    segments: &[Segment],
    value: &Node,
    walk: &mut Walk<'_>,
    applied: &mut usize,
) -> Result<(), Box<Diagnostic>> {
    let Some((segment, rest)) = segments.split_first() else {
        return Ok(());
    };
    let schema_path = join(&walk.schema_path, &segment.name);
    let shown_path = join(&walk.shown_path, &segment.name);
    let known = schema::keys(&walk.schema_path);
    let Some(entry) = table.entries.iter_mut().find(|e| e.key == segment.name) else {
        let is_known = known.is_none_or(|keys| keys.contains(&segment.name.as_str()));
        if is_known && rest.is_empty() && segment.index.is_none() {
            table.entries.push(Entry {
                key: segment.name.clone(),
                key_origin: value.origin,
                node: value.clone(),
            });
            *applied += 1;
            return Ok(());
        }
        let place = if walk.shown_path.is_empty() {
            "scenario.toml".to_owned()
        } else {
            format!("`{}`", walk.shown_path)
        };
        if is_known {
            return Err(walk.error(
                segment,
                Diagnostic::error(format!("`{shown_path}` is not in scenario.toml"))
                    .with_label(format!("expected a key written in {place}, found `{}`", segment.name))
                    .with_hint(format!(
                        "`--set` changes what scenario.toml says; add `{schema_path}` to the file first"
                    )),
            ));
        }
        let mut candidates: Vec<&str> = table.entries.iter().map(|e| e.key.as_str()).collect();
        candidates.extend(known.unwrap_or_default().iter().copied());
        let hint = suggest(&segment.name, candidates.iter().copied()).map_or_else(
            || format!("the keys there are {}", list(&candidates)),
            |best| format!("did you mean `{best}`?"),
        );
        return Err(walk.error(
            segment,
            Diagnostic::error(format!("unknown key `{shown_path}`"))
                .with_label(format!(
                    "expected a key of {place}, found `{}`",
                    segment.name
                ))
                .with_hint(hint),
        ));
    };
    let mut node = &mut entry.node;
    let mut shown_here = shown_path;
    if let Some(position) = segment.index {
        let kind = node.value.kind();
        let Value::Array(elements) = &mut node.value else {
            return Err(walk.error(
                segment,
                Diagnostic::error(format!("`{shown_here}` is not a list")).with_label(format!(
                    "expected a list to take element [{position}] of, found {kind}"
                )),
            ));
        };
        let count = elements.len();
        let Some(element) = elements.get_mut(position) else {
            return Err(walk.error(
                segment,
                Diagnostic::error(format!("`{shown_here}` has no element [{position}]"))
                    .with_label(format!(
                        "expected an index from 0 to {}, found {position}",
                        count.saturating_sub(1)
                    ))
                    .with_hint(format!(
                        "`{shown_here}` has {count} element(s), counted from 0"
                    )),
            ));
        };
        shown_here = format!("{shown_here}[{position}]");
        node = element;
    }
    if rest.is_empty() {
        *node = value.clone();
        *applied += 1;
        return Ok(());
    }
    let saved = (
        std::mem::replace(&mut walk.shown_path, shown_here.clone()),
        std::mem::replace(&mut walk.schema_path, schema_path),
    );
    let result = match &mut node.value {
        Value::Table(inner) => set_in(inner, rest, value, walk, applied),
        Value::Array(elements)
            if segment.index.is_none()
                && !elements.is_empty()
                && elements.iter().all(|e| matches!(e.value, Value::Table(_))) =>
        {
            let base = walk.shown_path.clone();
            let mut result = Ok(());
            for (position, element) in elements.iter_mut().enumerate() {
                walk.shown_path = format!("{base}[{position}]");
                if let Value::Table(inner) = &mut element.value
                    && let Err(error) = set_in(inner, rest, value, walk, applied)
                {
                    result = Err(error);
                    break;
                }
            }
            result
        }
        other => Err(walk.error(
            segment,
            Diagnostic::error(format!("`{shown_here}` has no keys"))
                .with_label(format!(
                    "expected a table or a list of tables, found {}",
                    other.kind()
                ))
                .with_hint(format!(
                    "set `{shown_here}` itself: `--set {shown_here}=...`"
                )),
        )),
    };
    walk.shown_path = saved.0;
    walk.schema_path = saved.1;
    result
}

/// `` `a`, `b` and `c` `` (sorted, without repeats).
pub(crate) fn list(names: &[&str]) -> String {
    let mut names: Vec<&str> = names.to_vec();
    names.sort_unstable();
    names.dedup();
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => "none".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Splits `a.b[2].c` into segments with their byte ranges; an error is `(start, end, label)`.
fn segments(key: &str) -> Result<Vec<Segment>, (usize, usize, String)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for part in key.split('.') {
        let start = offset;
        let end = offset + part.len();
        offset = end + 1;
        let trimmed = part.trim();
        let lead = part.len() - part.trim_start().len();
        let (name, index) = match trimmed.split_once('[') {
            None => (trimmed, None),
            Some((name, tail)) => {
                let Some(number) = tail.strip_suffix(']') else {
                    return Err((start, end, format!("expected `name[N]`, found `{trimmed}`")));
                };
                let Ok(index) = number.trim().parse::<usize>() else {
                    return Err((
                        start,
                        end,
                        format!("expected a whole number from 0 in `[...]`, found `{number}`"),
                    ));
                };
                (name.trim(), Some(index))
            }
        };
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err((
                start,
                end.max(start + 1),
                format!("expected a key name (letters, digits, `_` and `-`), found `{trimmed}`"),
            ));
        }
        out.push(Segment {
            name: name.to_owned(),
            index,
            start: start + lead,
            end: start + lead + trimmed.len(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_have_names_indices_and_ranges() {
        let parsed = segments("asylum.channel[1].success").unwrap();
        let names: Vec<(&str, Option<usize>)> =
            parsed.iter().map(|s| (s.name.as_str(), s.index)).collect();
        assert_eq!(
            names,
            vec![("asylum", None), ("channel", Some(1)), ("success", None)]
        );
        assert_eq!((parsed[1].start, parsed[1].end), (7, 17));
        assert!(segments("a..b").is_err());
        assert!(segments("a[x]").is_err());
        assert!(segments("a[1").is_err());
    }

    #[test]
    fn positions_are_lines_and_character_columns() {
        let text = "a = 1\nnamé = \"x\"\n";
        let at = text.find("\"x\"").unwrap();
        let (span, line) = locate(text, at, at + 3, FILE, None);
        assert_eq!((span.line, span.column, span.len), (2, 8, 3));
        assert_eq!(line, "namé = \"x\"");
    }
}
