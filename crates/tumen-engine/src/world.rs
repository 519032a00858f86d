//! The world as the engines see it: static tables built once per run ([`Model`]), the state
//! that events change ([`WorldState`]: conflicts, closures, camp status), and the tables both
//! engines read each day ([`DayTables`]).

use crate::EngineError;
use crate::agents::{Agent, ON_LINK, PLACE_MASK};
use crate::attributes::NO_SLOT;
use crate::mechanisms::{MechDay, MechModel, Status};
use crate::routes::RouteTable;
use tumen_core::{ClosureScope, LinkId, LocationId, LocationKind, MoveRules, Scenario, Settings};

/// Static, per-run tables derived from a scenario.
#[derive(Clone, Debug)]
pub struct Model {
    /// The scenario itself.
    pub(crate) scenario: Scenario,
    /// Candidate routes.
    pub(crate) routes: RouteTable,
    /// Per link: end point.
    pub(crate) link_to: Vec<u32>,
    /// Per link: start point.
    pub(crate) link_from: Vec<u32>,
    /// Per link: length in km.
    pub(crate) link_km: Vec<f64>,
    /// Per link: today's travel speed unless walking (`max_move_speed` attribute or global).
    pub(crate) link_speed: Vec<f64>,
    /// Per link: `walk_probability`.
    pub(crate) link_walk_probability: Vec<f64>,
    /// Per path: the `stay_close_to_home` factor (1 when the rule is off).
    pub(crate) candidate_home_factor: Vec<f64>,
    /// Per path: Flee's distance term `(softening + km)^distance_power`, computed once.
    pub(crate) candidate_distance_term: Vec<f64>,
    /// Per link of every path (indexed like `routes.path_links`): the location a person
    /// following the path takes that link from.
    pub(crate) candidate_hop_from: Vec<u32>,
    /// Per location: camp capacity after `capacity_scaling` (`None`: unlimited).
    pub(crate) capacity: Vec<Option<u64>>,
    /// Locations reported as camps in `out.csv`, in file order: camps on day 0 and every
    /// location a closure turns into a camp later.
    pub(crate) reported_camps: Vec<LocationId>,
    /// Notes for the user about how the scenario was interpreted (e.g. automatic camps).
    pub(crate) notes: Vec<String>,
    /// Whether any location has a finite capacity (route weights then depend on counts).
    pub(crate) capacity_limited: bool,
    /// The seed's mechanisms (inactive for a Flee scenario).
    pub(crate) mech: MechModel,
}

impl Model {
    /// The scenario the tables were built from.
    #[must_use]
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Locations reported as camps in `out.csv`, in file order: camps on day 0 and every
    /// location a closure turns into a camp later.
    #[must_use]
    pub fn reported_camps(&self) -> &[LocationId] {
        &self.reported_camps
    }

    /// A location's camp capacity after `capacity_scaling` (`None`: unlimited).
    #[must_use]
    pub fn capacity(&self, location: LocationId) -> Option<u64> {
        self.capacity[location.index()]
    }

    /// Whether any location has a finite capacity (route weights then depend on counts).
    #[must_use]
    pub fn capacity_limited(&self) -> bool {
        self.capacity_limited
    }

