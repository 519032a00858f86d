//! The CSV reader of `tumen-scenario`: UTF-8 decoding, records with positions, and the number
//! and date parsers applied to every field.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tumen_scenario::fuzzing::csv(data);
});
