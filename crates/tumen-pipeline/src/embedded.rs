//! The flagship scenario, embedded in the binary so that `tumen run` works with no files.

use tumen_scenario::MemorySource;

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../../scenarios/korea-china/", $path)) as &[u8])),*]
    };
}

/// The files of `scenarios/korea-china/`, relative to it.
pub const FILES: &[(&str, &[u8])] = embed![
    "input_csv/locations.csv",
    "input_csv/routes.csv",
    "input_csv/closures.csv",
    "input_csv/conflicts.csv",
    "input_csv/sim_period.csv",
    "input_csv/registration_corrections.csv",
    "source_data/data_layout.csv",
    "source_data/refugees.csv",
    "source_data/seoul.csv",
    "simsetting.yml",
    "scenario.toml",
    "posterior.csv",
    "mechanisms/arrivals_south_korea.csv",
    "mechanisms/asylum_incidents.csv",
    "mechanisms/deportations.csv",
    "mechanisms/evaluation.csv",
    "mechanisms/famine_index.csv",
    "mechanisms/hidden_population.csv",
    "mechanisms/missions.csv",
    "mechanisms/mortality.csv",
    "mechanisms/return_conditions.csv",
    "mechanisms/targets.csv",
];

/// The embedded scenario's name.
pub(crate) const NAME: &str = "korea-china";

/// The embedded files as a scenario source.
pub(crate) fn source() -> MemorySource {
    MemorySource::new(
        FILES
            .iter()
            .map(|(path, bytes)| ((*path).to_owned(), bytes.to_vec())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tumen_scenario::LoadOptions;

    /// Every file of the scenario directory that a Flee reader needs is embedded: a file added
    /// to `scenarios/korea-china/` without being listed here would silently be missing.
    #[test]
    fn every_scenario_file_is_embedded() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/korea-china");
        let mut on_disk = Vec::new();
        for dir in ["input_csv", "source_data", "mechanisms"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                on_disk.push(format!("{dir}/{name}"));
            }
        }
        on_disk.push("simsetting.yml".to_owned());
        on_disk.push("scenario.toml".to_owned());
        on_disk.push("posterior.csv".to_owned());
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(p, _)| (*p).to_owned()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn the_embedded_scenario_loads_without_errors() {
        let loaded = tumen_scenario::load(&source(), NAME, &LoadOptions::default()).unwrap();
        assert_eq!(loaded.scenario.name, "korea-china");
        assert_eq!(loaded.scenario.days, 6209);
        // The hiding areas have no observed series (no source gives the hidden population by
        // place; NOTES.md section 5), and being in an irregular country they are not asked
        // for one: the flagship loads without a warning.
        let warnings: Vec<String> = loaded.warnings.iter().map(|w| w.message.clone()).collect();
        assert_eq!(warnings, Vec::<String>::new());
    }
}