    /// Notes for the user about how the scenario was interpreted (e.g. automatic camps).
    #[must_use]
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Builds the static tables.
    ///
    /// # Errors
    /// When the route table is too large or the settings are out of range.
    pub fn new(scenario: Scenario) -> Result<Self, EngineError> {
        let settings = &scenario.settings;
        let rules = &settings.move_rules;
        if !(1..=3).contains(&rules.awareness_level) {
            return Err(EngineError::Settings(format!(
                "awareness_level must be 1, 2 or 3, found {}",
                rules.awareness_level
            )));
        }
        let network = &scenario.network;
        let mech = MechModel::new(&scenario)?;
        let routes = RouteTable::build(network, rules.awareness_level, &mech.channel_link)?;
        let link_to = network.links.iter().map(|l| l.to.0).collect();
        let link_from = network.links.iter().map(|l| l.from.0).collect();
        let link_km = network.links.iter().map(|l| l.distance_km).collect();
        let link_speed = network
            .links
            .iter()
            .map(|l| l.max_move_speed_km_per_day.unwrap_or(rules.max_move_speed))
            .collect();
        let link_walk_probability = network.links.iter().map(|l| l.walk_probability).collect();
        let candidate_distance_term = routes
            .candidate_km
            .iter()
            .map(|km| (rules.softening + km).powf(rules.distance_power))
            .collect();
        let mut candidate_hop_from = Vec::with_capacity(routes.candidate_links.len());
        for origin in 0..network.location_count() {
            for candidate in routes.first_candidate[origin]..routes.first_candidate[origin + 1] {
                let mut here = u32::try_from(origin).unwrap_or(u32::MAX);
                for link in routes.links(candidate as usize) {
                    candidate_hop_from.push(here);
                    here = network.links[link.index()].to.0;
                }
            }
        }
        let mut candidate_home_factor = vec![1.0; routes.len()];
        if rules.stay_close_to_home {
            for origin in 0..network.location_count() {
                let here = &network.locations[origin];
                for candidate in routes.first_candidate[origin]..routes.first_candidate[origin + 1]
                {
                    let end = network.location(routes.candidate_end[candidate as usize]);
                    // Flee 3.1's `calculateDistance` reads the latitude column as a longitude
                    // and the longitude column as a latitude, with R = 6373 km; we do the
                    // same so that `stay_close_to_home` weights match (documented).
                    let km = great_circle_km(
                        here.longitude,
                        here.latitude,
                        end.longitude,
                        end.latitude,
                        6373.0,
                    );
                    candidate_home_factor[candidate as usize] =
                        1.0 / km.max(1.0).powf(rules.home_distance_power);
                }
            }
        }
        let capacity: Vec<Option<u64>> = network
            .locations
            .iter()
            .map(|l| {
                l.capacity.map(|c| {
                    #[expect(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        clippy::cast_precision_loss,
                        reason = "capacities are far below 2^53"
                    )]
                    let scaled = (c as f64 * rules.capacity_scaling).floor() as u64;
                    scaled
                })
            })
            .collect();
        let initial = WorldState::initial(&scenario);
        let mut notes = Vec::new();
        for (index, location) in network.locations.iter().enumerate() {
            if initial.camp[index] && !location.kind.is_camp() {
                notes.push(format!(
                    "location `{}` is treated as a camp: its move chance {} is below 0.005 (as Flee does)",
                    location.name, initial.movechance[index]
                ));
            }
        }
        let days = i64::from(scenario.days);
        let reported_camps = (0..network.location_count())
            .filter(|&index| {
                initial.camp[index]
                    || scenario.schedule.closures.iter().any(|closure| {
                        matches!(closure.scope, ClosureScope::Camp { location, .. } if location.index() == index)
                            && (0..days).contains(&closure.end)
                    })
            })
            .map(LocationId::from_index)
            .collect();
        let capacity_limited = capacity.iter().any(|c| c.is_some_and(|c| c >= 1));
        Ok(Self {
            mech,
            capacity_limited,
            routes,
            link_to,
            link_from,
            link_km,
            link_speed,
            link_walk_probability,
            candidate_distance_term,
            candidate_hop_from,
            candidate_home_factor,
            capacity,
            reported_camps,
            notes,
            scenario,
        })
    }

    /// The settings of the run.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.scenario.settings
    }

    /// Number of locations.
    #[must_use]
    pub fn location_count(&self) -> usize {
        self.scenario.network.location_count()
    }

    /// The category a person is counted in (see [`crate::mechanisms::CATEGORIES`]).
    #[must_use]
    pub fn category(&self, agent: &Agent) -> usize {
        match Status::from_u8(agent.status) {
            Status::Free => {
                let index = (agent.place & PLACE_MASK) as usize;
                usize::from(self.mech.place_irregular(index, agent.place & ON_LINK != 0))
            }
            Status::SeekingAsylum => 2,
            Status::Returning => 3,
            Status::Detained => 4,
            Status::Processing => 5,
            Status::Exiting => 6,
            Status::Exited => 7,
            Status::AtHome => 8,
            Status::Queued => 9,
            Status::Dead => 10,
        }
    }

    /// A person's category and extra attribute categories (`NO_SLOT`: none; see
    /// `attributes.rs`).
    #[inline]
    pub(crate) fn categories_of(&self, agent: &Agent) -> [usize; 3] {
        let category = self.category(agent);
        if self.mech.attrs.extra_categories == 0 {
            return [category, NO_SLOT, NO_SLOT];
        }
        let [hiding, family] = self.mech.attrs.extra_slots(agent, category);
        [category, hiding, family]
    }

    /// Number of links.
    #[must_use]
    pub fn link_count(&self) -> usize {
        self.scenario.network.links.len()
    }
}

