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
    "asylum.brokers.base",
    "asylum.channel.weight",
    "asylum.channel.capacity_per_day",
    "asylum.channel.capacity_per_month",
    "aid.presence.level",
    "recrossing.deported_multiplier",
    "mortality.free",
    "mortality.hidden",
    "mortality.seeking_asylum",
    "mortality.returning",
    "mortality.detained",
    "mortality.processing",
    "mortality.exiting",
    "mortality.at_home",
    "mortality.queued",
    "attributes.sex.female_share",
    "attributes.sex.source.female_share",
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
            "seasonality",
            "mortality",
            "attributes",
            // The uncertain parameters and their priors, read by `tumen calibrate` and
            // `tumen sensitivity` (tumen-calibrate's format; checked there).
            "calibration",
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
        "detention.duration" | "asylum.channel.delay" | "asylum.channel.failure_detention" => {
            &["min", "max"]
        }
        "detention.site" => &["location", "release"],
        "recrossing" => &["rate", "intensity", "deported_multiplier"],
        "voluntary_return" => &["rate", "conditions", "homes"],
        "asylum" => &["rate", "brokers", "channel", "incidents"],
        "asylum.brokers" => &[
            "base",
            "per_exited",
            "saturation",
            "exited_before",
            "per_channel_weight",
        ],
        "asylum.channel" => &[
            "name",
            "location",
            "exit",
            "weight",
            "success",
            "delay",
            "open",
            "close",
            "capacity_per_day",
            "capacity_per_month",
            "on_failure",
            "failure_detention",
        ],
        "asylum.incidents" => &["enabled", "file", "columns", "where"],
        "asylum.incidents.columns" => &[
            "date",
            "channel",
            "size",
            "success",
            "label",
            "allowed",
            "on_failure",
        ],
        "seasonality" => &["push", "recrossing"],
        "mortality" => &super::sections::MORTALITY_CATEGORIES,
        "aid" => &[
            "attraction",
            "return_damping",
            "enforcement_reduction",
            "presence",
        ],
        "aid.presence" => &["location", "level"],
        "attributes" => &["origin", "sex", "family"],
        "attributes.origin" => &["map"],
        "attributes.sex" => &["female_share", "source", "female", "male"],
        "attributes.sex.source" => &["location", "female_share"],
        "attributes.sex.female" | "attributes.sex.male" => {
            &["detection", "voluntary_return", "asylum", "family"]
        }
        "attributes.family" => &["rate", "detection", "exit"],
        _ => return None,
    })
}
