//! The run's network as GeoJSON FeatureCollections (RFC 7946, WGS 84 longitude/latitude), for
//! GIS tools and for the report's map, one geometry type per file so that GIS exports work
//! (a shapefile holds one geometry type; GeoPandas writes a GeoPackage layer per type):
//! - `locations.geojson`: one `Point` per location, with its values;
//! - `links.geojson`: one `LineString` per link (a line of `routes.csv`), with its values.
//!   A link whose two ends have the same coordinates would be a zero-length line, which GIS
//!   tools (GEOS/shapely) call invalid: it is left out of the file ([`zero_length_links`]
//!   names them, so that the caller can warn), and stays in `daily_links.csv`.
//!
//! [`read_geojson`] reads either file back, and also the combined collection that earlier
//! versions wrote as `locations.geojson`.

use crate::daily::{Daily, LinkInfo, LocationInfo, RunNetwork};
use serde_json::{Value, json};
use std::io::Write;

/// A `locations.geojson` that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum GeoJsonError {
    /// Not JSON.
    #[error("locations.geojson is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// JSON, but not the collection Tumen writes.
    #[error("locations.geojson: {0}")]
    Invalid(String),
}

/// Peak value of a column of `rows` and the row index where it is first reached.
fn peak(rows: &[Vec<u64>], column: usize) -> (u64, usize) {
    let mut best = (0, 0);
    for (index, row) in rows.iter().enumerate() {
        let value = row.get(column).copied().unwrap_or(0);
        if value > best.0 {
            best = (value, index);
        }
    }
    best
}

/// `locations.geojson` as a JSON value: one `Point` feature per location (`"feature":
/// "location"`), in `locations.csv` order. Coordinates are `[longitude, latitude]`.
#[must_use]
pub fn locations_geojson(network: &RunNetwork, daily: &Daily) -> Value {
    let last = daily.locations.last();
    let mut features = Vec::with_capacity(network.locations.len());
    for (index, location) in network.locations.iter().enumerate() {
        let (people_peak, peak_row) = peak(&daily.locations, index);
        features.push(json!({
            "type": "Feature",
            "id": format!("location-{index}"),
            "geometry": {"type": "Point", "coordinates": [location.longitude, location.latitude]},
            "properties": {
                "feature": "location",
                "name": location.name,
                "region": location.region,
                "country": location.country,
                "kind": location.kind,
                "camp": location.camp,
                "population": location.population,
                "capacity": location.capacity,
                "people_final": last.and_then(|row| row.get(index)).copied().unwrap_or(0),
                "people_peak": people_peak,
                "peak_date": daily.dates.get(peak_row),
            },
        }));
    }
    json!({"type": "FeatureCollection", "features": features})
}

/// The ends of a link, when both are locations of the network.
fn ends<'a>(
    network: &'a RunNetwork,
    link: &LinkInfo,
) -> Option<(&'a LocationInfo, &'a LocationInfo)> {
    let position = |name: &str| network.locations.iter().find(|l| l.name == name);
    Some((position(&link.from)?, position(&link.to)?))
}

/// The links whose two ends have the same coordinates (left out of `links.geojson`).
#[must_use]
pub fn zero_length_links(network: &RunNetwork) -> Vec<&LinkInfo> {
    network
        .links
        .iter()
        .filter(|link| {
            ends(network, link).is_some_and(|(from, to)| {
                from.longitude == to.longitude && from.latitude == to.latitude
            })
        })
        .collect()
}

/// `links.geojson` as a JSON value: one `LineString` feature per link (`"feature": "link"`),
/// in `routes.csv` order, zero-length links left out (their `id` keeps the link's index).
#[must_use]
pub fn links_geojson(network: &RunNetwork, daily: &Daily) -> Value {
    let last_links = daily.links.last();
    let mut features = Vec::with_capacity(network.links.len());
    for (index, link) in network.links.iter().enumerate() {
        let Some((from, to)) = ends(network, link) else {
            continue;
        };
        if from.longitude == to.longitude && from.latitude == to.latitude {
            continue;
        }
        let (travelling_peak, peak_row) = peak(&daily.links, index);
        features.push(json!({
            "type": "Feature",
            "id": format!("link-{index}"),
            "geometry": {"type": "LineString", "coordinates": [
                [from.longitude, from.latitude], [to.longitude, to.latitude]
            ]},
            "properties": {
                "feature": "link",
                "from": link.from,
                "to": link.to,
                "distance_km": link.distance_km,
                "travelling_final": last_links.and_then(|row| row.get(index)).copied().unwrap_or(0),
                "travelling_peak": travelling_peak,
                "peak_date": daily.dates.get(peak_row),
            },
        }));
    }
    json!({"type": "FeatureCollection", "features": features})
}