/// Great-circle distance in km on a sphere of `radius_km`.
#[must_use]
pub(crate) fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64, radius_km: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * radius_km * a.sqrt().min(1.0).asin()
}

/// What events change during a run: location status and which links are open.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct WorldState {
    /// Per location: is a camp (idp or not).
    pub camp: Vec<bool>,
    /// Per location: is an IDP camp.
    pub idp: Vec<bool>,
    /// Per location: is a town (Flee's `town` flag, which `avoid_short_stints` reads).
    pub town: Vec<bool>,
    /// Per location: conflict intensity (≤ 0: no conflict).
    pub conflict: Vec<f64>,
    /// Per location: day the current conflict started (−1: before the run).
    pub time_of_conflict: Vec<i64>,
    /// Per location: base move chance.
    pub movechance: Vec<f64>,
    /// Per location: population (spawn weight); decreases with `take_from_population`.
    pub population: Vec<f64>,
    /// Per link: open.
    pub link_open: Vec<bool>,
    /// Set when links opened or closed since the route validity was last computed.
    pub links_changed: bool,
}

impl WorldState {
    /// The state on day 0, before any event (Flee's `Location.__init__`).
    #[must_use]
    pub(crate) fn initial(scenario: &Scenario) -> Self {
        let rules = &scenario.settings.move_rules;
        let n = scenario.network.location_count();
        let mut state = Self {
            camp: vec![false; n],
            idp: vec![false; n],
            town: vec![false; n],
            conflict: vec![-1.0; n],
            time_of_conflict: vec![-1; n],
            movechance: vec![1.0; n],
            #[expect(clippy::cast_precision_loss, reason = "populations are far below 2^53")]
            population: scenario
                .network
                .locations
                .iter()
                .map(|l| l.population as f64)
                .collect(),
            link_open: vec![true; scenario.network.links.len()],
            links_changed: true,
        };
        for (index, location) in scenario.network.locations.iter().enumerate() {
            match location.kind {
                LocationKind::Camp => {
                    state.camp[index] = true;
                    state.movechance[index] = rules.camp_movechance;
                }
                LocationKind::IdpCamp => {
                    state.camp[index] = true;
                    state.idp[index] = true;
                    state.movechance[index] = rules.idpcamp_movechance;
                }
                LocationKind::ConflictZone if location.conflict_date.unwrap_or(0) > 0 => {
                    // Flee creates a conflict zone with a later conflict date as a town.
                    state.town[index] = true;
                    state.movechance[index] = rules.default_movechance;
                }
                LocationKind::ConflictZone => {
                    state.conflict[index] = location.conflict_intensity;
                    state.movechance[index] = rules.conflict_movechance;
                }
                LocationKind::ForwardingHub | LocationKind::Marker => {
                    state.movechance[index] = 1.0;
                }
                LocationKind::Town => {
                    state.town[index] = true;
                    state.movechance[index] = rules.default_movechance;
                }
            }
            if state.movechance[index] < 0.005 && !state.camp[index] {
                state.camp[index] = true;
                state.town[index] = false;
            }
        }
        state
    }

    /// Starts a conflict at `location` (Flee's `add_conflict_zone`).
    pub(crate) fn add_conflict(
        &mut self,
        rules: &MoveRules,
        location: usize,
        intensity: f64,
        day: i64,
    ) {
        self.movechance[location] = rules.conflict_movechance;
        self.conflict[location] = intensity;
        self.town[location] = false;
        self.time_of_conflict[location] = day;
    }

    /// Ends the conflict at `location` (Flee's `remove_conflict_zone`).
    pub(crate) fn remove_conflict(&mut self, rules: &MoveRules, location: usize) {
        self.movechance[location] = rules.default_movechance;
        self.conflict[location] = -1.0;
        self.town[location] = true;
    }

