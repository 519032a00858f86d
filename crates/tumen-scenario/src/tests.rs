//! Loading whole scenarios from memory and from a temporary directory: what each file gives,
//! and how every kind of bad input reads.

use crate::{LoadOptions, Loaded, MemorySource, ScenarioError, Severity, load_flee, render};
use tumen_core::{ClosureScope, LocationId, LocationKind, SpawnMode};

const LOCATIONS: &str =
    "#name,region,country,latitude,longitude,location_type,conflict_date,population
A,North,Aland,1.5,2.5,conflict_zone,0,1000
B,North,Aland,0,0,town,,500
C,South,Bland,3,4,camp,,300
D,South,Bland,3,5,camp,,
";

const ROUTES: &str = "#name1,name2,distance,forced_redirection
A,B,100,0
B,C,50,
B,D,70,2
";

fn base() -> MemorySource {
    MemorySource::default()
        .with("input_csv/sim_period.csv", "StartDate,2020-01-01\nLength,5\n")
        .with("input_csv/locations.csv", LOCATIONS)
        .with("input_csv/routes.csv", ROUTES)
        .with(
            "input_csv/closures.csv",
            "#closure_type,name1,name2,closure_start,closure_end\ncountry,Aland,Bland,2,4\nlocation,B,,1,-1\n",
        )
        .with(
            "input_csv/conflicts.csv",
            "#Day,A,B\n0,1,0\n1,1,0\n2,1,0.5\n3,1,0.5\n4,1,0.5\n",
        )
        .with(
            "source_data/data_layout.csv",
            "total,refugees.csv\nC,c.csv\nD,d1.csv,d2.csv\n",
        )
        .with(
            "source_data/refugees.csv",
            "Date,Count\n2020-01-01,100\n2020-01-03,300\n",
        )
        .with("source_data/c.csv", "2019-12-30,10\n2020-01-03,50\n")
        .with("source_data/d1.csv", "2020-01-01,20\n2020-01-05,60\n")
        .with("source_data/d2.csv", "2020-01-01,5\n2020-01-05,5\n")
        .with("simsetting.yml", "move_rules:\n  max_move_speed: 300\n")
}

fn load(source: &MemorySource) -> Result<Loaded, ScenarioError> {
    load_flee(source, "test", &LoadOptions::default())
}

fn loaded(source: &MemorySource) -> Loaded {
    match load(source) {
        Ok(loaded) => loaded,
        Err(error) => panic!("expected the scenario to load:\n{error}"),
    }
}

/// The rendered diagnostics of a load that must fail.
fn failure(source: &MemorySource) -> String {
    match load(source) {
        Ok(_) => panic!("expected the scenario to fail to load"),
        Err(ScenarioError::Invalid { diagnostics }) => {
            assert!(diagnostics.iter().any(|d| d.severity == Severity::Error));
            diagnostics
                .iter()
                .map(render)
                .collect::<Vec<_>>()
                .join("\n")
        }
        Err(other) => panic!("expected diagnostics, found {other}"),
    }
}

/// Asserts that loading fails and that the rendering holds every piece of `expected`.
#[track_caller]
fn assert_fails_with(source: &MemorySource, expected: &[&str]) {
    let text = failure(source);
    for piece in expected {
        assert!(
            text.contains(piece),
            "expected to find\n{piece}\nin\n{text}"
        );
    }
}

