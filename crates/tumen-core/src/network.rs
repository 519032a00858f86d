//! The location graph: locations, links in compressed sparse rows, countries.

use crate::ids::{CountryId, LinkId, LocationId};
use serde::{Deserialize, Serialize};

/// What a location is, as written in the `location_type` column of `locations.csv`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// `conflict_zone`: people flee from here.
    ConflictZone,
    /// `town` (or `default`): an ordinary place people pass through.
    Town,
    /// `camp`: a destination with a capacity; people rarely leave.
    Camp,
    /// `idpcamp`: a camp for internally displaced people (its own move chance).
    IdpCamp,
    /// `forwarding_hub` (or `forward`): people never stay (move chance 1).
    ForwardingHub,
    /// `marker`: a waypoint that is never a destination and does not count as a hop.
    Marker,
}

impl LocationKind {
    /// Every kind with the spelling used in `locations.csv`.
    pub const SPELLINGS: [(&'static str, LocationKind); 6] = [
        ("conflict_zone", LocationKind::ConflictZone),
        ("town", LocationKind::Town),
        ("camp", LocationKind::Camp),
        ("idpcamp", LocationKind::IdpCamp),
        ("forwarding_hub", LocationKind::ForwardingHub),
        ("marker", LocationKind::Marker),
    ];

    /// Parses a `location_type` value the way Flee 3.1 does: case-insensitive substring tests,
    /// first match wins (`camp`, `conflict`, `forward`, `marker`, `default`/`town`).
    /// Returns `None` for anything else.
    #[must_use]
    pub fn parse_flee(text: &str) -> Option<Self> {
        let lower = text.to_ascii_lowercase();
        if lower.contains("camp") {
            if lower.contains("idp") {
                Some(Self::IdpCamp)
            } else {
                Some(Self::Camp)
            }
        } else if lower.contains("conflict") {
            Some(Self::ConflictZone)
        } else if lower.contains("forward") {
            Some(Self::ForwardingHub)
        } else if lower.contains("marker") {
            Some(Self::Marker)
        } else if lower.contains("default") || lower.contains("town") {
            Some(Self::Town)
        } else {
            None
        }
    }

    /// The canonical spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConflictZone => "conflict_zone",
            Self::Town => "town",
            Self::Camp => "camp",
            Self::IdpCamp => "idpcamp",
            Self::ForwardingHub => "forwarding_hub",
            Self::Marker => "marker",
        }
    }

    /// Whether this kind is a camp or an IDP camp.
    #[must_use]
    pub fn is_camp(self) -> bool {
        matches!(self, Self::Camp | Self::IdpCamp)
    }
}

/// A location: one row of `locations.csv`, after hasten scaling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Unique name.
    pub name: String,
    /// Region (read, not used by the model).
    pub region: String,
    /// Country.
    pub country: CountryId,
    /// Latitude in degrees (Flee's `gps_x`).
    pub latitude: f64,
    /// Longitude in degrees (Flee's `gps_y`).
    pub longitude: f64,
    /// Kind at the start of the run.
    pub kind: LocationKind,
    /// Population (spawn weight) for non-camps; 0 for camps.
    pub population: u64,
    /// Capacity of a camp; `None` means unlimited (and is the value for non-camps).
    pub capacity: Option<u64>,
    /// Conflict intensity of a conflict zone active from day 0 (`conflict_intensity` column,
    /// default 1).
    pub conflict_intensity: f64,
    /// Day on which a conflict zone's conflict starts (`conflict_date`); `None` for other kinds.
    pub conflict_date: Option<i64>,
    /// Whether the country differs from the first location's (Flee's home country).
    pub foreign: bool,
}

/// One direction of a link between two locations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Start point.
    pub from: LocationId,
    /// End point.
    pub to: LocationId,
    /// Length in km.
    pub distance_km: f64,
    /// `max_move_speed` attribute of the link, overriding the global speed.
    pub max_move_speed_km_per_day: Option<f64>,
    /// `walk_probability` attribute: daily chance of travelling at walking speed.
    pub walk_probability: f64,
    /// The `forced_redirection` column (kept as data; it has no behavioural effect).
    pub forced_redirection: u8,
    /// The row of `routes.csv` this link comes from (0-based, data rows only).
    pub route_row: u32,
}

