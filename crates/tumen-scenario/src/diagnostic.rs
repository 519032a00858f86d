//! Diagnostics: what went wrong, where, and how it reads on a terminal.

use std::fmt::Write as _;

/// A place in an input file. Lines and columns are 1-based; columns count characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file, relative to the scenario directory (`input_csv/routes.csv`), or the settings
    /// path as given.
    pub file: String,
    /// Line, from 1.
    pub line: u32,
    /// Column of the first character, from 1.
    pub column: u32,
    /// Number of characters marked (0 marks a single position).
    pub len: u32,
    /// Which field or key, as shown after the position: ``field 3 (`distance`)`` for a CSV
    /// field, `` `move_rules.awareness_level` `` for a settings key.
    pub field: Option<String>,
}

/// How serious a diagnostic is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The scenario cannot be loaded.
    Error,
    /// Questionable but valid input; loading goes on (`--strict` turns these into errors).
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// One problem found in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One sentence, lower-case start, no period; names and values in backticks.
    pub message: String,
    /// Where, when the problem has a place.
    pub span: Option<Span>,
    /// What is shown under the caret: ``expected X, found `Y` ``.
    pub label: Option<String>,
    /// A suggestion (`did you mean ...?`).
    pub hint: Option<String>,
    /// The text of the line `span` points into, for drawing the caret.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error with a message and nothing else.
    #[must_use]
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message.into())
    }

    /// A warning with a message and nothing else.
    #[must_use]
    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message.into())
    }

    fn new(severity: Severity, message: String) -> Self {
        Self {
            severity,
            message,
            span: None,
            label: None,
            hint: None,
            source_line: None,
        }
    }

    /// Sets the place and the source line.
    #[must_use]
    pub fn at(mut self, span: Span, source_line: Option<String>) -> Self {
        self.span = Some(span);
        self.source_line = source_line;
        self
    }

    /// Sets the label under the caret.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint when there is one.
    #[must_use]
    pub fn with_hint_opt(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    /// Whether this is an error.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The input is wrong: every error found (at most 50), then the warnings, each sorted by
    /// file and line.
    #[error("{}", render_all(diagnostics))]
    Invalid {
        /// Errors first, then warnings.
        diagnostics: Vec<Diagnostic>,
    },
    /// A file exists but could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path as the source describes it.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl ScenarioError {
    /// The diagnostics of an [`ScenarioError::Invalid`] error (empty for I/O errors).
    #[must_use]
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Self::Invalid { diagnostics } => diagnostics,
            Self::Io { .. } => &[],
        }
    }
}

fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render(diagnostic));
        out.push('\n');
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let _ = write!(out, "the scenario has {errors} error(s)");
    out
}

/// The longest source line drawn in full; longer lines are cut around the caret.
const MAX_SHOWN_LINE: usize = 110;

/// Renders a diagnostic as plain text in the style of rustc and uv, ending with a newline:
///
/// ```text
/// error: invalid distance for link `Kidal` → `Bourem`
///   --> input_csv/routes.csv:14:14, field 3 (`distance`)
///    |
/// 14 | Kidal,Bourem,-12,0
///    |              ^^^ expected a distance in km greater than 0, found `-12`
/// ```
#[must_use]
pub fn render(diagnostic: &Diagnostic) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}",
        diagnostic.severity.as_str(),
        diagnostic.message
    );
    let line_number = diagnostic.span.as_ref().map_or(0, |span| span.line);
    let width = line_number.to_string().len().max(2);
    let pad = " ".repeat(width);
    if let Some(span) = &diagnostic.span {
        let _ = write!(out, "{pad}--> {}:{}:{}", span.file, span.line, span.column);
        if let Some(field) = &span.field {
            let _ = write!(out, ", {field}");
        }
        out.push('\n');
        if let Some(source) = &diagnostic.source_line {
            let (shown, caret_column) = window(source, span.column);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{line_number:>width$} | {shown}");
            let marks = "^".repeat(usize::try_from(span.len).unwrap_or(1).clamp(1, 200));
            let _ = write!(out, "{pad} | {}{marks}", " ".repeat(caret_column));
            if let Some(label) = &diagnostic.label {
                let _ = write!(out, " {label}");
            }
            out.push('\n');
        } else if let Some(label) = &diagnostic.label {
            let _ = writeln!(out, "{pad} = {label}");
        }
    } else if let Some(label) = &diagnostic.label {
        let _ = writeln!(out, "{pad} = {label}");
    }
    if let Some(hint) = &diagnostic.hint {
        let _ = writeln!(out, "\nhint: {hint}");
    }
    out
}

/// How a character of a source line is drawn: a tab as a space, other control characters as
/// their Unicode control picture (NUL as `␀`), so that they are visible and the caret still
/// lines up.
pub(crate) fn visible(c: char) -> char {
    match c {
        '\t' => ' ',
        '\u{7f}' => '\u{2421}',
        c if u32::from(c) < 0x20 => char::from_u32(0x2400 + u32::from(c)).unwrap_or(' '),
        c if c.is_control() => '\u{FFFD}',
        c => c,
    }
}

