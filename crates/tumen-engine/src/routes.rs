//! Candidate routes: every path Flee's route choice can pick, enumerated once per run.
//!
//! Flee rebuilds the candidate list (`moving.selectRoute`) for every agent that plans a route.
//! The list depends only on the graph, the awareness level and which links are open, so Tumen
//! enumerates it once over all links, in Flee's depth-first order, and marks each day which
//! candidates use a closed link. A candidate over open links only is exactly a path Flee would
//! enumerate over the open links.

use crate::EngineError;
use tumen_core::{LinkId, LocationId, LocationKind, Network};

/// Largest number of candidate routes a run may have (ids are packed in 26 bits).
pub(crate) const MAX_PATHS: usize = 1 << 26;
/// Largest number of links in one candidate route (hop index packed in 6 bits).
pub(crate) const MAX_PATH_LINKS: usize = 63;

/// Every candidate route of every location, in compressed rows.
#[derive(Clone, Debug, Default)]
pub(crate) struct RouteTable {
    /// Candidates of location `l` are paths `first_candidate[l]..first_candidate[l + 1]`.
    pub first_candidate: Vec<u32>,
    /// Links of path `p` are `path_links[path_start[p]..path_start[p + 1]]`.
    pub candidate_start: Vec<u32>,
    /// The links of all paths, concatenated.
    pub candidate_links: Vec<LinkId>,
    /// Final location of each path (never a marker).
    pub candidate_end: Vec<LocationId>,
    /// Total length of each path in km.
    pub candidate_km: Vec<f64>,
}

impl RouteTable {
    /// Enumerates the candidates of every location at `awareness_level` (1 to 3).
    ///
    /// # Errors
    /// When the graph has more candidates than [`MAX_PATHS`] or a path longer than
    /// [`MAX_PATH_LINKS`] links (chains of markers).
    /// Links marked in `excluded` (channel links) are never part of a candidate.
    pub(crate) fn build(
        network: &Network,
        awareness_level: u32,
        excluded: &[bool],
    ) -> Result<Self, EngineError> {
        let mut table = RouteTable {
            first_candidate: Vec::with_capacity(network.location_count() + 1),
            candidate_start: vec![0],
            ..RouteTable::default()
        };
        let marker: Vec<bool> = network
            .locations
            .iter()
            .map(|l| l.kind == LocationKind::Marker)
            .collect();
        let mut walker = Walker {
            network,
            marker: &marker,
            awareness: i64::from(awareness_level),
            excluded,
            origins: Vec::new(),
            stack: Vec::new(),
            table: &mut table,
        };
        for origin in 0..network.location_count() {
            let origin = LocationId::from_index(origin);
            walker
                .table
                .first_candidate
                .push(u32_len(walker.table.candidate_end.len())?);
            walker.origins.clear();
            walker.origins.push(origin);
            for link in network.outgoing(origin) {
                if !walker.is_excluded(link) {
                    walker.visit(link, 0.0, 1)?;
                }
            }
        }
        table
            .first_candidate
            .push(u32_len(table.candidate_end.len())?);
        Ok(table)
    }

    /// Number of paths.
    #[must_use]
    pub(crate) fn len(&self) -> usize {
        self.candidate_end.len()
    }

    /// The links of candidate route `candidate`.
    #[must_use]
    pub(crate) fn links(&self, candidate: usize) -> &[LinkId] {
        &self.candidate_links
            [self.candidate_start[candidate] as usize..self.candidate_start[candidate + 1] as usize]
    }
}

fn u32_len(len: usize) -> Result<u32, EngineError> {
    u32::try_from(len).map_err(|_| EngineError::TooManyRoutes { count: len })
}

struct Walker<'a> {
    network: &'a Network,
    marker: &'a [bool],
    awareness: i64,
    excluded: &'a [bool],
    origins: Vec<LocationId>,
    stack: Vec<LinkId>,
    table: &'a mut RouteTable,
}