fn warnings(loaded: &Loaded) -> String {
    loaded
        .warnings
        .iter()
        .map(render)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_file_is_read() {
    let loaded = loaded(&base());
    assert!(loaded.warnings.is_empty(), "{}", warnings(&loaded));
    let scenario = &loaded.scenario;
    assert_eq!(scenario.name, "test");
    assert_eq!(scenario.days, 5);
    assert_eq!(scenario.start_date.to_string(), "2020-01-01");
    assert_eq!(scenario.date_of(3).to_string(), "2020-01-04");

    let network = &scenario.network;
    let names: Vec<&str> = network.locations.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["A", "B", "C", "D"]);
    let a = &network.locations[0];
    assert_eq!(a.kind, LocationKind::ConflictZone);
    assert_eq!((a.latitude, a.longitude), (1.5, 2.5));
    assert_eq!(
        (a.population, a.capacity, a.conflict_date),
        (1000, None, Some(0))
    );
    assert!(!a.foreign);
    let b = &network.locations[1];
    assert_eq!(
        (b.kind, b.population, b.conflict_date),
        (LocationKind::Town, 500, None)
    );
    let c = &network.locations[2];
    assert_eq!(
        (c.kind, c.population, c.capacity),
        (LocationKind::Camp, 0, Some(300))
    );
    assert!(c.foreign);
    assert_eq!(network.locations[3].capacity, None);
    assert_eq!(network.countries, ["Aland", "Bland"]);

    // Three routes, two links each, grouped by start point in file order.
    assert_eq!(network.links.len(), 6);
    let from_b: Vec<&str> = network
        .outgoing(LocationId(1))
        .map(|l| network.location(network.link(l).to).name.as_str())
        .collect();
    assert_eq!(from_b, ["A", "C", "D"]);
    let b_to_d = network.outgoing(LocationId(1)).nth(2).unwrap();
    assert_eq!(network.link(b_to_d).distance_km, 70.0);
    assert_eq!(network.link(b_to_d).forced_redirection, 2);

    let closures = &scenario.schedule.closures;
    assert_eq!(closures.len(), 2);
    assert_eq!(
        closures[0].scope,
        ClosureScope::Country {
            a: network.find_country("Aland"),
            b: network.find_country("Bland")
        }
    );
    assert_eq!((closures[0].start, closures[0].end), (2, 4));
    assert_eq!(
        closures[1].scope,
        ClosureScope::Location {
            location: LocationId(1)
        }
    );
    assert_eq!(closures[1].end, -1);

    let conflicts = &scenario.schedule.conflicts;
    assert_eq!(conflicts.locations, [LocationId(0), LocationId(1)]);
    assert_eq!(conflicts.intensity.len(), 5);
    assert_eq!(conflicts.at(2, 1), 0.5);

    let observations = &scenario.observations;
    assert_eq!(observations.total.points, [(0, 100.0), (2, 300.0)]);
    assert_eq!(observations.total.value_at(1), 200);
    let c_series = observations.camp(LocationId(2)).unwrap();
    assert_eq!(c_series.points, [(-2, 10.0), (2, 50.0)]);
    assert_eq!(c_series.value_at(0), 30);
    // Two files summed as Flee's AddCSVTables does.
    let d_series = observations.camp(LocationId(3)).unwrap();
    assert_eq!(d_series.points, [(0, 25.0), (4, 65.0)]);

    assert_eq!(scenario.settings.move_rules.max_move_speed, 300.0);
    assert_eq!(scenario.settings.hasten, 1);
    assert!(
        loaded
            .settings_report
            .iter()
            .any(|(k, v)| k == "move_rules.max_move_speed" && v == "300.0")
    );
    assert!(scenario.initial_agents.is_empty());
}

#[test]
fn hasten_divides_populations_capacities_and_data() {
    let source = base().with("simsetting.yml", "optimisations:\n  hasten: 7\n");
    let scenario = loaded(&source).scenario;
    let locations = &scenario.network.locations;
    assert_eq!(locations[0].population, 1000 / 7);
    assert_eq!(locations[1].population, 500 / 7);
    assert_eq!(locations[2].capacity, Some(300 / 7));
    assert_eq!(scenario.observations.total.points[1].1, 300.0 / 7.0);
    // A capacity that hasten brings to 0 means unlimited, as in Flee.
    let source = base().with("simsetting.yml", "optimisations:\n  hasten: 1000\n");
    assert_eq!(loaded(&source).scenario.network.locations[2].capacity, None);
}

#[test]
fn registration_corrections_rescale_earlier_points() {
    let source = base().with(
        "input_csv/registration_corrections.csv",
        "C,2020-01-03,normalize\nignored\n",
    );
    let scenario = loaded(&source).scenario;
    let series = scenario.observations.camp(LocationId(2)).unwrap();
    assert_eq!(series.points, [(-2, 50.0), (2, 50.0)]);
    // A correction on the first point changes nothing and says so.
    let source = base().with("input_csv/registration_corrections.csv", "C,2019-12-30\n");
    let loaded = loaded(&source);
    assert_eq!(
        loaded
            .scenario
            .observations
            .camp(LocationId(2))
            .unwrap()
            .points,
        [(-2, 10.0), (2, 50.0)]
    );
    assert!(warnings(&loaded).contains("changes nothing"));
}

/// A correction date that a series lists twice, out of order, is applied at each occurrence in
/// file order, as Flee 3.1's `correctLevel1Registrations` does, with a located warning (issue
/// 15). The expected points and daily values are Flee 3.1's own for these files
/// (`RefugeeTable.ReadL1Corrections`, then `data_table` and `get_field('C', t)`).
#[test]
fn a_correction_date_repeated_in_the_series_is_applied_at_each_occurrence() {
    let source = base()
        .with(
            "source_data/c.csv",
            "2019-12-30,10\n2020-01-03,50\n2020-01-02,40\n2020-01-03,60\n",
        )
        .with("input_csv/registration_corrections.csv", "C,2020-01-03\n");
    let loaded = loaded(&source);
    let series = loaded.scenario.observations.camp(LocationId(2)).unwrap();
    assert_eq!(series.points, [(-2, 75.0), (2, 75.0), (1, 60.0), (2, 60.0)]);
    let daily: Vec<i64> = (0..6).map(|day| series.value_at(day)).collect();
    assert_eq!(daily, [75, 75, 60, 60, 60, 60]);
    let text = warnings(&loaded);
    for piece in [
        "warning: the correction of `C` on 2020-01-03 is applied 2 times: the date is repeated in its series",
        "--> input_csv/registration_corrections.csv:1:3, field 2 (`date`)",
        "found it at data points 2, 4 (out of order)",
    ] {
        assert!(text.contains(piece), "`{piece}` is not in:\n{text}");
    }
}

