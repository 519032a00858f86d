//! `agents.csv`: agents present at the start.

use super::{AGENTS, Loader};
use crate::ScenarioError;
use crate::diagnostic::Diagnostic;
use crate::text::one_of;
use tumen_core::{LocationId, Settings};

impl Loader<'_> {
    pub(super) fn agents(&mut self, settings: &Settings) -> Result<Vec<LocationId>, ScenarioError> {
        if !settings.spawn_rules.read_from_agents_csv_file {
            return Ok(Vec::new());
        }
        let Some((file, records)) = self.csv(
            AGENTS,
            Some("the agents to place on day 0 (`read_from_agents_csv_file` is True)"),
        )?
        else {
            return Ok(Vec::new());
        };
        let mut agents = Vec::new();
        let mut header_seen = false;
        for record in &records {
            if record.fields.is_empty() || record.is_blank() || record.is_comment() {
                continue;
            }
            if !header_seen {
                header_seen = true;
                if let Some(field) = record.fields.first() {
                    if self.by_name.contains_key(&field.text) {
                        let diagnostic = Diagnostic::warning(
                            "the first row of `agents.csv` is read as its header",
                        )
                        .with_label(format!(
                            "expected a header such as `location,age`, found the location `{}`",
                            field.text
                        ))
                        .with_hint("this agent is not placed, as in Flee; add a header row");
                        self.push(file.at_field(diagnostic, field, 0, "location"));
                    } else if record.fields.len() > 1 {
                        let names: Vec<&str> = record
                            .fields
                            .iter()
                            .skip(1)
                            .map(|f| f.text.as_str())
                            .collect();
                        let diagnostic = Diagnostic::warning("agent attributes are ignored")
                            .with_label(format!("expected no attributes, found {}", one_of(&names)))
                            .with_hint("Tumen agents have no attributes; every agent is placed at its location");
                        self.push(file.at_field(diagnostic, field, 0, "location"));
                    }
                }
                continue;
            }
            if let Some(index) = self.location_at(&file, record, 0, "location") {
                agents.push(LocationId::from_index(index));
            }
        }
        Ok(agents)
    }
}
