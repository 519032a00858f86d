//! The native reader (`tumen_scenario::load`: `scenario.toml`, its tables and `--set`
//! overrides, then the Flee part) on a `MemorySource`: the input replaces files of
//! `examples/hidden-border`, in sections `--- <path>` followed by the file's bytes
//! (`--- -<path>` removes a file; the lines of a section `--- @set` are overrides).
#![no_main]

macro_rules! example {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../examples/hidden-border/", $path)).as_slice())),*]
    };
}

const EXAMPLE: &[(&str, &[u8])] = example![
    "scenario.toml",
    "simsetting.yml",
    "input_csv/closures.csv",
    "input_csv/conflicts.csv",
    "input_csv/locations.csv",
    "input_csv/routes.csv",
    "input_csv/sim_period.csv",
    "mechanisms/aid.csv",
    "mechanisms/asylum_incidents.csv",
    "mechanisms/asylum_rate.csv",
    "mechanisms/famine_index.csv",
    "source_data/data_layout.csv",
    "source_data/hilltop.csv",
    "source_data/millbrook.csv",
    "source_data/refugees.csv",
    "source_data/westport.csv",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tumen_scenario::fuzzing::native_scenario(EXAMPLE, data);
});