#[test]
fn bom_crlf_and_trailing_tabs_are_accepted() {
    let crlf = |text: &str| {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(text.replace('\n', "\r\n").into_bytes());
        bytes
    };
    let mut source = base();
    for path in [
        "input_csv/locations.csv",
        "input_csv/routes.csv",
        "input_csv/conflicts.csv",
        "input_csv/sim_period.csv",
        "source_data/data_layout.csv",
        "source_data/c.csv",
        "simsetting.yml",
    ] {
        let text = String::from_utf8(base().read_for_test(path)).unwrap();
        source.insert(path, crlf(&text));
    }
    source.insert(
        "source_data/c.csv",
        crlf("2019-12-30,10\t\n2020-01-03, 50 \n"),
    );
    let loaded = loaded(&source);
    assert_eq!(loaded.scenario.network.locations[0].name, "A");
    assert_eq!(
        loaded
            .scenario
            .observations
            .camp(LocationId(2))
            .unwrap()
            .points,
        [(-2, 10.0), (2, 50.0)]
    );
    assert_eq!(loaded.scenario.settings.move_rules.max_move_speed, 300.0);
}

impl MemorySource {
    fn read_for_test(&self, path: &str) -> Vec<u8> {
        crate::Source::read(self, path).unwrap().unwrap()
    }
}

#[test]
fn flee_31_period_file_and_days_override() {
    let mut source = base();
    source.remove("input_csv/sim_period.csv");
    source.insert(
        "input_csv/conflict_period.csv",
        "\"StartDate\",\"2020-01-01\"\nlength,4\n",
    );
    assert_eq!(loaded(&source).scenario.days, 4);
    let options = LoadOptions {
        settings_path: None,
        days: Some(3),
        ..LoadOptions::default()
    };
    assert_eq!(load_flee(&source, "t", &options).unwrap().scenario.days, 3);
    let options = LoadOptions {
        settings_path: None,
        days: Some(0),
        ..LoadOptions::default()
    };
    assert_eq!(load_flee(&source, "t", &options).unwrap().scenario.days, 4);
}

#[test]
fn extra_columns_become_attributes() {
    let source = base()
        .with(
            "input_csv/locations.csv",
            "#name,region,country,latitude,longitude,location_type,conflict_date,population,conflict_intensity\n\
             A,North,Aland,1.5,2.5,conflict_zone,0,1000,0.25\n\
             B,North,Aland,0,0,town,,500,\n\
             C,South,Bland,3,4,camp,,300,\n\
             D,South,Bland,3,5,camp,,,\n",
        )
        .with(
            "input_csv/routes.csv",
            "#name1,name2,distance,forced_redirection,max_move_speed,walk_probability,link_type\n\
             A,B,100,0,50,0.5,walk\nB,C,50,,,,\nB,D,70,1,,,drive\n",
        );
    let scenario = loaded(&source).scenario;
    let network = &scenario.network;
    assert_eq!(network.locations[0].conflict_intensity, 0.25);
    assert_eq!(network.locations[1].conflict_intensity, 1.0);
    let a_to_b = network.link(network.outgoing(LocationId(0)).next().unwrap());
    assert_eq!(a_to_b.max_move_speed_km_per_day, Some(50.0));
    assert_eq!(a_to_b.walk_probability, 0.5);
    let b_to_c = network.link(network.outgoing(LocationId(1)).nth(1).unwrap());
    assert_eq!(b_to_c.max_move_speed_km_per_day, None);
    // forced_redirection 1 makes one link each way here (Flee makes two).
    assert_eq!(network.links.len(), 6);
}

#[test]
fn conflict_dates_agents_and_settings() {
    let source = base()
        .with(
            "input_csv/locations.csv",
            LOCATIONS.replace("B,North,Aland,0,0,town,,500", "B,North,Aland,0,0,conflict_zone,3,500"),
        )
        .with(
            "simsetting.yml",
            "spawn_rules:\n  read_from_agents_csv_file: True\n  conflict_driven_spawning:\n    spawn_mode: constant\n    displaced_per_conflict_day: 20\n",
        )
        .with("input_csv/agents.csv", "location,age\nA,30\nC,12\n");
    let loaded = loaded(&source);
    let scenario = &loaded.scenario;
    assert_eq!(scenario.network.locations[1].conflict_date, Some(3));
    assert_eq!(scenario.initial_agents, [LocationId(0), LocationId(2)]);
    assert_eq!(
        scenario.settings.spawn_rules.mode,
        SpawnMode::Constant {
            displaced_per_conflict_day: 20.0
        }
    );
    assert!(warnings(&loaded).contains("agent attributes are ignored"));
}

