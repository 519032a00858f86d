//! A small YAML tree with positions, built from `granit-parser` events, and scalar resolution
//! close to PyYAML's `safe_load` (YAML 1.1: `True`, `yes` and `on` are booleans).

use crate::diagnostic::{Diagnostic, Span};
use crate::text::{TextFile, py_int, to_u32};
use granit_parser::{Event, Parser, ScalarStyle, StructureStyle};
use std::collections::HashMap;

/// Most nodes a settings file may expand to (aliases included), against alias bombs.
const MAX_NODES: usize = 100_000;

/// A YAML node and where it starts.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) kind: NodeKind,
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) len: u32,
}

#[derive(Clone, Debug)]
pub(crate) enum NodeKind {
    Scalar {
        text: String,
        /// Plain (unquoted, not a block scalar) and not tagged `!!str`.
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A resolved scalar.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i128),
    /// May be infinite or NaN (`.inf`, `.nan`).
    Float(f64),
    Str(&'a str),
}

impl Node {
    fn node_count(&self) -> usize {
        match &self.kind {
            NodeKind::Scalar { .. } => 1,
            NodeKind::Seq(items) => 1 + items.iter().map(Node::node_count).sum::<usize>(),
            NodeKind::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.node_count() + v.node_count())
                    .sum::<usize>()
            }
        }
    }

    /// The scalar's value as PyYAML's resolver sees it; `None` for collections.
    pub(crate) fn scalar(&self) -> Option<Scalar<'_>> {
        let NodeKind::Scalar { text, plain } = &self.kind else {
            return None;
        };
        if !plain {
            return Some(Scalar::Str(text));
        }
        Some(resolve_plain(text))
    }

    /// The node as written, for "found `...`" labels.
    pub(crate) fn shown(&self) -> String {
        match &self.kind {
            NodeKind::Scalar { text, plain: true } if text.is_empty() => "nothing".to_owned(),
            NodeKind::Scalar { text, plain: true } => format!("`{}`", crate::text::shown(text)),
            NodeKind::Scalar { text, plain: false } => {
                format!("the string `\"{}\"`", crate::text::shown(text))
            }
            NodeKind::Seq(_) => "a list".to_owned(),
            NodeKind::Map(_) => "a mapping".to_owned(),
        }
    }

    /// A diagnostic pointing at this node.
    pub(crate) fn locate(&self, diagnostic: Diagnostic, file: &TextFile, key: &str) -> Diagnostic {
        diagnostic.at(
            Span {
                file: file.label.clone(),
                line: self.line,
                column: self.column,
                len: self.len.max(1),
                field: (!key.is_empty()).then(|| format!("`{key}`")),
            },
            file.line(self.line),
        )
    }
}

fn resolve_plain(text: &str) -> Scalar<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Scalar::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Scalar::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    let numeric = text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E' | b'_'));
    if numeric {
        if let Ok(value) = py_int(text) {
            return Scalar::Int(value);
        }
        if let Ok(value) = text.replace('_', "").parse::<f64>() {
            return Scalar::Float(value);
        }
    }
    Scalar::Str(text)
}

enum Frame {
    Seq(Node, Vec<Node>, usize),
    Map(Node, Vec<(Node, Node)>, Option<Node>, usize),
}

