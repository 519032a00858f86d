//! Entry points for the fuzz targets in `fuzz/` (not a stable API).
//!
//! Each function takes arbitrary bytes, runs one reader on them and checks what must hold
//! whatever the input: no panic, diagnostics that point inside the file, rendering that never
//! fails. A violated invariant panics, which is what the fuzzer reports.

use crate::diagnostic::Diagnostic;
use crate::text::{TextFile, parse_csv, parse_date, py_float, py_int, suggest};
use crate::{LoadOptions, MemorySource, ScenarioError, load_flee, render};

/// Checks that a diagnostic about `file` points at a line of it and renders.
fn check_diagnostic(diagnostic: &Diagnostic, lines: usize) {
    if let Some(span) = &diagnostic.span {
        let line = usize::try_from(span.line).unwrap_or(usize::MAX);
        assert!(
            (1..=lines.max(1)).contains(&line),
            "diagnostic at line {line} of a file with {lines} line(s): {diagnostic:?}"
        );
        assert!(span.column >= 1, "column 0: {diagnostic:?}");
    }
    let text = render(diagnostic);
    assert!(
        text.ends_with('\n'),
        "rendered text without a final newline"
    );
}

/// Number of lines as the diagnostics count them: `\n`, `\r\n` and `\r` end a line, and a
/// final line end opens an empty line.
fn line_count(bytes: &[u8]) -> usize {
    let mut count = 1;
    let mut iter = bytes.iter().peekable();
    while let Some(&b) = iter.next() {
        match b {
            b'\n' => count += 1,
            b'\r' => {
                if iter.peek() == Some(&&b'\n') {
                    iter.next();
                }
                count += 1;
            }
            _ => {}
        }
    }
    count
}

/// The CSV reader: decoding, records with positions, and the number and date parsers on every
/// field.
///
/// # Panics
/// When an invariant is violated (a field outside the file, a diagnostic that does not render).
pub fn csv(bytes: &[u8]) {
    let file = match TextFile::decode("fuzz.csv", bytes.to_vec()) {
        Ok(file) => file,
        Err(diagnostic) => {
            check_diagnostic(&diagnostic, line_count(bytes));
            return;
        }
    };
    let lines = line_count(file.text.as_bytes());
    let records = match parse_csv(&file) {
        Ok(records) => records,
        Err(diagnostic) => {
            check_diagnostic(&diagnostic, lines);
            return;
        }
    };
    let mut names: Vec<&str> = Vec::new();
    for record in &records {
        assert!(record.line >= 1 && usize::try_from(record.line).unwrap_or(0) <= lines);
        for field in &record.fields {
            let line = usize::try_from(field.line).unwrap_or(usize::MAX);
            assert!(
                (1..=lines).contains(&line),
                "field at line {line} of {lines}"
            );
            assert!(file.line(field.line).is_some(), "no text for line {line}");
            let _ = py_int(&field.text);
            let _ = py_float(&field.text);
            let _ = parse_date(&field.text);
            if names.len() < 64 {
                names.push(field.text.as_str());
            }
        }
    }
    if let Some(first) = names.first() {
        let _ = suggest(first, names.iter().copied());
    }
}

/// The settings reader (`simsetting.yml`), from bytes.
///
/// # Panics
/// When an invariant is violated.
pub fn settings(bytes: &[u8]) {
    let file = match TextFile::decode("simsetting.yml", bytes.to_vec()) {
        Ok(file) => file,
        Err(diagnostic) => {
            check_diagnostic(&diagnostic, line_count(bytes));
            return;
        }
    };
    let lines = line_count(file.text.as_bytes());
    let read = crate::settings::read_settings(&file);
    for diagnostic in &read.diagnostics {
        check_diagnostic(diagnostic, lines);
    }
}