/// Issue 15: a camp name with a space (Flee's `plot_flee_output` splits `out.csv`'s headers on
/// spaces) and a link between two places at the same coordinates (a zero-length line on a map)
/// are located warnings; coordinates left empty are not "the same place".
#[test]
fn camp_names_with_spaces_and_links_of_length_zero_on_the_map_are_warned() {
    let locations = LOCATIONS
        .replace(
            "C,South,Bland,3,4,camp,,300",
            "Camp C,South,Bland,3,4,camp,,300",
        )
        .replace("D,South,Bland,3,5,camp,,", "D,South,Bland,3,4,camp,,");
    let source = base()
        .with("input_csv/locations.csv", locations)
        .with(
            "input_csv/routes.csv",
            "#name1,name2,distance,forced_redirection\nA,B,100,0\nB,Camp C,50,\nB,D,70,2\nCamp C,D,32.5,0\n",
        )
        .with(
            "source_data/data_layout.csv",
            "total,refugees.csv\nCamp C,c.csv\nD,d1.csv,d2.csv\n",
        );
    let text = warnings(&loaded(&source));
    for piece in [
        "warning: camp name `Camp C` contains a space",
        "--> input_csv/locations.csv:4:1, field 1 (`name`)",
        "name it `Camp_C`, as FabFlee scenarios do",
        "warning: link `Camp C` – `D` joins two locations at the same coordinates",
        "--> input_csv/routes.csv:5:1, field 1 (`name1`)",
        "found (3, 4) for both",
    ] {
        assert!(text.contains(piece), "expected\n{piece}\nin\n{text}");
    }
    assert_eq!(text.matches("contains a space").count(), 1, "{text}");
    assert_eq!(text.matches("same coordinates").count(), 1, "{text}");

    // Coordinates left empty (FabFlee's older scenarios) read as 0 but are not a place: no
    // warning; neither is a town with a space in its name.
    let locations = LOCATIONS
        .replace(
            "B,North,Aland,0,0,town,,500",
            "Town B,North,Aland,,,town,,500",
        )
        .replace("C,South,Bland,3,4,camp,,300", "C,South,Bland,,,camp,,300");
    let source = base()
        .with("input_csv/locations.csv", locations)
        .with(
            "input_csv/routes.csv",
            "#name1,name2,distance,forced_redirection\nA,Town B,100,0\nTown B,C,50,\nTown B,D,70,2\n",
        )
        .with(
            "input_csv/closures.csv",
            "#closure_type,name1,name2,closure_start,closure_end\n",
        )
        .with("input_csv/conflicts.csv", "#Day,A\n0,1\n1,1\n2,1\n3,1\n4,1\n");
    let text = warnings(&loaded(&source));
    assert!(
        !text.contains("contains a space") && !text.contains("same coordinates"),
        "{text}"
    );
}

#[test]
fn questionable_input_gives_warnings() {
    let mut source = base()
        .with(
            "input_csv/locations.csv",
            format!("{LOCATIONS}E,South,Bland,9,9,camp,,10\n"),
        )
        .with("input_csv/routes.csv", format!("{ROUTES}A,B,0,0\n"))
        .with("input_csv/closures.csv", "country,Aland,Atlantis,2,4\n");
    source.remove("simsetting.yml");
    let loaded = loaded(&source);
    let text = warnings(&loaded);
    for piece in [
        "warning: no `simsetting.yml` in the scenario directory",
        "warning: camp `E` has no data in `source_data/data_layout.csv`",
        "warning: camp `E` cannot be reached from any conflict zone",
        "--> input_csv/locations.csv:6:1",
        "warning: link `A` → `B` has length 0",
        "--> input_csv/routes.csv:5:5, field 3 (`distance`)",
        "warning: link `A` – `B` is listed twice",
        "warning: no location is in country `Atlantis`",
        "--> input_csv/closures.csv:1:15, field 3 (`name2`)",
    ] {
        assert!(text.contains(piece), "expected\n{piece}\nin\n{text}");
    }
    assert_eq!(
        loaded.scenario.schedule.closures[0].scope,
        ClosureScope::Country {
            a: loaded.scenario.network.find_country("Aland"),
            b: None
        }
    );
}