/// The part of `line` to show and the caret's offset in it (0-based), with control characters
/// drawn visibly (see [`visible`]) so that the caret lines up.
fn window(line: &str, column: u32) -> (String, usize) {
    let chars: Vec<char> = line.chars().map(visible).collect();
    let caret = usize::try_from(column.saturating_sub(1))
        .unwrap_or(0)
        .min(chars.len());
    if chars.len() <= MAX_SHOWN_LINE {
        return (chars.into_iter().collect(), caret);
    }
    let start = caret.saturating_sub(40);
    let end = (start + MAX_SHOWN_LINE - 10).min(chars.len());
    let mut shown = String::new();
    let mut offset = caret - start;
    if start > 0 {
        shown.push_str("...");
        offset += 3;
    }
    shown.extend(chars.get(start..end).unwrap_or_default());
    if end < chars.len() {
        shown.push_str("...");
    }
    (shown, offset)
}

/// Errors and warnings collected while loading.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) errors: Vec<Diagnostic>,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// At most this many errors are reported.
pub(crate) const MAX_ERRORS: usize = 50;

impl Report {
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        match diagnostic.severity {
            Severity::Error => self.errors.push(diagnostic),
            Severity::Warning => self.warnings.push(diagnostic),
        }
    }

    pub(crate) fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        for diagnostic in diagnostics {
            self.push(diagnostic);
        }
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Sorted warnings.
    pub(crate) fn into_warnings(self) -> Vec<Diagnostic> {
        let mut warnings = self.warnings;
        sort(&mut warnings);
        warnings
    }

    /// Errors (at most [`MAX_ERRORS`], then a note on how many were left out) followed by
    /// warnings, each group sorted by file and line.
    pub(crate) fn into_error(self) -> crate::ScenarioError {
        let mut errors = self.errors;
        let mut warnings = self.warnings;
        sort(&mut errors);
        sort(&mut warnings);
        let total = errors.len();
        if total > MAX_ERRORS {
            errors.truncate(MAX_ERRORS);
            errors.push(
                Diagnostic::error(format!(
                    "too many errors: {} more not shown (the first {MAX_ERRORS} of {total} are above)",
                    total - MAX_ERRORS
                ))
                .with_hint("fix these and load the scenario again to see the rest"),
            );
        }
        warnings.truncate(MAX_ERRORS);
        errors.extend(warnings);
        crate::ScenarioError::Invalid {
            diagnostics: errors,
        }
    }
}

/// Sorts by file, line and column; diagnostics without a place come first, in the order found.
fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.span
                .as_ref()
                .map(|span| (span.file.clone(), span.line, span.column))
        };
        key(a).cmp(&key(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance_error() -> Diagnostic {
        Diagnostic::error("invalid distance for link `Kidal` → `Bourem`")
            .at(
                Span {
                    file: "routes.csv".into(),
                    line: 14,
                    column: 14,
                    len: 3,
                    field: Some("field 3 (`distance`)".into()),
                },
                Some("Kidal,Bourem,-12,0".into()),
            )
            .with_label("expected a distance in km greater than 0, found `-12`")
    }

    #[test]
    fn renders_like_the_brief() {
        let expected = "error: invalid distance for link `Kidal` → `Bourem`
  --> routes.csv:14:14, field 3 (`distance`)
   |
14 | Kidal,Bourem,-12,0
   |              ^^^ expected a distance in km greater than 0, found `-12`
";
        assert_eq!(render(&distance_error()), expected);
    }

    #[test]
    fn renders_a_hint_after_a_blank_line() {
        let diagnostic = Diagnostic::error("unknown location `Bourm`")
            .at(
                Span {
                    file: "routes.csv".into(),
                    line: 7,
                    column: 7,
                    len: 5,
                    field: Some("field 2 (`name2`)".into()),
                },
                None,
            )
            .with_hint("did you mean `Bourem`? Locations are defined in `locations.csv`");
        let expected = "error: unknown location `Bourm`
  --> routes.csv:7:7, field 2 (`name2`)

hint: did you mean `Bourem`? Locations are defined in `locations.csv`
";
        assert_eq!(render(&diagnostic), expected);
    }

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        let mut line = "x,".repeat(200);
        line.push_str("BAD");
        let column = u32::try_from(line.len() - 2).unwrap();
        let diagnostic = Diagnostic::error("bad").at(
            Span {
                file: "f.csv".into(),
                line: 1,
                column,
                len: 3,
                field: None,
            },
            Some(line),
        );
        let text = render(&diagnostic);
        let lines: Vec<&str> = text.lines().collect();
        let source = lines[3];
        let caret = lines[4];
        assert!(source.len() < 130, "{source}");
        let at = caret.find('^').unwrap();
        assert_eq!(&source[at..at + 3], "BAD");
    }

    #[test]
    fn errors_are_capped_and_sorted() {
        let mut report = Report::default();
        for line in (1..=60).rev() {
            report.push(Diagnostic::error("e").at(
                Span {
                    file: "a.csv".into(),
                    line,
                    column: 1,
                    len: 1,
                    field: None,
                },
                None,
            ));
        }
        let error = report.into_error();
        let diagnostics = error.diagnostics();
        assert_eq!(diagnostics.len(), MAX_ERRORS + 1);
        assert_eq!(diagnostics[0].span.as_ref().unwrap().line, 1);
        assert!(diagnostics[MAX_ERRORS].message.contains("10 more"));
    }
}