    /// Turns a camp into a town (closure of type `camp`/`idpcamp`).
    pub(crate) fn close_camp(&mut self, rules: &MoveRules, location: usize) {
        self.movechance[location] = rules.default_movechance;
        self.camp[location] = false;
        self.idp[location] = false;
        self.conflict[location] = -1.0;
        self.town[location] = true;
    }

    /// Turns a location into a camp (reopening of a `camp`/`idpcamp` closure).
    pub(crate) fn open_camp(&mut self, rules: &MoveRules, location: usize, idp: bool) {
        self.movechance[location] = if idp {
            rules.idpcamp_movechance
        } else {
            rules.camp_movechance
        };
        self.camp[location] = true;
        self.idp[location] = idp;
        self.conflict[location] = -1.0;
        self.town[location] = false;
    }

    /// Sets a link's open flag; returns whether an open link was closed (agents on it must be
    /// sent back when they arrive).
    pub(crate) fn set_link_open(&mut self, link: LinkId, open: bool) -> bool {
        let slot = &mut self.link_open[link.index()];
        let closed_now = *slot && !open;
        if *slot != open {
            self.links_changed = true;
        }
        *slot = open;
        closed_now
    }
}

/// The tables both engines read during one day's moves. Computed once per day, before any
/// agent moves, from the state and the counts at the start of the day.
#[derive(Clone, Debug, Default)]
pub(crate) struct DayTables {
    /// Per location: move chance (with population scaling).
    pub move_chance: Vec<f64>,
    /// Per location: Flee's `town` flag.
    pub town: Vec<bool>,
    /// Per location: a camp whose capacity multiplier is below 0.5 (routes ending there are
    /// abandoned).
    pub full_camp: Vec<bool>,
    /// Per path: uses only open links.
    pub candidate_valid: Vec<bool>,
    /// Per path: cumulative weight within its origin's candidates.
    pub candidate_cumulative: Vec<f64>,
    /// Per path: the probability of the path among its origin's candidates from this one on,
    /// as the route split draws it (`weight / remaining weight`, clamped to [0, 1]; exactly 1
    /// for the last candidate with weight; negative for a candidate without weight).
    pub candidate_conditional: Vec<f64>,
    /// Per link of every path (indexed like `routes.path_links`): the open link a person at
    /// the hop's start location takes (the first open link to the same end point), or
    /// `u32::MAX` when there is none.
    pub hop_link: Vec<u32>,
    /// Per location: total weight of its valid candidates.
    pub route_total: Vec<f64>,
    /// Per location: number of valid candidates.
    pub valid_routes: Vec<u32>,
    /// Per location: score (attractiveness) today.
    pub score: Vec<f64>,
    /// Per location: capacity multiplier today.
    pub capacity_multiplier: Vec<f64>,
    /// Per link: open today.
    pub link_open: Vec<bool>,
    /// The mechanisms' probabilities today.
    pub mech: MechDay,
}