#[test]
fn a_directory_loads_and_is_named_after_itself() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("tiny2020");
    let source = base();
    for path in [
        "input_csv/sim_period.csv",
        "input_csv/locations.csv",
        "input_csv/routes.csv",
        "input_csv/closures.csv",
        "input_csv/conflicts.csv",
        "source_data/data_layout.csv",
        "source_data/refugees.csv",
        "source_data/c.csv",
        "source_data/d1.csv",
        "source_data/d2.csv",
        "simsetting.yml",
    ] {
        let target = dir.join(path);
        fs_err::create_dir_all(target.parent().unwrap()).unwrap();
        fs_err::write(&target, source.read_for_test(path)).unwrap();
    }
    let settings = root.path().join("other.yml");
    fs_err::write(&settings, "move_rules:\n  awareness_level: 2\n").unwrap();
    let options = LoadOptions {
        settings_path: Some(settings),
        days: None,
        ..LoadOptions::default()
    };
    let loaded = crate::load_flee_dir(&dir, &options).unwrap();
    assert_eq!(loaded.scenario.name, "tiny2020");
    assert_eq!(loaded.scenario.settings.move_rules.awareness_level, 2);
    assert_eq!(loaded.scenario.settings.move_rules.max_move_speed, 360.0);

    let missing = crate::load_flee_dir(&root.path().join("nope"), &LoadOptions::default());
    assert!(matches!(missing, Err(ScenarioError::Io { .. })));
    let options = LoadOptions {
        settings_path: Some(root.path().join("missing.yml")),
        days: None,
        ..LoadOptions::default()
    };
    let error = crate::load_flee_dir(&dir, &options).unwrap_err();
    assert!(error.to_string().contains("missing.yml"), "{error}");
}

// ---- Bad input: each case checks place, field, expected and found. ----

#[test]
fn bad_negative_distance() {
    let source = base().with(
        "input_csv/routes.csv",
        format!("{ROUTES}Kidal,Bourem,-12,0\n")
            .replace("Kidal", "A")
            .replace("Bourem", "C"),
    );
    assert_fails_with(
        &source,
        &[
            "error: invalid distance for link `A` → `C`",
            "--> input_csv/routes.csv:5:5, field 3 (`distance`)",
            " 5 | A,C,-12,0",
            "   |     ^^^ expected a distance in km greater than 0, found `-12`",
        ],
    );
}

#[test]
fn bad_unknown_location_in_routes() {
    let source = base().with(
        "input_csv/routes.csv",
        ROUTES.replace("B,C,50,", "B,Cc,50,"),
    );
    assert_fails_with(
        &source,
        &[
            "error: unknown location `Cc`",
            "--> input_csv/routes.csv:3:3, field 2 (`name2`)",
            "expected a location name, found `Cc`",
            "hint: did you mean `C`? Locations are defined in `input_csv/locations.csv`",
        ],
    );
}

#[test]
fn bad_location_type() {
    let source = base().with(
        "input_csv/locations.csv",
        LOCATIONS.replace(",town,", ",village,"),
    );
    assert_fails_with(
        &source,
        &[
            "error: unknown location type for `B`",
            "--> input_csv/locations.csv:3:19, field 6 (`location_type`)",
            "expected `conflict_zone`, `town`, `camp`, `idpcamp`, `forwarding_hub` or `marker`, found `village`",
        ],
    );
}

#[test]
fn bad_duplicate_location() {
    let source = base().with(
        "input_csv/locations.csv",
        format!("{LOCATIONS}B,East,Aland,0,0,town,,5\n"),
    );
    assert_fails_with(
        &source,
        &[
            "error: location `B` is defined twice",
            "--> input_csv/locations.csv:6:1, field 1 (`name`)",
            "expected a unique name, found `B` again (first defined on line 3)",
        ],
    );
}

#[test]
fn bad_negative_population() {
    let source = base().with(
        "input_csv/locations.csv",
        LOCATIONS.replace(",500", ",-500"),
    );
    assert_fails_with(
        &source,
        &[
            "error: negative population for `B`",
            "--> input_csv/locations.csv:3:25, field 8 (`population`)",
            "expected a whole number of people, 0 or more, found `-500`",
        ],
    );
}

#[test]
fn bad_population_number() {
    let source = base().with("input_csv/locations.csv", LOCATIONS.replace(",500", ",5e2"));
    assert_fails_with(
        &source,
        &[
            "error: invalid population for `B`",
            "--> input_csv/locations.csv:3:25, field 8 (`population`)",
            "expected a population (a whole number), found `5e2`",
        ],
    );
    let source = base().with(
        "input_csv/locations.csv",
        LOCATIONS.replace(",500", ",99999999999999999999999"),
    );
    assert_fails_with(
        &source,
        &[
            "error: population of `B` is too large",
            "field 8 (`population`)",
            "found `99999999999999999999999`",
        ],
    );
}

