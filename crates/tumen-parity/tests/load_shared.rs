//! Loads every scenario of `../shared/flee-scenarios` and `../shared/flee-scenarios-synthetic`
//! (each with its own `simsetting.yml`) and checks facts that a Flee 3.1 reading must give.
//! Fails, rather than skips, when `../shared` is missing.

use std::path::{Path, PathBuf};
use std::time::Instant;
use tumen_core::{ClosureScope, LocationId, LocationKind, Scenario};
use tumen_scenario::{LoadOptions, Loaded, ScenarioError, load_flee_dir, render};

/// `<workspace root>/../shared`.
fn shared() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = root.join("../shared");
    assert!(
        shared.join("flee-scenarios").is_dir() && shared.join("flee-scenarios-synthetic").is_dir(),
        "`{}` with `flee-scenarios/` and `flee-scenarios-synthetic/` is missing: these tests read \
         the shared scenarios next to the workspace (CI provides them there)",
        shared.display()
    );
    shared
}

fn load(dir: &Path) -> Loaded {
    match load_flee_dir(dir, &LoadOptions::default()) {
        Ok(loaded) => loaded,
        Err(ScenarioError::Invalid { diagnostics }) => {
            let text: Vec<String> = diagnostics.iter().map(render).collect();
            panic!("`{}` does not load:\n{}", dir.display(), text.join("\n"));
        }
        Err(error) => panic!("`{}` does not load: {error}", dir.display()),
    }
}

