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
        let root = self.dir();
        add_files(&mut source, &root, &root);
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

fn add_files(source: &mut MemorySource, root: &Path, dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            add_files(source, root, &path);
        } else {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            source.insert(relative, std::fs::read(&path).unwrap());
        }
    }
}
