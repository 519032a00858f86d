//! The settings reader: `simsetting.yml` bytes through the YAML tree and every key's checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tumen_scenario::fuzzing::settings(data);
});