#[test]
fn bad_conflict_date() {
    let source = base().with(
        "input_csv/locations.csv",
        LOCATIONS.replace("conflict_zone,0,", "conflict_zone,,"),
    );
    assert_fails_with(
        &source,
        &[
            "error: invalid conflict date for conflict zone `A`",
            "--> input_csv/locations.csv:2:37, field 7 (`conflict_date`)",
            "expected a whole number of days (0 = in conflict from the start), found an empty field",
        ],
    );
}

#[test]
fn bad_latitude_nan() {
    let source = base().with(
        "input_csv/locations.csv",
        LOCATIONS.replace("1.5,2.5", "nan,2.5"),
    );
    assert_fails_with(
        &source,
        &[
            "error: invalid latitude for location `A`",
            "--> input_csv/locations.csv:2:15, field 4 (`latitude`)",
            "expected a finite number of degrees, found `nan`",
        ],
    );
}

#[test]
fn bad_too_few_location_fields() {
    let source = base().with(
        "input_csv/locations.csv",
        format!("{LOCATIONS}E,South,Bland\n"),
    );
    assert_fails_with(
        &source,
        &[
            "error: location `E` has too few fields",
            "--> input_csv/locations.csv:6:14",
            "expected 8 fields (name, region, country, latitude, longitude, location_type, conflict_date, population), found 3",
        ],
    );
}

#[test]
fn bad_forced_redirection_and_link_attributes() {
    let source = base().with(
        "input_csv/routes.csv",
        ROUTES.replace("B,D,70,2", "B,D,70,yes"),
    );
    assert_fails_with(
        &source,
        &[
            "error: invalid forced redirection for link `B` → `D`",
            "--> input_csv/routes.csv:4:8, field 4 (`forced_redirection`)",
            "expected `0`, `1`, `2` or an empty field, found `yes`",
        ],
    );
    let source = base().with(
        "input_csv/routes.csv",
        "#name1,name2,distance,forced_redirection,walk_probability\nA,B,100,0,1.5\n",
    );
    assert_fails_with(
        &source,
        &[
            "error: invalid walk probability for link `A` → `B`",
            "--> input_csv/routes.csv:2:11, field 5 (`walk_probability`)",
            "expected a probability from 0 to 1, found `1.5`",
        ],
    );
}

#[test]
fn bad_distance_infinite() {
    let source = base().with(
        "input_csv/routes.csv",
        ROUTES.replace("A,B,100,0", "A,B,inf,0"),
    );
    assert_fails_with(
        &source,
        &[
            "--> input_csv/routes.csv:2:5, field 3 (`distance`)",
            "expected a finite distance in km, found `inf`",
        ],
    );
}

#[test]
fn bad_closure_type() {
    let source = base().with("input_csv/closures.csv", "contry,Aland,Bland,2,4\n");
    assert_fails_with(
        &source,
        &[
            "error: unknown closure type `contry`",
            "--> input_csv/closures.csv:1:1, field 1 (`closure_type`)",
            "expected `country`, `location`, `link`, `camp`, `idpcamp` or `remove_forced_redirection`, found `contry`",
            "hint: did you mean `country`?",
        ],
    );
}

#[test]
fn bad_closure_day_and_name() {
    let source = base().with(
        "input_csv/closures.csv",
        "location,B,,one,4\ncamp,Cee,,1,2\n",
    );
    assert_fails_with(
        &source,
        &[
            "error: invalid start day for a `location` closure",
            "--> input_csv/closures.csv:1:13, field 4 (`closure_start`)",
            "expected a whole number of days from the start date, found `one`",
            "error: unknown location `Cee`",
            "--> input_csv/closures.csv:2:6, field 2 (`name1`)",
        ],
    );
}

/// A `conflicts.csv` column that names no location (here a space where `locations.csv` has an
/// underscore) is ignored with a located warning, as Flee 3.1 ignores it (issue 15).
#[test]
fn conflicts_header_naming_no_location_is_ignored_with_a_warning() {
    let locations = LOCATIONS.replace("\nB,North", "\nB_town,North");
    let routes = ROUTES
        .replace("A,B,", "A,B_town,")
        .replace("\nB,", "\nB_town,");
    let source = base()
        .with("input_csv/locations.csv", locations.as_str())
        .with("input_csv/routes.csv", routes.as_str())
        .with(
            "input_csv/closures.csv",
            "#closure_type,name1,name2,closure_start,closure_end\n",
        )
        .with(
            "input_csv/conflicts.csv",
            "#Day,A,B town\n0,1,0\n1,1,0\n2,1,0.5\n3,1,0.5\n4,1,0.5\n",
        );
    let loaded = loaded(&source);
    let text = warnings(&loaded);
    for piece in [
        "warning: the column `B town` names no location; it is ignored, as Flee 3.1 does",
        "--> input_csv/conflicts.csv:1:8, field 3 of the header (a location column)",
        "expected a location name, found `B town`",
        "did you mean `B_town`?",
    ] {
        assert!(text.contains(piece), "`{piece}` is not in:\n{text}");
    }
    let warning = loaded
        .warnings
        .iter()
        .find(|w| w.message.contains("names no location"))
        .unwrap_or_else(|| panic!("no warning in:\n{text}"));
    assert_eq!(warning.severity, Severity::Warning);
    // The column is dropped: only `A` has conflict intensities, and its values are kept.
    let conflicts = &loaded.scenario.schedule.conflicts;
    assert_eq!(conflicts.locations, [LocationId(0)]);
    assert_eq!(conflicts.intensity.len(), 5);
    assert!(conflicts.intensity.iter().all(|row| row == &[1.0]));
}

