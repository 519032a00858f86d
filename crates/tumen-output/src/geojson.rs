//! `locations.geojson`: the run's network as a GeoJSON FeatureCollection (RFC 7946) — one
//! `Point` per location and one `LineString` per link, with their values — for GIS tools and
//! for the report's map.

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

/// The collection as a JSON value: locations (`"feature": "location"`) first, in file order,
/// then links (`"feature": "link"`). Coordinates are `[longitude, latitude]`.
#[must_use]
pub fn to_geojson(network: &RunNetwork, daily: &Daily) -> Value {
    let last = daily.locations.last();
    let last_links = daily.links.last();
    let mut features = Vec::with_capacity(network.locations.len() + network.links.len());
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
    let position = |name: &str| network.locations.iter().find(|l| l.name == name);
    for (index, link) in network.links.iter().enumerate() {
        let (Some(from), Some(to)) = (position(&link.from), position(&link.to)) else {
            continue;
        };
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

/// Writes `locations.geojson`.
///
/// # Errors
/// Any write error.
pub fn write_geojson(
    network: &RunNetwork,
    daily: &Daily,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, &to_geojson(network, daily))?;
    w.write_all(b"\n")
}

/// Reads the network back from `locations.geojson` (as [`write_geojson`] writes it).
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
        let text = String::from_utf8(out).unwrap();
        assert_eq!(read_geojson(&text).unwrap(), network());
        let value: Value = serde_json::from_str(&text).unwrap();
        let a = &value["features"][0];
        assert_eq!(a["geometry"]["coordinates"], json!([2.0, 1.0]));
        assert_eq!(a["properties"]["people_final"], 1);
        assert_eq!(a["properties"]["people_peak"], 3);
        assert_eq!(a["properties"]["peak_date"], "2020-01-01");
        let link = &value["features"][2];
        assert_eq!(link["geometry"]["type"], "LineString");
        assert_eq!(link["properties"]["travelling_peak"], 7);
    }

    #[test]
    fn other_json_is_refused() {
        let error = read_geojson("{\"type\": \"Feature\"}").unwrap_err();
        assert!(error.to_string().contains("no `features`"), "{error}");
        assert!(read_geojson("nope").is_err());
    }
}
