//! What the native-format tests share: an example scenario of `examples/`, in memory, edited
//! and loaded under its own name.
#![expect(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use tumen_scenario::{LoadOptions, Loaded, MemorySource, ScenarioError, load, render};

/// The example scenario `examples/<name>`.
pub(crate) struct Example(pub(crate) &'static str);

impl Example {
    pub(crate) fn dir(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(self.0)
    }

    /// Every file of the example, in memory.
    pub(crate) fn source(&self) -> MemorySource {
        let mut source = MemorySource::default();
        for (path, bytes) in files_under(&self.dir()) {
            source.insert(path, bytes);
        }
        source
    }

    pub(crate) fn file_text(&self, relative: &str) -> String {
        std::fs::read_to_string(self.dir().join(relative)).unwrap()
    }

    /// The example with one replacement in one of its files.
    pub(crate) fn edited_file(&self, relative: &str, from: &str, to: &str) -> MemorySource {
        let text = self.file_text(relative);
        assert!(text.contains(from), "`{from}` is not in {relative}");
        self.source().with(relative, text.replacen(from, to, 1))
    }

    /// Loads `source` under the example's name, with `--set` overrides.
    pub(crate) fn try_load(
        &self,
        source: &MemorySource,
        overrides: &[&str],
    ) -> Result<Loaded, ScenarioError> {
        let options = LoadOptions {
            overrides: overrides.iter().map(|s| (*s).to_owned()).collect(),
            ..LoadOptions::default()
        };
        load(source, self.0, &options)
    }

    /// A load that must succeed.
    pub(crate) fn loaded(&self, source: &MemorySource, overrides: &[&str]) -> Loaded {
        match self.try_load(source, overrides) {
            Ok(loaded) => loaded,
            Err(error) => panic!("does not load:\n{error}"),
        }
    }

    /// Every diagnostic of a load that must fail, rendered.
    pub(crate) fn errors(&self, source: &MemorySource, overrides: &[&str]) -> String {
        match self.try_load(source, overrides) {
            Ok(loaded) => panic!(
                "loads, with warnings:\n{}",
                loaded.warnings.iter().map(render).collect::<String>()
            ),
            Err(error) => error.to_string(),
        }
    }
}

/// Every file under `root`, as (path relative to `root` with `/` separators, bytes), in the
/// order the directory walk meets them.
pub(crate) fn files_under(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).unwrap();
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((parts.join("/"), std::fs::read(&path).unwrap()));
        }
    }
}

/// The day number of an ISO date in the examples (which start on 2000-01-01).
pub(crate) fn day(date: &str) -> i64 {
    let start: jiff::civil::Date = "2000-01-01".parse().unwrap();
    let date: jiff::civil::Date = date.parse().unwrap();
    (date - start).get_days().into()
}