/// Scenario building from in-memory files. `bytes` holds sections, each starting with a line
/// `--- <path>` (a path relative to the scenario directory) followed by the file's bytes; a
/// section `--- -<path>` removes the file. Sections replace files of `base`; bytes before the
/// first section are ignored.
///
/// # Panics
/// When the loader panics or returns a diagnostic that does not render.
pub fn scenario(base: &[(&str, &[u8])], bytes: &[u8]) {
    let (source, _) = source_of(base, bytes);
    check_load(load_flee(&source, "fuzz", &LoadOptions::default()));
}

/// The native reader (`scenario.toml` and its tables, then the Flee part) from in-memory files,
/// as [`scenario`]; the lines of a section `--- @set` are `--set` overrides.
///
/// # Panics
/// When the loader panics or returns a diagnostic that does not render.
pub fn native_scenario(base: &[(&str, &[u8])], bytes: &[u8]) {
    let (source, overrides) = source_of(base, bytes);
    let options = LoadOptions {
        overrides,
        ..LoadOptions::default()
    };
    check_load(crate::load(&source, "fuzz", &options));
}

/// The files of `base` with the sections of `bytes` applied, and the `--set` overrides.
fn source_of(base: &[(&str, &[u8])], bytes: &[u8]) -> (MemorySource, Vec<String>) {
    let mut source = MemorySource::new(
        base.iter()
            .map(|(path, content)| ((*path).to_owned(), content.to_vec())),
    );
    let mut overrides = Vec::new();
    for (path, content) in sections(bytes) {
        if path == "@set" {
            overrides.extend(
                String::from_utf8_lossy(&content)
                    .lines()
                    .map(str::to_owned)
                    .take(64),
            );
        } else if let Some(removed) = path.strip_prefix('-') {
            source.remove(removed);
        } else {
            source.insert(path, content);
        }
    }
    (source, overrides)
}

fn check_load(result: Result<crate::Loaded, ScenarioError>) {
    match result {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                let _ = render(warning);
            }
            let network = &loaded.scenario.network;
            assert!(
                !network.locations.is_empty(),
                "a scenario without locations"
            );
        }
        Err(ScenarioError::Invalid { diagnostics }) => {
            assert!(
                diagnostics.iter().any(Diagnostic::is_error),
                "Invalid without an error"
            );
            for diagnostic in &diagnostics {
                let _ = render(diagnostic);
            }
        }
        Err(ScenarioError::Io { .. }) => panic!("memory sources never fail to read"),
    }
}

/// Splits fuzz input into `(path, bytes)` sections (see [`scenario`]).
#[must_use]
pub fn sections(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    const MARK: &[u8] = b"--- ";
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let mut rest = bytes;
    let mut at_line_start = true;
    let mut current: Option<(String, Vec<u8>)> = None;
    while !rest.is_empty() {
        let line_end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |at| at + 1);
        let (line, tail) = rest.split_at(line_end);
        if at_line_start && let Some(header) = line.strip_prefix(MARK) {
            if let Some(section) = current.take() {
                out.push(section);
            }
            let path = String::from_utf8_lossy(header).trim().to_owned();
            current = Some((path, Vec::new()));
        } else if let Some((_, content)) = current.as_mut() {
            content.extend_from_slice(line);
        }
        at_line_start = line.ends_with(b"\n");
        rest = tail;
    }
    if let Some(section) = current {
        out.push(section);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_split_on_header_lines() {
        let input = b"ignored\n--- a.csv\nx,y\n--- b/c.csv\n\n--- -d.csv\n";
        let sections = sections(input);
        assert_eq!(
            sections,
            vec![
                ("a.csv".to_owned(), b"x,y\n".to_vec()),
                ("b/c.csv".to_owned(), b"\n".to_vec()),
                ("-d.csv".to_owned(), Vec::new()),
            ]
        );
    }

    #[test]
    fn entry_points_accept_odd_bytes() {
        for bytes in [&b""[..], b"\xff\xfe", b"a,\"b\n", b"x: [1\n", b"\r\r\n,,\r"] {
            csv(bytes);
            settings(bytes);
            scenario(&[], bytes);
            native_scenario(&[], bytes);
        }
    }
}
