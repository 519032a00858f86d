//! The keys each table of `scenario.toml` may hold, by key path without indices.

/// The keys of a series written as a table.
pub(crate) const SERIES: &[&str] = &["file", "column", "where", "scale"];

/// Key paths whose value is a series.
pub(crate) const SERIES_PATHS: &[&str] = &[
    "push.per_day",
    "push.intensity",
    "enforcement.region.baseline",
    "recrossing.intensity",
    "voluntary_return.conditions",
    "asylum.rate",
    "asylum.channel.weight",
    "aid.presence.level",
];

/// The keys allowed in the table at `path` (`enforcement.region`); `None` when any key is
/// allowed there (`kind_multipliers`, `where`) or the path is not a table.
pub(crate) fn keys(path: &str) -> Option<&'static [&'static str]> {
    if SERIES_PATHS.contains(&path) {
        return Some(SERIES);
    }
    Some(match path {
        "" => &[
            "scenario",
            "status",
            "push",
            "enforcement",
            "detention",
            "recrossing",
            "voluntary_return",
            "asylum",
            "aid",
        ],
        "scenario" => &["name", "description"],
        "status" => &["irregular_countries", "channel_links"],
        "push" => &["location", "per_day", "per_capita", "intensity"],
        "enforcement" => &[
            "settled_multiplier",
            "travelling_multiplier",
            "kind_multipliers",
            "region",
            "trigger",
        ],
        "enforcement.region" => &["name", "locations", "flee_region", "baseline", "campaign"],
        "enforcement.region.campaign" => &["name", "start", "end", "add"],
        "enforcement.trigger" => &[
            "name",
            "enabled",
            "min_size",
            "country",
            "region",
            "delta",
            "half_life_days",
        ],
        "detention" => &["duration", "site"],
        "detention.duration" | "asylum.channel.delay" => &["min", "max"],
        "detention.site" => &["location", "release"],
        "recrossing" => &["rate", "intensity"],
        "voluntary_return" => &["rate", "conditions", "homes"],
        "asylum" => &["rate", "channel", "incidents"],
        "asylum.channel" => &["name", "location", "exit", "weight", "success", "delay"],
        "asylum.incidents" => &["enabled", "file", "columns", "where"],
        "asylum.incidents.columns" => &["date", "channel", "size", "success", "label"],
        "aid" => &[
            "attraction",
            "return_damping",
            "enforcement_reduction",
            "presence",
        ],
        "aid.presence" => &["location", "level"],
        _ => return None,
    })
}
