//! Which locations with a capacity a traveller may reach in today's travel pass: the bound
//! that decides whether a travel pass runs in sub-batches (see `Simulation::sub_batches`).
//!
//! A traveller on a link arrives at its end when what is left of the link is shorter than
//! the day's speed; then, after a short day, it may choose a route and travel on, link after
//! link, as long as the km it moved today stay below the speed of the link it came by (see
//! `DayProcess::advance`). So it can reach a location `t` only if `t` is the end of its
//! link, or if what is left of the link plus the network distance from the link's end to
//! some location `u` next to `t` is below the fastest speed `S`, with the link from `u` to
//! `t` shorter than `S`. The distances are computed once per run over every link, open or
//! not (closures only make paths longer), so the bound holds whatever the day.

use crate::agents::{Agent, PLACE_MASK, SENT_BACK, may_arrive};
use crate::world::Model;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// No target.
const NONE: u32 = u32::MAX;

/// For each link, the locations with a capacity that a traveller on it may reach today.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reach {
    /// The locations with a capacity of at least 1, in location order (a target's slot is
    /// its index here).
    targets: Vec<u32>,
    /// Per link: its entries are `entries[first[link]..first[link + 1]]`.
    first: Vec<u32>,
    /// (target slot, km): a traveller on the link who may arrive today and has more than
    /// `km` km of it behind may reach the target today.
    entries: Vec<(u32, f64)>,
    /// Per link: the slot of its start when that is a target (a traveller sent back arrives
    /// there and stops), else [`NONE`].
    from_slot: Vec<u32>,
}

/// A distance in the queue, smallest first.
#[derive(Copy, Clone, PartialEq)]
struct Queued(f64, u32);

impl Eq for Queued {}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

impl Reach {
    /// The table for a model's network.
    pub(crate) fn new(model: &Model) -> Self {
        let n = model.location_count();
        let links = model.link_count();
        let targets: Vec<u32> = (0..n)
            .filter(|&l| model.capacity[l].is_some_and(|c| c >= 1))
            .filter_map(|l| u32::try_from(l).ok())
            .collect();
        let mut slot_of = vec![NONE; n];
        for (slot, &target) in targets.iter().enumerate() {
            slot_of[target as usize] = u32::try_from(slot).unwrap_or(NONE);
        }
        // The fastest anyone moves in a day, with a margin for the rounding of the km sums.
        let fastest = model
            .link_speed
            .iter()
            .copied()
            .fold(model.settings().move_rules.max_walk_speed, f64::max);
        let speed = fastest * (1.0 + 1e-9) + 1e-6;
        // Links into each location, for distances towards a target.
        let mut into_first = vec![0_u32; n + 1];
        for &to in &model.link_to {
            into_first[to as usize + 1] += 1;
        }
        for i in 0..n {
            into_first[i + 1] += into_first[i];
        }
        let mut into = vec![0_u32; links];
        let mut next = into_first.clone();
        for (link, &to) in model.link_to.iter().enumerate() {
            into[next[to as usize] as usize] = u32::try_from(link).unwrap_or(NONE);
            next[to as usize] += 1;
        }
        // Per target: the distance from every location to the target or to a location
        // one link shorter than `speed` away from it (infinite beyond `speed`).
        let mut near = vec![f64::INFINITY; targets.len() * n];
        let mut queue = BinaryHeap::new();
        for (slot, &target) in targets.iter().enumerate() {
            let distance = &mut near[slot * n..(slot + 1) * n];
            let t = target as usize;
            distance[t] = 0.0;
            queue.push(Queued(0.0, target));
            for &link in &into[into_first[t] as usize..into_first[t + 1] as usize] {
                let from = model.link_from[link as usize];
                if model.link_km[link as usize] < speed && distance[from as usize] > 0.0 {
                    distance[from as usize] = 0.0;
                    queue.push(Queued(0.0, from));
                }
            }
            while let Some(Queued(d, at)) = queue.pop() {
                let at = at as usize;
                if d > distance[at] {
                    continue;
                }
                for &link in &into[into_first[at] as usize..into_first[at + 1] as usize] {
                    let from = model.link_from[link as usize] as usize;
                    let via = d + model.link_km[link as usize];
                    if via < speed && via < distance[from] {
                        distance[from] = via;
                        queue.push(Queued(via, model.link_from[link as usize]));
                    }
                }
            }
        }
        let mut first = Vec::with_capacity(links + 1);
        let mut entries = Vec::new();
        let mut from_slot = Vec::with_capacity(links);
        first.push(0);
        for link in 0..links {
            let end = model.link_to[link] as usize;
            let length = model.link_km[link];
            for slot in 0..targets.len() {
                let slot_id = u32::try_from(slot).unwrap_or(NONE);
                if targets[slot] as usize == end {
                    entries.push((slot_id, f64::NEG_INFINITY));
                } else {
                    let d = near[slot * n + end];
                    if d < speed {
                        entries.push((slot_id, length - speed + d));
                    }
                }
            }
            first.push(u32::try_from(entries.len()).unwrap_or(NONE));
            from_slot.push(slot_of[model.link_from[link] as usize]);
        }
        Self {
            targets,
            first,
            entries,
            from_slot,
        }
    }