/// The location graph. Outgoing links are stored in compressed sparse rows: the links leaving
/// location `l` are `links[first_link[l]..first_link[l + 1]]`, in the order of `routes.csv`
/// rows (the order in which Flee appends them to a location's list).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Locations in file order.
    pub locations: Vec<Location>,
    /// Links grouped by start point.
    pub links: Vec<Link>,
    /// CSR offsets, `locations.len() + 1` entries.
    pub first_link: Vec<u32>,
    /// Country names; `CountryId` indexes this.
    pub countries: Vec<String>,
}

impl Network {
    /// Starts building a network in code (tests, examples).
    #[must_use]
    pub fn builder() -> NetworkBuilder {
        NetworkBuilder::default()
    }

    /// Number of locations.
    #[must_use]
    pub fn location_count(&self) -> usize {
        self.locations.len()
    }

    /// The location with this id.
    #[must_use]
    pub fn location(&self, id: LocationId) -> &Location {
        &self.locations[id.index()]
    }

    /// The link with this id.
    #[must_use]
    pub fn link(&self, id: LinkId) -> &Link {
        &self.links[id.index()]
    }

    /// Ids of the links leaving `location`, in file order.
    pub fn outgoing(&self, location: LocationId) -> impl ExactSizeIterator<Item = LinkId> + use<> {
        let start = self.first_link[location.index()];
        let end = self.first_link[location.index() + 1];
        (start..end).map(LinkId)
    }

    /// The id of the location called `name`.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<LocationId> {
        self.locations
            .iter()
            .position(|location| location.name == name)
            .map(LocationId::from_index)
    }

    /// The id of the country called `name`.
    #[must_use]
    pub fn find_country(&self, name: &str) -> Option<CountryId> {
        self.countries
            .iter()
            .position(|country| country == name)
            .map(CountryId::from_index)
    }

    /// The name of a country.
    #[must_use]
    pub fn country_name(&self, id: CountryId) -> &str {
        &self.countries[id.index()]
    }
}

/// Builds a [`Network`] from locations and undirected routes, the way Flee links them up.
#[derive(Clone, Debug, Default)]
pub struct NetworkBuilder {
    locations: Vec<Location>,
    countries: Vec<String>,
    routes: Vec<LinkSpec>,
}

/// An undirected link as one row of `routes.csv` gives it (Flee calls the file's rows routes;
/// each becomes two directed [`Link`]s when the network is built).
#[derive(Clone, Debug, PartialEq)]
pub struct LinkSpec {
    /// First end point.
    pub a: LocationId,
    /// Second end point.
    pub b: LocationId,
    /// Length in km.
    pub distance_km: f64,
    /// `max_move_speed` attribute.
    pub max_move_speed_km_per_day: Option<f64>,
    /// `walk_probability` attribute.
    pub walk_probability: f64,
    /// `forced_redirection` column.
    pub forced_redirection: u8,
}

impl NetworkBuilder {
    /// Adds a country if it is new and returns its id.
    pub fn country(&mut self, name: &str) -> CountryId {
        if let Some(index) = self.countries.iter().position(|c| c == name) {
            return CountryId::from_index(index);
        }
        self.countries.push(name.to_owned());
        CountryId::from_index(self.countries.len() - 1)
    }

    /// Adds a location. `foreign` is recomputed by [`NetworkBuilder::build`] from the first
    /// location's country.
    pub fn location(&mut self, location: Location) -> LocationId {
        self.locations.push(location);
        LocationId::from_index(self.locations.len() - 1)
    }

    /// Adds a location of `kind` in country `country` with a population (non-camps) or a
    /// capacity (camps, 0 = unlimited). Convenient for tests.
    pub fn add(
        &mut self,
        name: &str,
        kind: LocationKind,
        country: &str,
        population_or_capacity: u64,
    ) -> LocationId {
        let country = self.country(country);
        let (population, capacity) = if kind.is_camp() {
            (
                0,
                (population_or_capacity > 0).then_some(population_or_capacity),
            )
        } else {
            (population_or_capacity, None)
        };
        self.location(Location {
            name: name.to_owned(),
            region: String::new(),
            country,
            latitude: 0.0,
            longitude: 0.0,
            kind,
            population,
            capacity,
            conflict_intensity: 1.0,
            conflict_date: (kind == LocationKind::ConflictZone).then_some(0),
            foreign: false,
        })
    }

