//! `hxl.csv`: the long table for HXL tools (the Humanitarian Exchange Language): a header row,
//! a row of hashtags, then one row per location and day, so that HXL tools (`hxlvalidate`,
//! the HXL Proxy, HDX) recognise dates, places, coordinates and the affected population
//! without configuration.
//!
//! Its columns differ from `long.csv` where HXL needs it:
//! - the real date comes first, tagged `#date`; the day index is `#indicator+num+day` (a
//!   `#date` tag on it would make HXL tools read day numbers as dates);
//! - `country_code` (`#country+code`): the ISO 3166-1 alpha-3 code of the country name, from a
//!   table of the names used by Flee scenarios (`_` read as a space, case ignored); empty for a
//!   name not in the table;
//! - the people at a location are written in one of two columns: `refugees`
//!   (`#affected+refugees`) when the location lies outside the countries people flee from
//!   ([`RunNetwork::origin_countries`]: the countries of the conflict zones and push origins),
//!   `idps` (`#affected+idps`) when it lies inside them; the other column is empty. The
//!   observed values (camps with data) are split the same way (`+reported`). When no origin
//!   country is known, every location counts as abroad.

use crate::daily::{Daily, RunNetwork, csv_field};
use crate::long::observed;
use crate::table::FleeTable;
use std::io::{BufWriter, Write};

/// The columns of `hxl.csv`, in order.
pub const HXL_COLUMNS: [&str; 14] = [
    "date",
    "day",
    "location",
    "region",
    "country",
    "country_code",
    "latitude",
    "longitude",
    "kind",
    "camp",
    "refugees",
    "idps",
    "observed_refugees",
    "observed_idps",
];

/// The HXL hashtag of each of [`HXL_COLUMNS`].
pub const HXL_TAGS: [&str; 14] = [
    "#date",
    "#indicator+num+day",
    "#loc+name",
    "#adm1+name",
    "#country+name",
    "#country+code",
    "#geo+lat",
    "#geo+lon",
    "#loc+type",
    "#indicator+num+camp",
    "#affected+refugees",
    "#affected+idps",
    "#affected+refugees+reported",
    "#affected+idps+reported",
];

/// ISO 3166-1 alpha-3 codes of the country names used by Flee scenarios (FabFlee's and
/// `../shared`'s) and the flagship, keyed by the lower-case name with `_` read as a space.
const ISO3: [(&str, &str); 62] = [
    ("afghanistan", "AFG"),
    ("bangladesh", "BGD"),
    ("burkina faso", "BFA"),
    ("burundi", "BDI"),
    ("cambodia", "KHM"),
    ("cameroon", "CMR"),
    ("car", "CAF"),
    ("central african republic", "CAF"),
    ("chad", "TCD"),
    ("china", "CHN"),
    ("congo", "COG"),
    ("rc", "COG"),
    ("republic of the congo", "COG"),
    ("drc", "COD"),
    ("dr congo", "COD"),
    ("democratic republic of the congo", "COD"),
    ("eritrea", "ERI"),
    ("ethiopia", "ETH"),
    ("germany", "DEU"),
    ("greece", "GRC"),
    ("hungary", "HUN"),
    ("iran", "IRN"),
    ("iraq", "IRQ"),
    ("jordan", "JOR"),
    ("kenya", "KEN"),
    ("laos", "LAO"),
    ("lebanon", "LBN"),
    ("libya", "LBY"),
    ("mali", "MLI"),
    ("mauritania", "MRT"),
    ("moldova", "MDA"),
    ("mongolia", "MNG"),
    ("mozambique", "MOZ"),
    ("myanmar", "MMR"),
    ("niger", "NER"),
    ("nigeria", "NGA"),
    ("north korea", "PRK"),
    ("pakistan", "PAK"),
    ("poland", "POL"),
    ("romania", "ROU"),
    ("russia", "RUS"),
    ("rwanda", "RWA"),
    ("senegal", "SEN"),
    ("slovakia", "SVK"),
    ("somalia", "SOM"),
    ("south korea", "KOR"),
    ("south sudan", "SSD"),
    ("ssudan", "SSD"),
    ("sudan", "SDN"),
    ("syria", "SYR"),
    ("tanzania", "TZA"),
    ("thailand", "THA"),
    ("turkey", "TUR"),
    ("uganda", "UGA"),
    ("ukraine", "UKR"),
    ("venezuela", "VEN"),
    ("colombia", "COL"),
    ("vietnam", "VNM"),
    ("viet nam", "VNM"),
    ("yemen", "YEM"),
    ("zambia", "ZMB"),
    ("zimbabwe", "ZWE"),
];