#[test]
fn bad_conflicts_too_short_and_invalid() {
    let source = base().with("input_csv/conflicts.csv", "#Day,A,B\n0,1,0\n1,1,0\n2,1,0\n");
    assert_fails_with(
        &source,
        &[
            "error: `input_csv/conflicts.csv` has 3 days of conflict intensities but the simulation runs 5 days",
            "--> input_csv/conflicts.csv:4:1",
            "expected a row for every day from 0 to 4, found the last row here (day 2)",
            "hint: add rows to `input_csv/conflicts.csv`, or simulate fewer days with `--days 3`",
        ],
    );
    let source = base().with(
        "input_csv/conflicts.csv",
        "#Day,A,B\n0,1,0\n1,1,-0.5\n2,1,0\n3,1,0\n4,1,0\n",
    );
    assert_fails_with(
        &source,
        &[
            "error: invalid conflict intensity for `B` on day 1",
            "--> input_csv/conflicts.csv:3:5, field 3 (`B`)",
            "found `-0.5`",
        ],
    );
}

#[test]
fn bad_data_layout_without_total() {
    let source = base().with("source_data/data_layout.csv", "C,c.csv\nD,d1.csv\n");
    assert_fails_with(
        &source,
        &[
            "error: `source_data/data_layout.csv` has no `total` row",
            "--> source_data/data_layout.csv:1:1",
            "expected a row `total,refugees.csv` naming the total arrivals, found none",
        ],
    );
}

#[test]
fn bad_data_files() {
    let source = base()
        .with(
            "source_data/data_layout.csv",
            "total,refugees.csv\nC,c.csv\nD,gone.csv\n",
        )
        .with(
            "source_data/c.csv",
            "2019-12-30,10\n2020-13-03,50\n2020-01-04,many\n",
        );
    assert_fails_with(
        &source,
        &[
            "error: missing data file `source_data/gone.csv`",
            "--> source_data/data_layout.csv:3:3, field 2 (`file`)",
            "error: invalid date in a data file",
            "--> source_data/c.csv:2:1, field 1 (`date`)",
            "expected a date as YYYY-MM-DD, found `2020-13-03`",
            "error: invalid count on 2020-01-04",
            "--> source_data/c.csv:3:12, field 2 (`count`)",
            "expected a whole number of people, found `many`",
        ],
    );
}

#[test]
fn bad_registration_correction() {
    let source = base().with(
        "input_csv/registration_corrections.csv",
        "C,2020-01-02,normalize\nCx,2020-01-03\n",
    );
    assert_fails_with(
        &source,
        &[
            "error: no data point of `C` on 2020-01-02 to correct from",
            "--> input_csv/registration_corrections.csv:1:3, field 2 (`date`)",
            "expected a date listed in `c.csv`, found `2020-01-02`",
            "the nearest is `2020-01-03`",
            "error: no data series for `Cx`",
            "--> input_csv/registration_corrections.csv:2:1, field 1 (`name`)",
            "did you mean `C`?",
        ],
    );
}

#[test]
fn bad_period() {
    let source = base().with(
        "input_csv/sim_period.csv",
        "StartDate,2020-02-30\nLength,-5\n",
    );
    assert_fails_with(
        &source,
        &[
            "error: invalid start date",
            "--> input_csv/sim_period.csv:1:11, field 2 (`StartDate`)",
            "expected a date as YYYY-MM-DD, found `2020-02-30`",
            "error: invalid simulation length",
            "--> input_csv/sim_period.csv:2:8, field 2 (`Length`)",
            "expected a whole number of days of at least 1, found `-5`",
        ],
    );
}