/// Writes `locations.geojson` (points; see [`locations_geojson`]).
///
/// # Errors
/// Any write error.
pub fn write_geojson(
    network: &RunNetwork,
    daily: &Daily,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, &locations_geojson(network, daily))?;
    w.write_all(b"\n")
}

/// Writes `links.geojson` (lines; see [`links_geojson`]).
///
/// # Errors
/// Any write error.
pub fn write_links_geojson(
    network: &RunNetwork,
    daily: &Daily,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, &links_geojson(network, daily))?;
    w.write_all(b"\n")
}

/// Reads the network back from `locations.geojson` or `links.geojson` (as [`write_geojson`]
/// and [`write_links_geojson`] write them; each gives its part of the network), or from the
/// combined collection of earlier versions.
///
/// # Errors
/// When the text is not JSON or not a FeatureCollection of Tumen's locations and links.
pub fn read_geojson(text: &str) -> Result<RunNetwork, GeoJsonError> {
    let value: Value = serde_json::from_str(text)?;
    let features = value
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| GeoJsonError::Invalid("no `features` array".to_owned()))?;
    let mut network = RunNetwork::default();
    for (index, feature) in features.iter().enumerate() {
        let invalid = |what: &str| GeoJsonError::Invalid(format!("feature {index}: {what}"));
        let properties = feature
            .get("properties")
            .ok_or_else(|| invalid("no `properties`"))?;
        let text = |key: &str| -> Result<String, GeoJsonError> {
            properties
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| invalid(&format!("no text `{key}`")))
        };
        match properties.get("feature").and_then(Value::as_str) {
            Some("location") => {
                let coordinates = feature
                    .pointer("/geometry/coordinates")
                    .and_then(Value::as_array)
                    .filter(|c| c.len() >= 2)
                    .ok_or_else(|| invalid("a location without point coordinates"))?;
                network.locations.push(LocationInfo {
                    name: text("name")?,
                    region: text("region").unwrap_or_default(),
                    country: text("country")?,
                    longitude: coordinates[0].as_f64().unwrap_or(f64::NAN),
                    latitude: coordinates[1].as_f64().unwrap_or(f64::NAN),
                    kind: text("kind").unwrap_or_default(),
                    population: properties
                        .get("population")
                        .and_then(Value::as_u64)
                        .unwrap_or(0),
                    capacity: properties.get("capacity").and_then(Value::as_u64),
                    camp: properties
                        .get("camp")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                });
            }
            Some("link") => network.links.push(LinkInfo {
                from: text("from")?,
                to: text("to")?,
                distance_km: properties
                    .get("distance_km")
                    .and_then(Value::as_f64)
                    .unwrap_or(f64::NAN),
            }),
            _ => return Err(invalid("`feature` is neither `location` nor `link`")),
        }
    }
    Ok(network)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daily::tests::{daily, network};

    #[test]
    fn the_network_reads_back() {
        let mut out = Vec::new();
        write_geojson(&network(), &daily(), &mut out).unwrap();
        let points = String::from_utf8(out).unwrap();
        let mut out = Vec::new();
        write_links_geojson(&network(), &daily(), &mut out).unwrap();
        let lines = String::from_utf8(out).unwrap();
        let mut read = read_geojson(&points).unwrap();
        assert!(read.links.is_empty());
        read.links = read_geojson(&lines).unwrap().links;
        let mut expected = network();
        expected.origin_countries.clear();
        assert_eq!(read, expected);
        let value: Value = serde_json::from_str(&points).unwrap();
        let a = &value["features"][0];
        assert_eq!(a["geometry"]["coordinates"], json!([2.0, 1.0]));
        assert_eq!(a["properties"]["people_final"], 1);
        assert_eq!(a["properties"]["people_peak"], 3);
        assert_eq!(a["properties"]["peak_date"], "2020-01-01");
        let features = value["features"].as_array().unwrap();
        assert!(features.iter().all(|f| f["geometry"]["type"] == "Point"));
        let value: Value = serde_json::from_str(&lines).unwrap();
        let link = &value["features"][0];
        assert_eq!(link["geometry"]["type"], "LineString");
        assert_eq!(link["properties"]["travelling_peak"], 7);
    }

    #[test]
    fn zero_length_links_are_left_out_and_named() {
        let mut network = network();
        network.locations[1].latitude = network.locations[0].latitude;
        network.locations[1].longitude = network.locations[0].longitude;
        let zero = zero_length_links(&network);
        assert_eq!(zero.len(), 1);
        assert_eq!(zero[0].to, "B, camp");
        let value = links_geojson(&network, &daily());
        assert_eq!(value["features"].as_array().unwrap().len(), 0);
        assert!(zero_length_links(&crate::daily::tests::network()).is_empty());
    }

    #[test]
    fn other_json_is_refused() {
        let error = read_geojson("{\"type\": \"Feature\"}").unwrap_err();
        assert!(error.to_string().contains("no `features`"), "{error}");
        assert!(read_geojson("nope").is_err());
    }
}