fn scenario_dirs(folder: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("cannot list `{}`: {e}", folder.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("input_csv").is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn id(scenario: &Scenario, name: &str) -> LocationId {
    scenario
        .network
        .find(name)
        .unwrap_or_else(|| panic!("`{}` has no location `{name}`", scenario.name))
}

fn camps(scenario: &Scenario) -> Vec<&str> {
    scenario
        .network
        .locations
        .iter()
        .filter(|l| l.kind.is_camp())
        .map(|l| l.name.as_str())
        .collect()
}

#[test]
fn every_shared_scenario_loads() {
    let shared = shared();
    let expected_days = [
        ("car2013", 820),
        ("mali2012", 300),
        ("ssudan2013", 604),
        ("ssudan2016", 426),
        ("tigray2020", 300),
        ("ukraine2022", 554),
        ("awareness2", 100),
        ("closures", 120),
        ("conflicts", 120),
        ("multihop", 80),
    ];
    let mut seen = Vec::new();
    for folder in ["flee-scenarios", "flee-scenarios-synthetic"] {
        for dir in scenario_dirs(&shared.join(folder)) {
            let started = Instant::now();
            let loaded = load(&dir);
            let took = started.elapsed();
            let scenario = &loaded.scenario;
            println!(
                "{:<12} {:>8.2} ms  {:>4} days  {:>3} locations  {:>3} links  {} warning(s)",
                scenario.name,
                took.as_secs_f64() * 1000.0,
                scenario.days,
                scenario.network.locations.len(),
                scenario.network.links.len(),
                loaded.warnings.len()
            );
            if let Some((_, days)) = expected_days.iter().find(|(n, _)| *n == scenario.name) {
                assert_eq!(scenario.days, *days, "{}", scenario.name);
            }
            let conflicts = &scenario.schedule.conflicts;
            assert!(
                conflicts.intensity.len() >= scenario.days as usize,
                "{}: conflicts.csv shorter than the period",
                scenario.name
            );
            assert!(
                conflicts
                    .intensity
                    .iter()
                    .all(|row| row.len() == conflicts.locations.len())
            );
            assert!(
                !scenario.observations.total.points.is_empty(),
                "{}",
                scenario.name
            );
            let network = &scenario.network;
            assert_eq!(network.first_link.len(), network.locations.len() + 1);
            assert!(network.links.iter().all(|l| l.distance_km > 0.0));
            seen.push(scenario.name.clone());
        }
    }
    for (name, _) in expected_days {
        assert!(
            seen.iter().any(|s| s == name),
            "scenario `{name}` was not found"
        );
    }
}

#[test]
fn mali2012_facts() {
    let loaded = load(&shared().join("flee-scenarios/mali2012"));
    let scenario = &loaded.scenario;
    assert_eq!(
        camps(scenario),
        [
            "Fassala-Mbera",
            "Mentao",
            "Bobo-Dioulasso",
            "Abala",
            "Mangaize",
            "Niamey",
            "Tabareybarey"
        ]
    );
    assert_eq!(scenario.start_date.to_string(), "2012-02-29");
    assert_eq!(scenario.network.locations[0].name, "Kidal");
    assert_eq!(scenario.network.locations.len(), 23);
    assert_eq!(scenario.network.links.len(), 70);
    let kidal = id(scenario, "Kidal");
    assert!(!scenario.network.location(kidal).foreign);
    assert!(scenario.network.location(id(scenario, "Mentao")).foreign);
    // Conflict columns are read with their leading spaces stripped.
    assert_eq!(scenario.schedule.conflicts.locations.first(), Some(&kidal));
    assert_eq!(scenario.schedule.closures.len(), 2);
    assert!(matches!(
        scenario.schedule.closures[0].scope,
        ClosureScope::Country {
            a: Some(_),
            b: Some(_)
        }
    ));
    // The validation settings of FabFlee.
    let settings = &scenario.settings;
    assert_eq!(settings.move_rules.max_move_speed, 400.0);
    assert_eq!(settings.move_rules.capacity_scaling, 1.25);
    assert!(settings.spawn_rules.sum_from_camps);
    assert_eq!(
        settings.spawn_rules.conflict_spawn_decay,
        Some(vec![1.0, 1.0, 1.0, 0.5, 0.1])
    );
    // Every camp has data.
    for camp in camps(scenario) {
        assert!(
            scenario.observations.camp(id(scenario, camp)).is_some(),
            "{camp}"
        );
    }
}

#[test]
fn synthetic_facts() {
    let shared = shared();
    let multihop = load(&shared.join("flee-scenarios-synthetic/multihop")).scenario;
    assert_eq!(multihop.observations.total.value_at(10), 1650);
    assert_eq!(multihop.observations.total.value_at(0), 150);
    assert_eq!(multihop.observations.total.value_at(1000), 5150);
    let e = multihop.network.location(id(&multihop, "E"));
    assert_eq!((e.kind, e.capacity), (LocationKind::Camp, Some(300)));
    assert_eq!(multihop.network.location(id(&multihop, "D")).capacity, None);

    // C1's entries before 2020-03-01 are scaled by 1200 / 1600 (registration correction).
    let conflicts = load(&shared.join("flee-scenarios-synthetic/conflicts")).scenario;
    let c1 = conflicts
        .observations
        .camp(id(&conflicts, "C1"))
        .expect("C1 data");
    assert_eq!(c1.value_at(0), 375);
    assert_eq!(c1.value_at(30), 750);
    assert_eq!(c1.value_at(60), 1200);
    assert_eq!(
        conflicts
            .network
            .location(id(&conflicts, "Z2"))
            .conflict_date,
        Some(20)
    );
    assert_eq!(
        conflicts.settings.spawn_rules.conflict_spawn_decay,
        Some(vec![1.0, 0.5, 0.25])
    );

    let closures = load(&shared.join("flee-scenarios-synthetic/closures")).scenario;
    let kinds: Vec<(&str, i64, i64)> = closures
        .schedule
        .closures
        .iter()
        .map(|c| {
            let kind = match c.scope {
                ClosureScope::Country { .. } => "country",
                ClosureScope::Location { .. } => "location",
                ClosureScope::Camp { .. } => "camp",
                _ => "other",
            };
            (kind, c.start, c.end)
        })
        .collect();
    assert_eq!(
        kinds,
        [("country", 10, 40), ("location", 15, 50), ("camp", 30, 70)]
    );
    assert_eq!(closures.schedule.conflicts.at(0, 0), 0.6);
    assert_eq!(closures.settings.move_rules.camp_weight, 2.0);

    let awareness = load(&shared.join("flee-scenarios-synthetic/awareness2")).scenario;
    assert_eq!(awareness.settings.move_rules.awareness_level, 2);
    assert_eq!(awareness.settings.move_rules.foreign_weight, 2.0);
    assert_eq!(
        awareness.network.location(id(&awareness, "M")).kind,
        LocationKind::Marker
    );
    assert_eq!(
        awareness.network.location(id(&awareness, "W")).kind,
        LocationKind::ForwardingHub
    );
}

#[test]
fn real_scenario_quirks() {
    let shared = shared();
    // car2013: two files summed for Mboti; a data row for a location that does not exist; a
    // camp without routes; a count with a trailing TAB.
    let car = load(&shared.join("flee-scenarios/car2013"));
    let text: Vec<String> = car.warnings.iter().map(render).collect();
    let text = text.join("\n");
    assert!(text.contains("`Bossobolo`"), "{text}");
    assert!(text.contains("camp `Bili` cannot be reached"), "{text}");
    let scenario = &car.scenario;
    let mboti = scenario
        .observations
        .camp(id(scenario, "Mboti"))
        .expect("Mboti data");
    assert_eq!(mboti.value_at(0), 0);
    assert_eq!(scenario.schedule.closures.len(), 2);

    // tigray2020: forced_redirection 2 on seven routes, kept as an attribute (one link each way).
    let tigray = load(&shared.join("flee-scenarios/tigray2020")).scenario;
    let forced = tigray
        .network
        .links
        .iter()
        .filter(|l| l.forced_redirection == 2)
        .count();
    assert_eq!(forced, 14);
    assert_eq!(
        tigray
            .network
            .location(id(&tigray, "Midre_Genet"))
            .conflict_date,
        Some(2)
    );

    // ssudan2016: a `link_type` column (ignored), forwarding hubs and a marker.
    let ssudan = load(&shared.join("flee-scenarios/ssudan2016")).scenario;
    let kinds = |kind| {
        ssudan
            .network
            .locations
            .iter()
            .filter(|l| l.kind == kind)
            .count()
    };
    assert_eq!(kinds(LocationKind::ForwardingHub), 5);
    assert_eq!(kinds(LocationKind::Marker), 1);
    assert_eq!(kinds(LocationKind::Camp), 18);
}