    /// The locations with a capacity, in slot order.
    pub(crate) fn targets(&self) -> &[u32] {
        &self.targets
    }

    /// The width of a tally: one count per target, and one more for people who may reach
    /// every target.
    pub(crate) fn width(&self) -> usize {
        self.targets.len() + 1
    }

    /// Adds `n` to `tally[slot]` for every target a traveller in state `agent` may reach in
    /// today's travel pass (nothing for someone not travelling). With the mechanisms active
    /// (people with goals, arrests) the only bound kept is that it may arrive somewhere: it
    /// counts for every target (the last slot).
    #[inline]
    pub(crate) fn tally(
        &self,
        agent: &Agent,
        model: &Model,
        mech_active: bool,
        n: u64,
        tally: &mut [u64],
    ) {
        if !may_arrive(agent, model, mech_active) {
            return;
        }
        if mech_active {
            tally[self.targets.len()] += n;
            return;
        }
        let link = (agent.place & PLACE_MASK) as usize;
        if agent.place & SENT_BACK != 0 {
            let slot = self.from_slot[link];
            if slot != NONE {
                tally[slot as usize] += n;
            }
            return;
        }
        let km = f64::from(agent.km_on_link);
        let entries = &self.entries[self.first[link] as usize..self.first[link + 1] as usize];
        for &(slot, threshold) in entries {
            if km > threshold {
                tally[slot as usize] += n;
            }
        }
    }