impl Walker<'_> {
    fn is_excluded(&self, link: LinkId) -> bool {
        self.excluded.get(link.index()).copied().unwrap_or(false)
    }

    /// Flee's `calculateLinkWeight` recursion, emitting paths instead of weights.
    fn visit(&mut self, link: LinkId, prior_km: f64, mut step: i64) -> Result<(), EngineError> {
        let data = self.network.link(link);
        let end = data.to;
        self.stack.push(link);
        if self.stack.len() > MAX_PATH_LINKS {
            return Err(EngineError::RouteTooLong {
                location: self.network.location(self.origins[0]).name.clone(),
            });
        }
        let km = prior_km + data.distance_km;
        if self.marker[end.index()] {
            step -= 1;
        } else {
            if self.table.candidate_end.len() >= MAX_PATHS {
                return Err(EngineError::TooManyRoutes {
                    count: self.table.candidate_end.len(),
                });
            }
            self.table.candidate_links.extend_from_slice(&self.stack);
            self.table
                .candidate_start
                .push(u32_len(self.table.candidate_links.len())?);
            self.table.candidate_end.push(end);
            self.table.candidate_km.push(km);
        }
        if self.awareness > step {
            let depth = self.origins.len();
            for next in self.network.outgoing(end) {
                let next_end = self.network.link(next).to;
                if self.origins.contains(&next_end) || self.is_excluded(next) {
                    continue;
                }
                self.origins.push(end);
                self.visit(next, km, step + 1)?;
                self.origins.truncate(depth);
            }
        }
        self.stack.pop();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(network: &Network, table: &RouteTable, origin: LocationId) -> Vec<String> {
        let range =
            table.first_candidate[origin.index()]..table.first_candidate[origin.index() + 1];
        range
            .map(|p| {
                table
                    .links(p as usize)
                    .iter()
                    .map(|&l| network.location(network.link(l).to).name.clone())
                    .collect::<Vec<_>>()
                    .join(">")
            })
            .collect()
    }

    /// The awareness2 synthetic scenario's graph around Z (see its README).
    fn awareness_graph() -> (Network, LocationId) {
        let mut b = Network::builder();
        let z = b.add("Z", LocationKind::ConflictZone, "X", 12_000);
        let z2 = b.add("Z2", LocationKind::ConflictZone, "X", 6_000);
        let j = b.add("J", LocationKind::Town, "X", 4_000);
        let k = b.add("K", LocationKind::Town, "X", 4_000);
        let l = b.add("L", LocationKind::Town, "X", 3_000);
        let m = b.add("M", LocationKind::Marker, "X", 0);
        let w = b.add("W", LocationKind::ForwardingHub, "X", 0);
        let c1 = b.add("C1", LocationKind::Camp, "X", 0);
        let c2 = b.add("C2", LocationKind::Camp, "X", 0);
        let cf = b.add("CF", LocationKind::Camp, "Y", 0);
        for (a, c, km) in [
            (z, j, 100.0),
            (z, k, 150.0),
            (j, c1, 120.0),
            (j, m, 60.0),
            (m, l, 80.0),
            (m, cf, 140.0),
            (k, w, 90.0),
            (w, c2, 300.0),
            (w, l, 100.0),
            (l, cf, 120.0),
            (z2, k, 80.0),
            (z2, l, 200.0),
        ] {
            b.link(a, c, km);
        }
        (b.build(), z)
    }

    #[test]
    fn awareness_one_sees_neighbours_and_looks_through_markers() {
        let (network, _) = awareness_graph();
        let table = RouteTable::build(&network, 1, &[]).unwrap();
        let j = network.find("J").unwrap();
        assert_eq!(names(&network, &table, j), ["Z", "C1", "M>L", "M>CF"]);
    }

    #[test]
    fn awareness_two_matches_the_readme_candidates() {
        let (network, z) = awareness_graph();
        let table = RouteTable::build(&network, 2, &[]).unwrap();
        assert_eq!(
            names(&network, &table, z),
            ["J", "J>C1", "J>M>L", "J>M>CF", "K", "K>W", "K>Z2"]
        );
        let range = table.first_candidate[z.index()] as usize
            ..table.first_candidate[z.index() + 1] as usize;
        let km: Vec<f64> = range.map(|p| table.candidate_km[p]).collect();
        assert_eq!(km, [100.0, 220.0, 240.0, 300.0, 150.0, 240.0, 230.0]);
    }

    #[test]
    fn no_path_revisits_a_location() {
        let (network, _) = awareness_graph();
        let table = RouteTable::build(&network, 3, &[]).unwrap();
        for origin in 0..network.location_count() {
            for p in table.first_candidate[origin]..table.first_candidate[origin + 1] {
                let mut seen = vec![LocationId::from_index(origin)];
                for &l in table.links(p as usize) {
                    let to = network.link(l).to;
                    assert!(!seen.contains(&to), "candidate {p} revisits");
                    seen.push(to);
                }
            }
        }
    }
}