impl DayTables {
    /// Recomputes the tables for `day` from the state and the counts at locations.
    pub(crate) fn refresh(
        &mut self,
        model: &Model,
        state: &mut WorldState,
        counts: &[u64],
        day: i64,
    ) {
        let settings = model.settings();
        let rules = &settings.move_rules;
        let network = &model.scenario.network;
        let n = model.location_count();
        self.move_chance.resize(n, 0.0);
        self.town.resize(n, false);
        self.full_camp.resize(n, false);
        self.score.resize(n, 0.0);
        self.capacity_multiplier.resize(n, 1.0);
        self.route_total.resize(n, 0.0);
        self.valid_routes.resize(n, 0);
        for (index, location) in network.locations.iter().enumerate() {
            let mut score = 1.0;
            if location.foreign {
                score *= rules.foreign_weight;
            }
            if state.camp[index] {
                score *= rules.camp_weight;
            }
            if state.conflict[index] > 0.0 {
                let decay = settings
                    .spawn_rules
                    .conflict_decay(day - state.time_of_conflict[index]);
                score *= rules.conflict_weight.powf(decay * state.conflict[index]);
            }
            if let Some(aid) = &model.scenario.mechanisms.aid {
                score *= 1.0 + aid.attraction * self.mech.aid.get(index).copied().unwrap_or(0.0);
            }
            self.score[index] = score;
            self.town[index] = state.town[index];
            let mut chance = state.movechance[index];
            if rules.movechance_pop_scale_factor != 0.0 {
                #[expect(clippy::cast_precision_loss, reason = "capacities are far below 2^53")]
                let capacity = if location.kind.is_camp() {
                    model.capacity[index].map_or(0.0, |c| c as f64)
                } else {
                    -1.0
                };
                let size = state.population[index].max(capacity);
                chance *=
                    (size / rules.movechance_pop_base).powf(rules.movechance_pop_scale_factor);
            }
            self.move_chance[index] = chance;
        }
        self.link_open.clone_from(&state.link_open);
        let routes = &model.routes;
        if state.links_changed || self.candidate_valid.len() != routes.len() {
            self.candidate_valid.resize(routes.len(), true);
            for candidate in 0..routes.len() {
                self.candidate_valid[candidate] = routes
                    .links(candidate)
                    .iter()
                    .all(|link| state.link_open[link.index()]);
            }
            self.hop_link.clear();
            for (hop, link) in routes.candidate_links.iter().enumerate() {
                let from = model.candidate_hop_from[hop] as usize;
                let wanted = model.link_to[link.index()];
                let start = network.first_link[from] as usize;
                let end = network.first_link[from + 1] as usize;
                let found = (start..end)
                    .find(|&l| model.link_to[l] == wanted && state.link_open[l])
                    .map_or(u32::MAX, |l| u32::try_from(l).unwrap_or(u32::MAX));
                self.hop_link.push(found);
            }
            state.links_changed = false;
        }
        self.refresh_capacity(model, state, counts);
    }

    /// Recomputes what depends on the counts at locations: capacity multipliers, full camps
    /// and route weights. Called at the start of the day and again before each round of
    /// re-evolving arrivals (see `Simulation::step`).
    pub(crate) fn refresh_capacity(&mut self, model: &Model, state: &WorldState, counts: &[u64]) {
        let rules = &model.settings().move_rules;
        let n = model.location_count();
        for (index, &count) in counts.iter().enumerate().take(n) {
            let multiplier = capacity_multiplier(model.capacity[index], count, rules);
            self.capacity_multiplier[index] = multiplier;
            self.full_camp[index] = state.camp[index] && multiplier < 0.5;
        }
        let routes = &model.routes;
        self.candidate_cumulative.resize(routes.len(), 0.0);
        for origin in 0..n {
            let mut total = 0.0;
            let mut valid = 0;
            for candidate in
                routes.first_candidate[origin] as usize..routes.first_candidate[origin + 1] as usize
            {
                if self.candidate_valid[candidate] {
                    let end = routes.candidate_end[candidate].index();
                    let mut endpoint_score =
                        self.score[end] * model.candidate_home_factor[candidate];
                    if rules.use_pop_for_loc_weight && !state.camp[end] {
                        endpoint_score *= state.population[end]
                            .min(1.0)
                            .powf(rules.pop_power_for_loc_weight);
                    }
                    let base = (rules.weight_softening + endpoint_score)
                        / model.candidate_distance_term[candidate]
                        * self.capacity_multiplier[end];
                    // x^1 is x exactly; the power is skipped for the usual weight_power 1.
                    #[expect(clippy::float_cmp, reason = "exactly 1 is the common setting")]
                    let weight = if rules.weight_power == 1.0 {
                        base
                    } else {
                        base.powf(rules.weight_power)
                    };
                    if weight.is_finite() && weight > 0.0 {
                        total += weight;
                    }
                    valid += 1;
                }
                self.candidate_cumulative[candidate] = total;
            }
            self.route_total[origin] = total;
            self.valid_routes[origin] = valid;
        }
        self.refresh_conditional(model);
    }