#[test]
fn bad_encoding_and_quotes() {
    let mut bytes = LOCATIONS.as_bytes().to_vec();
    bytes.extend(b"Gu\xE9r\xE9,South,Bland,3,4,camp,,300\n");
    let source = base().with("input_csv/locations.csv", bytes);
    assert_fails_with(
        &source,
        &[
            "error: `input_csv/locations.csv` is not valid UTF-8 text",
            "--> input_csv/locations.csv:6:3",
            "expected UTF-8 text, found the byte `0xE9`",
        ],
    );
    let source = base().with("input_csv/routes.csv", "A,B,100,0\nB,\"C,50,\n");
    assert_fails_with(
        &source,
        &[
            "error: a quoted field is never closed",
            "--> input_csv/routes.csv:2:3, field 2",
        ],
    );
}

#[test]
fn bad_missing_files() {
    let mut source = base();
    source.remove("input_csv/locations.csv");
    source.remove("input_csv/conflicts.csv");
    let text = failure(&source);
    assert!(
        text.contains("error: missing `input_csv/locations.csv`"),
        "{text}"
    );
    assert!(
        text.contains("error: missing `input_csv/conflicts.csv`"),
        "{text}"
    );
    // Without locations, names elsewhere are not reported as unknown.
    assert!(!text.contains("unknown location"), "{text}");
}

#[test]
fn bad_settings_are_located() {
    let source = base().with(
        "simsetting.yml",
        "move_rules:\n  awareness_level: 4\n  start_on_foot: maybe\n",
    );
    assert_fails_with(
        &source,
        &[
            "error: awareness must be 1 to 3",
            "--> simsetting.yml:2:20, `move_rules.awareness_level`",
            "expected 1, 2 or 3, found `4`",
            "error: invalid value for `move_rules.start_on_foot`",
            "--> simsetting.yml:3:18, `move_rules.start_on_foot`",
            "expected `True` or `False`, found `maybe`",
        ],
    );
}

#[test]
fn bad_agents() {
    let source = base()
        .with(
            "simsetting.yml",
            "spawn_rules:\n  read_from_agents_csv_file: True\n",
        )
        .with("input_csv/agents.csv", "location\nA\nBb\n");
    assert_fails_with(
        &source,
        &[
            "error: unknown location `Bb`",
            "--> input_csv/agents.csv:3:1, field 1 (`location`)",
            "did you mean `B`?",
        ],
    );
}

#[test]
fn errors_are_sorted_and_capped_at_fifty() {
    let mut routes = String::new();
    for row in 0..70 {
        routes.push_str(&format!("A,Nowhere{row},10,0\n"));
    }
    let source = base().with("input_csv/routes.csv", routes).with(
        "input_csv/locations.csv",
        LOCATIONS.replace(",town,", ",village,"),
    );
    let Err(ScenarioError::Invalid { diagnostics }) = load(&source) else {
        panic!("expected errors");
    };
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 51);
    assert_eq!(
        errors[0].span.as_ref().unwrap().file,
        "input_csv/locations.csv"
    );
    assert_eq!(errors[1].span.as_ref().unwrap().line, 1);
    assert!(errors[50].message.contains("21 more not shown"));
}

/// A small deterministic generator, so that the test needs no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn never_panics_on_damaged_input() {
    let files = [
        "input_csv/sim_period.csv",
        "input_csv/locations.csv",
        "input_csv/routes.csv",
        "input_csv/closures.csv",
        "input_csv/conflicts.csv",
        "source_data/data_layout.csv",
        "source_data/c.csv",
        "simsetting.yml",
    ];
    let pieces: [&[u8]; 14] = [
        b",",
        b"\"",
        b"\n",
        b"\r",
        b"#",
        b"-",
        b"nan",
        b"1e999",
        b"\xFF",
        b"\xEF\xBB\xBF",
        b":",
        b"[",
        b"&a *a",
        b"99999999999999999999999999",
    ];
    let mut rng = Lcg(7);
    for round in 0..600 {
        let mut source = base();
        let path = files[round % files.len()];
        let mut bytes = source.read_for_test(path);
        match rng.next() % 3 {
            0 => {
                let cut = usize::try_from(rng.next()).unwrap() % (bytes.len() + 1);
                bytes.truncate(cut);
            }
            1 => {
                for _ in 0..3 {
                    let at = usize::try_from(rng.next()).unwrap() % (bytes.len() + 1);
                    let piece = pieces[usize::try_from(rng.next()).unwrap() % pieces.len()];
                    bytes.splice(at..at, piece.iter().copied());
                }
            }
            _ => {
                for _ in 0..4 {
                    if bytes.is_empty() {
                        break;
                    }
                    let at = usize::try_from(rng.next()).unwrap() % bytes.len();
                    bytes[at] = u8::try_from(rng.next() % 256).unwrap();
                }
            }
        }
        source.insert(path, bytes);
        if let Err(ScenarioError::Invalid { diagnostics }) = load(&source) {
            for diagnostic in &diagnostics {
                let _ = render(diagnostic);
            }
        }
    }
}