/// The ISO 3166-1 alpha-3 code of a country name as Flee scenarios write it (`South_Sudan`,
/// `DRC`), or `None` for a name not in the table.
#[must_use]
pub fn iso3(country: &str) -> Option<&'static str> {
    let key = country.trim().replace('_', " ").to_lowercase();
    ISO3.iter()
        .find(|(name, _)| *name == key)
        .map(|(_, code)| *code)
}

/// Writes `hxl.csv` ([`HXL_COLUMNS`], then the [`HXL_TAGS`] row, then the rows).
///
/// # Errors
/// Any write error.
pub fn write_hxl_csv(
    network: &RunNetwork,
    daily: &Daily,
    table: &FleeTable,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let mut out = BufWriter::new(w);
    writeln!(out, "{}", HXL_COLUMNS.join(","))?;
    writeln!(out, "{}", HXL_TAGS.join(","))?;
    let observed = observed(network, daily, table);
    let inside: Vec<bool> = network
        .locations
        .iter()
        .map(|l| network.origin_countries.contains(&l.country))
        .collect();
    for (row, ((day, date), people)) in daily
        .days
        .iter()
        .zip(&daily.dates)
        .zip(&daily.locations)
        .enumerate()
    {
        for (index, location) in network.locations.iter().enumerate() {
            let count = people.get(index).copied().unwrap_or(0).to_string();
            let data = observed[row][index]
                .map(|v| v.to_string())
                .unwrap_or_default();
            let (refugees, idps, observed_refugees, observed_idps) = if inside[index] {
                ("", count.as_str(), "", data.as_str())
            } else {
                (count.as_str(), "", data.as_str(), "")
            };
            writeln!(
                out,
                "{date},{day},{},{},{},{},{:?},{:?},{},{},{refugees},{idps},{observed_refugees},{observed_idps}",
                csv_field(&location.name),
                csv_field(&location.region),
                csv_field(&location.country),
                iso3(&location.country).unwrap_or_default(),
                location.latitude,
                location.longitude,
                location.kind,
                u8::from(location.camp),
            )?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daily::tests::{daily, network};

    /// A hashtag as HXL defines it: `#` and a name, then `+attribute`s, all lower-case
    /// letters, digits and underscores, the name starting with a letter.
    fn is_hashtag(tag: &str) -> bool {
        let Some(rest) = tag.strip_prefix('#') else {
            return false;
        };
        rest.split('+').all(|part| {
            part.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
    }

    #[test]
    fn the_second_row_tags_every_column() {
        let table = crate::long::tests::table();
        let mut out = Vec::new();
        write_hxl_csv(&network(), &daily(), &table, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let tags: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(tags.len(), lines[0].split(',').count());
        assert!(tags.iter().all(|t| is_hashtag(t)), "{tags:?}");
        for required in [
            "#date",
            "#loc+name",
            "#country+name",
            "#country+code",
            "#geo+lat",
            "#geo+lon",
            "#affected+refugees",
            "#affected+idps",
        ] {
            assert!(tags.contains(&required), "{required}");
        }
        // Only the real date is tagged `#date` (HXL tools match the first `#date` column).
        assert_eq!(tags.iter().filter(|t| t.starts_with("#date")).count(), 1);
        assert!(tags[0] == "#date" && lines[2].starts_with("2020-01-01,0,"));
        assert_eq!(lines.len(), 2 + 4);
        assert!(!is_hashtag("#Geo+lat") && !is_hashtag("geo") && !is_hashtag("#geo+"));
    }

    #[test]
    fn people_in_the_origin_country_are_idps_and_abroad_refugees() {
        let table = crate::long::tests::table();
        let mut out = Vec::new();
        write_hxl_csv(&network(), &daily(), &table, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // A (country X, the origin) holds 3 on day 0: IDPs; B (country Y) holds 0: refugees.
        assert!(lines[2].ends_with(",,3,,"), "{}", lines[2]);
        assert!(lines[3].contains(",Y,,1.5,2.5,camp,1,0,,"), "{}", lines[3]);
    }

    #[test]
    fn country_codes_of_flee_spellings() {
        assert_eq!(iso3("South_Sudan"), Some("SSD"));
        assert_eq!(iso3("DRC"), Some("COD"));
        assert_eq!(iso3("North Korea"), Some("PRK"));
        assert_eq!(iso3("burkina_faso"), Some("BFA"));
        assert_eq!(iso3("Atlantis"), None);
        let mut names: Vec<&str> = ISO3.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ISO3.len(), "a name twice in the table");
        assert!(
            ISO3.iter()
                .all(|(_, c)| c.len() == 3 && c.chars().all(|c| c.is_ascii_uppercase()))
        );
    }
}