    /// Adds an undirected link (a row of `routes.csv`).
    pub fn add_link(&mut self, spec: LinkSpec) {
        self.routes.push(spec);
    }

    /// Adds an undirected route of `distance_km` between two locations. Convenient for tests.
    pub fn link(&mut self, a: LocationId, b: LocationId, distance_km: f64) {
        self.add_link(LinkSpec {
            a,
            b,
            distance_km,
            max_move_speed_km_per_day: None,
            walk_probability: 0.0,
            forced_redirection: 0,
        });
    }

    /// Finishes the network: each route becomes two links, grouped by start point in route
    /// order.
    #[must_use]
    pub fn build(mut self) -> Network {
        if let Some(home) = self.locations.first().map(|l| l.country) {
            for location in &mut self.locations {
                location.foreign = location.country != home;
            }
        }
        let count = self.locations.len();
        let mut degree = vec![0_u32; count + 1];
        for route in &self.routes {
            degree[route.a.index()] += 1;
            degree[route.b.index()] += 1;
        }
        let mut first_link = vec![0_u32; count + 1];
        for index in 0..count {
            first_link[index + 1] = first_link[index] + degree[index];
        }
        let mut cursor = first_link.clone();
        let placeholder = Link {
            from: LocationId(0),
            to: LocationId(0),
            distance_km: 0.0,
            max_move_speed_km_per_day: None,
            walk_probability: 0.0,
            forced_redirection: 0,
            route_row: 0,
        };
        let mut links = vec![placeholder; self.routes.len() * 2];
        for (row, route) in self.routes.iter().enumerate() {
            for (from, to) in [(route.a, route.b), (route.b, route.a)] {
                let slot = cursor[from.index()] as usize;
                cursor[from.index()] += 1;
                links[slot] = Link {
                    from,
                    to,
                    distance_km: route.distance_km,
                    max_move_speed_km_per_day: route.max_move_speed_km_per_day,
                    walk_probability: route.walk_probability,
                    forced_redirection: route.forced_redirection,
                    route_row: u32::try_from(row).unwrap_or(u32::MAX),
                };
            }
        }
        Network {
            locations: self.locations,
            links,
            first_link,
            countries: self.countries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_like_flee() {
        assert_eq!(
            LocationKind::parse_flee("conflict_zone"),
            Some(LocationKind::ConflictZone)
        );
        assert_eq!(
            LocationKind::parse_flee("IDPCamp"),
            Some(LocationKind::IdpCamp)
        );
        assert_eq!(LocationKind::parse_flee("camp"), Some(LocationKind::Camp));
        assert_eq!(
            LocationKind::parse_flee("forwarding_hub"),
            Some(LocationKind::ForwardingHub)
        );
        assert_eq!(
            LocationKind::parse_flee("default"),
            Some(LocationKind::Town)
        );
        assert_eq!(LocationKind::parse_flee("city"), None);
    }

    #[test]
    fn routes_become_two_links_in_csr_order() {
        let mut builder = Network::builder();
        let a = builder.add("A", LocationKind::ConflictZone, "X", 100);
        let b = builder.add("B", LocationKind::Town, "X", 10);
        let c = builder.add("C", LocationKind::Camp, "Y", 0);
        builder.link(a, b, 10.0);
        builder.link(b, c, 20.0);
        builder.link(a, c, 30.0);
        let network = builder.build();
        let from_a: Vec<_> = network.outgoing(a).map(|l| network.link(l).to).collect();
        assert_eq!(from_a, vec![b, c]);
        let from_b: Vec<_> = network.outgoing(b).map(|l| network.link(l).to).collect();
        assert_eq!(from_b, vec![a, c]);
        assert!(network.location(c).foreign);
        assert!(!network.location(b).foreign);
        assert_eq!(network.location(c).capacity, None);
    }
}
