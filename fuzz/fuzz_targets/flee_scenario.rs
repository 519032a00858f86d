//! Scenario building with `load_flee` on a `MemorySource`: the input replaces files of the
//! valid toy scenario (`tests/scenarios/toy_escape`), in sections `--- <path>` followed by the
//! file's bytes (`--- -<path>` removes a file).
#![no_main]

macro_rules! toy {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../tests/scenarios/toy_escape/", $path)).as_slice())),*]
    };
}

const TOY: &[(&str, &[u8])] = toy![
    "input_csv/closures.csv",
    "input_csv/conflicts.csv",
    "input_csv/locations.csv",
    "input_csv/registration_corrections.csv",
    "input_csv/routes.csv",
    "input_csv/sim_period.csv",
    "simsetting.yml",
    "source_data/data_layout.csv",
    "source_data/far.csv",
    "source_data/near.csv",
    "source_data/refugees.csv",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tumen_scenario::fuzzing::scenario(TOY, data);
});