/// Parses a YAML document into a tree. An empty document (or only comments) is `None`.
pub(crate) fn parse(file: &TextFile) -> Result<Option<Node>, Box<Diagnostic>> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut documents = 0_usize;
    let mut nodes = 0_usize;
    // For every open collection, where it starts and its bracket when it is a flow collection.
    let mut flows: Vec<Option<(usize, usize, char)>> = Vec::new();
    let syntax = |line: usize, column: usize, message: String, label: String| {
        Box::new(
            Diagnostic::error(message)
                .at(
                    Span {
                        file: file.label.clone(),
                        line: to_u32(line),
                        column: to_u32(column),
                        len: 1,
                        field: None,
                    },
                    file.line(to_u32(line)),
                )
                .with_label(label),
        )
    };
    for next in Parser::new_from_str(&file.text) {
        let (event, span) = match next {
            Ok(pair) => pair,
            Err(error) => {
                let marker = error.marker();
                let innermost_flow = flows.iter().rev().find_map(|flow| *flow);
                if let Some((line, column, open)) = innermost_flow
                    && line < marker.line()
                {
                    let close = if open == '[' { ']' } else { '}' };
                    let what = if open == '[' { "list" } else { "mapping" };
                    let diagnostic = *syntax(
                        line,
                        column,
                        format!("invalid YAML: `{open}` is never closed"),
                        format!(
                            "expected a closing `{close}` for this {what}, found none before line {}",
                            marker.line()
                        ),
                    );
                    return Err(Box::new(diagnostic.with_hint(format!(
                        "close the {what} with `{close}` on its line; the parser stopped at line {}, column {}: {}",
                        marker.line(),
                        marker.col() + 1,
                        error.info()
                    ))));
                }
                return Err(syntax(
                    marker.line().max(1),
                    marker.col() + 1,
                    "invalid YAML".to_owned(),
                    format!(
                        "expected valid YAML, found a syntax error: {}",
                        error.info()
                    ),
                ));
            }
        };
        let line = to_u32(span.start.line().max(1));
        let column = to_u32(span.start.col() + 1);
        let len = to_u32(span.end.index().saturating_sub(span.start.index()));
        let make = |kind| Node {
            kind,
            line,
            column,
            len,
        };
        let finished: Option<(Node, usize)> = match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(syntax(
                        span.start.line(),
                        span.start.col() + 1,
                        "the settings file holds more than one YAML document".to_owned(),
                        "expected a single document, found a second one here".to_owned(),
                    ));
                }
                None
            }
            Event::Scalar(text, style, anchor, tag) => {
                let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix() == "str");
                let plain = style == ScalarStyle::Plain && !is_str_tag;
                Some((
                    make(NodeKind::Scalar {
                        text: text.into_owned(),
                        plain,
                    }),
                    anchor,
                ))
            }
            Event::SequenceStart(style, anchor, _) => {
                flows.push(
                    (style == StructureStyle::Flow)
                        .then(|| (span.start.line().max(1), span.start.col() + 1, '[')),
                );
                stack.push(Frame::Seq(
                    make(NodeKind::Seq(Vec::new())),
                    Vec::new(),
                    anchor,
                ));
                None
            }
            Event::MappingStart(style, anchor, _) => {
                flows.push(
                    (style == StructureStyle::Flow)
                        .then(|| (span.start.line().max(1), span.start.col() + 1, '{')),
                );
                stack.push(Frame::Map(
                    make(NodeKind::Map(Vec::new())),
                    Vec::new(),
                    None,
                    anchor,
                ));
                None
            }
            Event::SequenceEnd => {
                flows.pop();
                match stack.pop() {
                    Some(Frame::Seq(mut node, items, anchor)) => {
                        node.kind = NodeKind::Seq(items);
                        Some((node, anchor))
                    }
                    _ => None,
                }
            }
            Event::MappingEnd => {
                flows.pop();
                match stack.pop() {
                    Some(Frame::Map(mut node, entries, _, anchor)) => {
                        node.kind = NodeKind::Map(entries);
                        Some((node, anchor))
                    }
                    _ => None,
                }
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(target) => {
                    nodes += target.node_count();
                    let mut copy = target.clone();
                    copy.line = line;
                    copy.column = column;
                    copy.len = len;
                    Some((copy, 0))
                }
                None => {
                    return Err(syntax(
                        span.start.line(),
                        span.start.col() + 1,
                        "unknown YAML alias".to_owned(),
                        "expected an alias of an anchor defined before it".to_owned(),
                    ));
                }
            },
            _ => None,
        };
        let Some((node, anchor)) = finished else {
            continue;
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(syntax(
                span.start.line(),
                span.start.col() + 1,
                "the settings file is too large".to_owned(),
                format!("expected at most {MAX_NODES} values (aliases expanded), found more"),
            ));
        }
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(_, items, _)) => items.push(node),
            Some(Frame::Map(_, entries, pending, _)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
    Ok(root.filter(|node| !matches!(node.scalar(), Some(Scalar::Null))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Node {
        parse(&TextFile::new("s.yml", text.to_owned()))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn builds_a_positioned_tree() {
        let root = tree("a:\n  b: True\n  c: [1, 2.5]\nd: \"x\"\n");
        let NodeKind::Map(entries) = &root.kind else {
            panic!()
        };
        assert_eq!(entries.len(), 2);
        let (key, value) = &entries[0];
        assert_eq!((key.line, key.column), (1, 1));
        let NodeKind::Map(inner) = &value.kind else {
            panic!()
        };
        assert_eq!(inner[0].1.scalar(), Some(Scalar::Bool(true)));
        assert_eq!((inner[0].1.line, inner[0].1.column), (2, 6));
        assert_eq!(entries[1].1.scalar(), Some(Scalar::Str("x")));
    }

    #[test]
    fn resolves_like_pyyaml() {
        assert_eq!(resolve_plain("400"), Scalar::Int(400));
        assert_eq!(resolve_plain("-1.5"), Scalar::Float(-1.5));
        assert_eq!(resolve_plain("off"), Scalar::Bool(false));
        assert_eq!(resolve_plain("~"), Scalar::Null);
        assert_eq!(resolve_plain("fast"), Scalar::Str("fast"));
        assert!(matches!(resolve_plain(".nan"), Scalar::Float(v) if v.is_nan()));
    }

    #[test]
    fn empty_documents_have_no_root() {
        let file = TextFile::new("s.yml", "# only a comment\n".to_owned());
        assert!(parse(&file).unwrap().is_none());
        let file = TextFile::new("s.yml", String::new());
        assert!(parse(&file).unwrap().is_none());
    }

    #[test]
    fn syntax_errors_are_located() {
        let file = TextFile::new("s.yml", "a: [1, 2\nb: 3\n".to_owned());
        let error = parse(&file).unwrap_err();
        assert!(error.span.is_some());
    }

    #[test]
    fn an_unclosed_bracket_is_reported_where_it_opens() {
        let file = TextFile::new("s.yml", "a:\n  b: [1, 2\n  c: 3\n".to_owned());
        let error = parse(&file).unwrap_err();
        let span = error.span.clone().unwrap();
        assert_eq!((span.line, span.column), (2, 6));
        assert!(
            error.message.contains("`[` is never closed"),
            "{}",
            error.message
        );
        let file = TextFile::new("s.yml", "a: {x: 1\nb: 2\n".to_owned());
        let error = parse(&file).unwrap_err();
        assert!(
            error.message.contains("`{` is never closed"),
            "{}",
            error.message
        );
        assert_eq!(error.span.unwrap().line, 1);
    }

    #[test]
    fn aliases_expand_within_a_budget() {
        let root = tree("base: &b {x: 1}\ncopy: *b\n");
        let NodeKind::Map(entries) = &root.kind else {
            panic!()
        };
        assert!(matches!(entries[1].1.kind, NodeKind::Map(_)));
        let mut bomb = String::from("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
        let names = ["b", "c", "d", "e", "f", "g"];
        let mut previous = "a";
        for name in names {
            bomb.push_str(&format!(
                "{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
            ));
            previous = name;
        }
        let file = TextFile::new("s.yml", bomb);
        assert!(parse(&file).is_err());
    }
}
