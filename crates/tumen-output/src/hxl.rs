//! The long table with HXL hashtags (the Humanitarian Exchange Language): the same columns as
//! `long.csv`, with a second header row of hashtags so that HXL tools (the HXL Proxy, HDX)
//! recognise dates, places, coordinates and the affected population without configuration.

use crate::daily::{Daily, RunNetwork};
use crate::long::{LONG_COLUMNS, write_long_rows};
use crate::table::FleeTable;
use std::io::{BufWriter, Write};

/// The HXL hashtag of each column of the long table, in order.
pub const HXL_TAGS: [&str; 11] = [
    "#date+day",
    "#date",
    "#loc+name",
    "#adm1+name",
    "#country+name",
    "#geo+lat",
    "#geo+lon",
    "#loc+type",
    "#loc+camp",
    "#affected+refugees",
    "#affected+refugees+reported",
];

/// Writes `hxl.csv`: the long table's header, the hashtag row, then the rows.
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
    writeln!(out, "{}", LONG_COLUMNS.join(","))?;
    writeln!(out, "{}", HXL_TAGS.join(","))?;
    write_long_rows(network, daily, table, &mut out)?;
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
            "#geo+lat",
            "#geo+lon",
            "#affected+refugees",
        ] {
            assert!(tags.contains(&required), "{required}");
        }
        assert_eq!(lines.len(), 2 + 4);
        assert!(!is_hashtag("#Geo+lat") && !is_hashtag("geo") && !is_hashtag("#geo+"));
    }
}