    /// An upper bound of [`Reach::tally`] over everyone, from the people on each link:
    /// everyone on a link counts for every target some traveller on it may reach.
    pub(crate) fn tally_links(&self, link_counts: &[u64], mech_active: bool, tally: &mut [u64]) {
        tally.fill(0);
        for (link, &count) in link_counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            if mech_active {
                tally[self.targets.len()] += count;
                continue;
            }
            for &(slot, _) in
                &self.entries[self.first[link] as usize..self.first[link + 1] as usize]
            {
                tally[slot as usize] += count;
            }
            let slot = self.from_slot[link];
            if slot != NONE {
                tally[slot as usize] += count;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::ON_LINK;
    use tumen_core::{LocationKind, Network, Scenario, Settings};

    /// D -120- A -100- B -150- C (camp, capacity 1 000) -300- E, and F -50- G (camp,
    /// capacity 10) -50- H, apart; speed 200 km a day, walking 35.
    fn model() -> Model {
        let mut b = Network::builder();
        let d = b.add("D", LocationKind::ConflictZone, "Home", 100);
        let a = b.add("A", LocationKind::Town, "Home", 100);
        let bb = b.add("B", LocationKind::Town, "Home", 100);
        let c = b.add("C", LocationKind::Camp, "Away", 1_000);
        let e = b.add("E", LocationKind::Town, "Away", 100);
        let f = b.add("F", LocationKind::Town, "Home", 100);
        let g = b.add("G", LocationKind::Camp, "Away", 10);
        let h = b.add("H", LocationKind::Town, "Away", 100);
        b.link(d, a, 120.0);
        b.link(a, bb, 100.0);
        b.link(bb, c, 150.0);
        b.link(c, e, 300.0);
        b.link(f, g, 50.0);
        b.link(g, h, 50.0);
        let mut settings = Settings::flee_defaults();
        settings.move_rules.max_move_speed = 200.0;
        settings.move_rules.max_walk_speed = 35.0;
        Model::new(Scenario {
            name: "reach".into(),
            start_date: tumen_core::Date::constant(2020, 1, 1),
            days: 5,
            network: b.build(),
            settings,
            schedule: tumen_core::Schedule::default(),
            observations: tumen_core::Observations::default(),
            initial_agents: Vec::new(),
            mechanisms: tumen_core::Mechanisms::default(),
        })
        .expect("a valid model")
    }

    /// The tally of one traveller on the link `from → to` with `km` of it behind.
    fn tally(
        model: &Model,
        reach: &Reach,
        from: &str,
        to: &str,
        km: f32,
        sent_back: bool,
    ) -> Vec<u64> {
        let network = &model.scenario.network;
        let (from, to) = (
            network.find(from).unwrap_or_else(|| unreachable!()),
            network.find(to).unwrap_or_else(|| unreachable!()),
        );
        let link = (0..model.link_count())
            .find(|&l| model.link_from[l] == from.0 && model.link_to[l] == to.0)
            .unwrap_or_else(|| unreachable!());
        let mut agent = Agent::at(0);
        agent.place =
            ON_LINK | u32::try_from(link).unwrap_or(0) | if sent_back { SENT_BACK } else { 0 };
        agent.km_on_link = km;
        let mut counts = vec![0; reach.width()];
        reach.tally(&agent, model, false, 1, &mut counts);
        counts
    }

    #[test]
    fn travellers_count_for_the_capacities_within_a_day_of_travel() {
        let model = model();
        let reach = Reach::new(&model);
        // C and G are the targets, slots 0 and 1.
        assert_eq!(reach.targets(), &[3, 6]);
        let at = |from, to, km, back| tally(&model, &reach, from, to, km, back);
        // On A → B: arrives at B (100 km left, below 200), moves on towards C (150 km,
        // below 200): may reach C, whatever km it has behind. Not G (not connected).
        assert_eq!(at("A", "B", 0.0, false), [1, 0, 0]);
        // On D → A: from A, B is 100 km away and next to C: it needs to arrive at A with
        // less than 100 km moved, so more than 20 km of the 120 behind it.
        assert_eq!(at("D", "A", 10.0, false), [0, 0, 0]);
        assert_eq!(at("D", "A", 30.0, false), [1, 0, 0]);
        // On E → C: 300 km, arrives only with more than 100 km behind it.
        assert_eq!(at("E", "C", 50.0, false), [0, 0, 0]);
        assert_eq!(at("E", "C", 150.0, false), [1, 0, 0]);
        // On C → E, sent back: arrives at C and stops there; not sent back, it arrives at
        // E, 300 km from C.
        assert_eq!(at("C", "E", 150.0, true), [1, 0, 0]);
        assert_eq!(at("C", "E", 150.0, false), [0, 0, 0]);
        assert_eq!(at("B", "A", 0.0, true), [0, 0, 0]);
        // F → G → H: G is next to both.
        assert_eq!(at("F", "G", 0.0, false), [0, 1, 0]);
        assert_eq!(at("H", "G", 0.0, false), [0, 1, 0]);
        // The bound from the links' counts covers every traveller on a link.
        let mut links = vec![0; model.link_count()];
        links.fill(2);
        let mut bound = vec![0; reach.width()];
        reach.tally_links(&links, false, &mut bound);
        assert!(bound[0] >= 2 * 6 && bound[1] >= 2 * 4, "{bound:?}");
        // With the mechanisms active, whoever may arrive counts for every target.
        let mut agent = Agent::at(0);
        agent.place = ON_LINK;
        agent.km_on_link = 100.0;
        let mut counts = vec![0; reach.width()];
        reach.tally(&agent, &model, true, 3, &mut counts);
        assert_eq!(counts, [0, 0, 3]);
    }
}