    /// The route split's conditional probabilities (see `candidate_conditional`), with the same
    /// arithmetic as drawing them one by one: the weight of a path is the difference of
    /// consecutive cumulative weights, and the remaining weight starts at the total and loses
    /// each weight in turn.
    fn refresh_conditional(&mut self, model: &Model) {
        let routes = &model.routes;
        self.candidate_conditional.resize(routes.len(), -1.0);
        for origin in 0..model.location_count() {
            let start = routes.first_candidate[origin] as usize;
            let end = routes.first_candidate[origin + 1] as usize;
            let mut remaining_weight = self.route_total[origin];
            let mut previous = 0.0;
            let mut last = None;
            for candidate in start..end {
                let cumulative = self.candidate_cumulative[candidate];
                let weight = cumulative - previous;
                previous = cumulative;
                if weight > 0.0 {
                    self.candidate_conditional[candidate] =
                        (weight / remaining_weight).clamp(0.0, 1.0);
                    remaining_weight -= weight;
                    last = Some(candidate);
                } else {
                    self.candidate_conditional[candidate] = -1.0;
                }
            }
            if let Some(last) = last {
                self.candidate_conditional[last] = 1.0;
            }
        }
    }

    /// Picks a candidate route from `origin` with probability proportional to its weight
    /// (uniformly among valid candidates when every weight is 0), given a uniform draw
    /// `u` in [0, 1). `None` when the location has no valid candidate.
    #[must_use]
    pub(crate) fn choose_route(&self, model: &Model, origin: usize, u: f64) -> Option<u32> {
        let routes = &model.routes;
        let start = routes.first_candidate[origin] as usize;
        let end = routes.first_candidate[origin + 1] as usize;
        let total = self.route_total[origin];
        if total > 0.0 {
            let target = u * total;
            let slice = &self.candidate_cumulative[start..end];
            let offset = slice.partition_point(|&c| c <= target);
            if offset < slice.len() {
                return u32::try_from(start + offset).ok();
            }
            // Rounding put the target at the very top: take the last path with weight.
            let last = (start..end).rev().find(|&p| {
                self.candidate_valid[p]
                    && (p == start
                        || self.candidate_cumulative[p] > self.candidate_cumulative[p - 1])
            });
            return last.and_then(|p| u32::try_from(p).ok());
        }
        let valid = self.valid_routes[origin];
        if valid == 0 {
            return None;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "u in [0, 1) times a u32 count"
        )]
        let pick = ((u * f64::from(valid)) as u32).min(valid - 1);
        (start..end)
            .filter(|&p| self.candidate_valid[p])
            .nth(pick as usize)
            .and_then(|p| u32::try_from(p).ok())
    }
}

/// Flee's `getCapMultiplier`: 1 below the buffer share of the capacity, 0 at or above it,
/// linear in between. Unlimited locations always give 1.
#[must_use]
pub(crate) fn capacity_multiplier(capacity: Option<u64>, count: u64, rules: &MoveRules) -> f64 {
    let Some(capacity) = capacity.filter(|&c| c >= 1) else {
        return 1.0;
    };
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^53")]
    let (n, cap) = (count as f64, capacity as f64);
    let buffer = rules.capacity_buffer;
    if n <= buffer * cap {
        1.0
    } else if n >= cap {
        0.0
    } else {
        1.0 - (n - buffer * cap) / (cap * (1.0 - buffer))
    }
}

/// Adds `n` to (or, with `remove`, takes `n` from) every category slot in `slots` that is one.
#[inline]
pub(crate) fn count_in(counts: &mut [u64], slots: [usize; 3], n: u64, remove: bool) {
    for slot in slots {
        if let Some(count) = counts.get_mut(slot) {
            if remove {
                *count -= n;
            } else {
                *count += n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_multiplier_has_flees_shape() {
        let rules = MoveRules::default();
        assert_eq!(capacity_multiplier(None, 10_000, &rules), 1.0);
        assert_eq!(capacity_multiplier(Some(300), 270, &rules), 1.0);
        assert_eq!(capacity_multiplier(Some(300), 300, &rules), 0.0);
        assert!((capacity_multiplier(Some(300), 285, &rules) - 0.5).abs() < 1e-12);
        assert!(capacity_multiplier(Some(300), 286, &rules) < 0.5);
    }

    #[test]
    fn haversine_is_about_right() {
        // Beijing to Shenyang is about 625 km in a straight line.
        let km = great_circle_km(39.9042, 116.4074, 41.8057, 123.4315, 6371.0);
        assert!((km - 625.0).abs() < 15.0, "{km}");
    }
}
