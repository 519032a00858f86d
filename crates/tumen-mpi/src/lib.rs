//! Work spread over MPI ranks: the items of a job (replicas) are handed out dynamically by
//! rank 0, in batches, to whichever rank asks next (items cost unequal times), and their
//! results, bytes, come back to rank 0 in item order. Rank 0 computes items too, on its own
//! thread, while a second thread of rank 0 serves the queue. Every rank runs the same command
//! (SPMD); only rank 0 gets the results and writes the outputs.
//!
//! Because every item's result is a pure function of the item (replicas are keyed by seed and
//! index, never by where they run), the results do not depend on the number of ranks, the
//! threads per rank or the order in which the queue hands items out.
//!
//! Faults: a rank whose item fails sends its error to rank 0, which stops handing out work
//! and returns `rank R: <error>`, so the job exits non-zero with that rank's error before any
//! output is written. A rank that dies is noticed by the MPI launcher, which ends the job with a
//! non-zero status (again before rank 0 writes anything).
//!
//! Without the cargo feature `mpi` this crate is a one-process stub, and it refuses to run
//! under an MPI launcher with more than one rank (every rank would write the same files).
//!
//! Protocol (tags): a worker sends `RESULTS` = `[k: u64][index: u64, length: u64, bytes]*`
//! (its batch size `k` and the results of its last batch, none at first) and receives a batch
//! of indices (`[index: u64]*`, empty: stop); or sends `FAILED` with a UTF-8 message and stops.
//! Each call to [`Cluster::distribute`] uses its own pair of tags (every rank counts its calls,
//! in step), so that a worker already asking for the next job's items is not served from the
//! queue of a job that other workers are still finishing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Items' results, with their indices.
type Batch = Vec<(u64, Vec<u8>)>;

/// One item's work: the results of `indices`, in order.
pub type Work<'a> = &'a (dyn Fn(&[u64]) -> Result<Vec<Vec<u8>>, String> + Sync);

/// This process's place in the job.
pub struct Cluster {
    rank: u32,
    size: u32,
    #[cfg(feature = "mpi")]
    _universe: Option<mpi::environment::Universe>,
    #[cfg(feature = "mpi")]
    threaded: bool,
    /// Calls to [`Cluster::distribute`] so far (the same on every rank).
    #[cfg(feature = "mpi")]
    calls: AtomicU64,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cluster(rank {} of {})", self.rank, self.size)
    }
}

/// The number of ranks an MPI launcher announced in the environment (Open MPI, MPICH/PMI,
/// Slurm's `srun`), if any.
#[must_use]
pub fn launched_ranks() -> Option<u32> {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"]
        .iter()
        .find_map(|name| std::env::var(name).ok()?.parse().ok())
}

impl Cluster {
    /// One process alone.
    #[must_use]
    pub fn single() -> Self {
        Self {
            rank: 0,
            size: 1,
            #[cfg(feature = "mpi")]
            _universe: None,
            #[cfg(feature = "mpi")]
            threaded: false,
            #[cfg(feature = "mpi")]
            calls: AtomicU64::new(0),
        }
    }

    /// Joins the MPI job when the process was started by an MPI launcher (and this build has
    /// the `mpi` feature); otherwise one process alone. Call it once, first, and keep it until
    /// the end (dropping it ends MPI).
    ///
    /// # Errors
    /// When launched with several ranks by a build without MPI, or MPI cannot start.
    pub fn init() -> Result<Self, String> {
        #[cfg(feature = "mpi")]
        {
            if launched_ranks().is_none() {
                return Ok(Self::single());
            }
            let (universe, threading) = mpi::initialize_with_threading(mpi::Threading::Multiple)
                .ok_or("MPI was already started")?;
            use mpi::topology::Communicator as _;
            let world = universe.world();
            let rank = u32::try_from(world.rank()).map_err(|e| e.to_string())?;
            let size = u32::try_from(world.size()).map_err(|e| e.to_string())?;
            Ok(Self {
                rank,
                size,
                _universe: Some(universe),
                threaded: matches!(
                    threading,
                    mpi::Threading::Serialized | mpi::Threading::Multiple
                ),
                calls: AtomicU64::new(0),
            })
        }
        #[cfg(not(feature = "mpi"))]
        {
            match launched_ranks() {
                Some(n) if n > 1 => Err(format!(
                    "started by an MPI launcher with {n} ranks, but this build of tumen has no \
                     MPI: every rank would run the whole job and write the same files; build \
                     it with `cargo build --release --features mpi` (see README, Clusters)"
                )),
                _ => Ok(Self::single()),
            }
        }
    }

    /// This process's rank (0: the one that writes).
    #[must_use]
    pub fn rank(&self) -> u32 {
        self.rank
    }

    /// Ranks in the job.
    #[must_use]
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Whether work is spread over more than one process.
    #[must_use]
    pub fn is_distributed(&self) -> bool {
        self.size > 1
    }

    /// Ends the whole job with `code` when work is spread over several ranks (`MPI_Abort`:
    /// the launcher stops every rank and exits non-zero), so that a rank failing outside the
    /// queue (reading its inputs, say) cannot leave the others waiting; does nothing in a
    /// single process, whose caller exits as usual.
    pub fn abort_if_distributed(&self, code: i32) {
        #[cfg(feature = "mpi")]
        if self.is_distributed() {
            use mpi::topology::Communicator as _;
            mpi::topology::SimpleCommunicator::world().abort(code);
        }
        let _ = code;
    }

    /// Waits until every rank gets here (nothing in a single process).
    pub fn barrier(&self) {
        #[cfg(feature = "mpi")]
        if self.is_distributed() {
            use mpi::collective::CommunicatorCollectives as _;
            mpi::topology::SimpleCommunicator::world().barrier();
        }
    }

    /// Computes items `0..total` over the ranks, `batch` items at a time per request (this
    /// rank's threads, say), with `work`. Every rank must call it at the same point. Returns
    /// the results in item order on rank 0, `None` on the others.
    ///
    /// # Errors
    /// On rank 0, the first failure of any rank (`rank R: message`); on a rank whose own item
    /// failed, its failure.
    pub fn distribute(
        &self,
        total: u64,
        batch: usize,
        work: Work<'_>,
    ) -> Result<Option<Vec<Vec<u8>>>, String> {
        let batch = batch.max(1) as u64;
        if !self.is_distributed() {
            let queue = Queue::new(total);
            queue.work_locally(batch, work);
            return queue.finish().map(Some);
        }
        #[cfg(feature = "mpi")]
        {
            let tags = Tags::of_call(self.calls.fetch_add(1, Ordering::SeqCst));
            if self.rank == 0 {
                root(self.size, total, batch, self.threaded, tags, work).map(Some)
            } else {
                worker(batch, tags, work).map(|()| None)
            }
        }
        #[cfg(not(feature = "mpi"))]
        {
            Err("a distributed job in a build without MPI".to_owned())
        }
    }
}

impl Cluster {
    /// [`Cluster::distribute`], with the results returned on every rank: rank 0 broadcasts
    /// them once every item is in. For an algorithm that every rank follows step by step
    /// (ABC-SMC's generations: each rank needs every distance to draw the next proposals
    /// exactly as rank 0 does). Every rank must call it at the same point.
    ///
    /// # Errors
    /// As [`Cluster::distribute`]. When rank 0 fails it returns its error without
    /// broadcasting (the caller ends the job, and the ranks waiting for the results with it).
    pub fn distribute_everywhere(
        &self,
        total: u64,
        batch: usize,
        work: Work<'_>,
    ) -> Result<Vec<Vec<u8>>, String> {
        let results = self.distribute(total, batch, work)?;
        if !self.is_distributed() {
            return results.ok_or_else(|| "no results in a single process".to_owned());
        }
        #[cfg(feature = "mpi")]
        {
            use mpi::collective::Root as _;
            use mpi::topology::Communicator as _;
            let world = mpi::topology::SimpleCommunicator::world();
            let root = world.process_at_rank(0);
            let mut bytes = match results {
                Some(results) => {
                    let pairs: Vec<(u64, Vec<u8>)> = (0_u64..).zip(results).collect();
                    encode_results(total, &pairs)
                }
                None => Vec::new(),
            };
            let mut length = bytes.len() as u64;
            root.broadcast_into(&mut length);
            bytes.resize(usize::try_from(length).map_err(|e| e.to_string())?, 0);
            root.broadcast_into(&mut bytes[..]);
            let (count, pairs) = decode_results(&bytes)?;
            if count != total || pairs.len() as u64 != total {
                return Err(format!(
                    "rank 0 broadcast {} results, {total} were expected",
                    pairs.len()
                ));
            }
            Ok(pairs.into_iter().map(|(_, bytes)| bytes).collect())
        }
        #[cfg(not(feature = "mpi"))]
        {
            Err("a distributed job in a build without MPI".to_owned())
        }
    }
}

/// The queue and the results of rank 0.
struct Queue {
    total: u64,
    next: AtomicU64,
    results: Mutex<Vec<Option<Vec<u8>>>>,
    failure: Mutex<Option<String>>,
}

impl Queue {
    fn new(total: u64) -> Self {
        Self {
            total,
            next: AtomicU64::new(0),
            results: Mutex::new(vec![None; usize::try_from(total).unwrap_or(0)]),
            failure: Mutex::new(None),
        }
    }

    fn failed(&self) -> bool {
        self.failure.lock().map_or(true, |f| f.is_some())
    }

    /// The next batch of up to `k` items; empty when all are handed out or a rank failed.
    fn take(&self, k: u64) -> Vec<u64> {
        if self.failed() {
            return Vec::new();
        }
        let start = self.next.fetch_add(k, Ordering::SeqCst).min(self.total);
        (start..(start + k).min(self.total)).collect()
    }

    fn fail(&self, message: String) {
        if let Ok(mut failure) = self.failure.lock()
            && failure.is_none()
        {
            *failure = Some(message);
        }
    }

    fn store(&self, index: u64, bytes: Vec<u8>) -> Result<(), String> {
        let mut results = self.results.lock().map_err(|_| "a thread panicked")?;
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| results.get_mut(i))
            .ok_or_else(|| format!("a result for item {index}, which does not exist"))?;
        *slot = Some(bytes);
        Ok(())
    }

    /// Rank 0's own share: batches from the queue until it is empty.
    fn work_locally(&self, k: u64, work: Work<'_>) {
        loop {
            let indices = self.take(k);
            if indices.is_empty() {
                return;
            }
            match work(&indices) {
                Ok(results) => {
                    for (index, bytes) in indices.into_iter().zip(results) {
                        if let Err(e) = self.store(index, bytes) {
                            self.fail(format!("rank 0: {e}"));
                            return;
                        }
                    }
                }
                Err(message) => {
                    self.fail(format!("rank 0: {message}"));
                    return;
                }
            }
        }
    }

    fn finish(self) -> Result<Vec<Vec<u8>>, String> {
        if let Some(message) = self.failure.into_inner().map_err(|_| "a thread panicked")? {
            return Err(message);
        }
        let results = self.results.into_inner().map_err(|_| "a thread panicked")?;
        results
            .into_iter()
            .enumerate()
            .map(|(index, r)| r.ok_or_else(|| format!("item {index} was never computed")))
            .collect()
    }
}

/// The tags of one call's messages.
#[cfg(feature = "mpi")]
#[derive(Clone, Copy)]
struct Tags {
    /// A worker's results and request, and rank 0's answer.
    results: mpi::Tag,
    /// A worker's failure.
    failed: mpi::Tag,
}

#[cfg(feature = "mpi")]
impl Tags {
    /// Call `call`'s tags: consecutive calls differ (at most two are in flight at once), and
    /// every tag stays under 32,767, the least upper bound MPI allows.
    fn of_call(call: u64) -> Self {
        let base = 2 * i32::try_from(call % 8_000).unwrap_or(0) + 10;
        Self {
            results: base,
            failed: base + 1,
        }
    }
}

#[cfg_attr(
    not(feature = "mpi"),
    allow(dead_code, reason = "the wire format, used with MPI and in tests")
)]
fn read_u64(bytes: &mut &[u8]) -> Result<u64, String> {
    let (head, tail) = bytes
        .split_first_chunk::<8>()
        .ok_or("a message is truncated")?;
    *bytes = tail;
    Ok(u64::from_le_bytes(*head))
}

#[cfg_attr(
    not(feature = "mpi"),
    allow(dead_code, reason = "the wire format, used with MPI and in tests")
)]
/// `[k][index, length, bytes]*` → `(k, results)`.
fn decode_results(mut bytes: &[u8]) -> Result<(u64, Batch), String> {
    let k = read_u64(&mut bytes)?;
    let mut results = Vec::new();
    while !bytes.is_empty() {
        let index = read_u64(&mut bytes)?;
        let length = usize::try_from(read_u64(&mut bytes)?).map_err(|e| e.to_string())?;
        let (body, tail) = bytes
            .split_at_checked(length)
            .ok_or("a message is truncated")?;
        results.push((index, body.to_vec()));
        bytes = tail;
    }
    Ok((k, results))
}

#[cfg_attr(
    not(feature = "mpi"),
    allow(dead_code, reason = "the wire format, used with MPI and in tests")
)]
fn encode_results(k: u64, results: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let mut bytes = k.to_le_bytes().to_vec();
    for (index, body) in results {
        bytes.extend_from_slice(&index.to_le_bytes());
        bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
        bytes.extend_from_slice(body);
    }
    bytes
}

#[cfg(feature = "mpi")]
fn root(
    size: u32,
    total: u64,
    batch: u64,
    threaded: bool,
    tags: Tags,
    work: Work<'_>,
) -> Result<Vec<Vec<u8>>, String> {
    let queue = Queue::new(total);
    let serve = |queue: &Queue| {
        use mpi::point_to_point::{Destination as _, MatchedReceiveVec as _, Source as _};
        use mpi::topology::Communicator as _;
        let world = mpi::topology::SimpleCommunicator::world();
        let mut active = size - 1;
        while active > 0 {
            // Poll, sleeping between probes: a blocking receive busy-waits in Open MPI and
            // would take a core from rank 0's own replicas.
            // Only this call's messages: a worker may already ask for the next call's items.
            let Some(matched) = world
                .any_process()
                .immediate_matched_probe_with_tag(tags.failed)
                .or_else(|| {
                    world
                        .any_process()
                        .immediate_matched_probe_with_tag(tags.results)
                })
            else {
                std::thread::sleep(std::time::Duration::from_millis(1));
                continue;
            };
            let (message, status) = matched.matched_receive_vec::<u8>();
            let source = status.source_rank();
            if status.tag() == tags.failed {
                queue.fail(format!(
                    "rank {source}: {}",
                    String::from_utf8_lossy(&message)
                ));
                active -= 1;
                continue;
            }
            let next = match decode_results(&message) {
                Ok((k, results)) => {
                    for (index, bytes) in results {
                        if let Err(e) = queue.store(index, bytes) {
                            queue.fail(format!("rank {source}: {e}"));
                        }
                    }
                    queue.take(k)
                }
                Err(e) => {
                    queue.fail(format!("rank {source}: {e}"));
                    Vec::new()
                }
            };
            if next.is_empty() {
                active -= 1;
            }
            let indices: Vec<u8> = next.iter().flat_map(|i| i.to_le_bytes()).collect();
            world
                .process_at_rank(source)
                .send_with_tag(&indices[..], tags.results);
        }
    };
    if threaded {
        std::thread::scope(|scope| {
            scope.spawn(|| serve(&queue));
            queue.work_locally(batch, work);
        });
    } else {
        // MPI may only be called from one thread: rank 0 only serves.
        serve(&queue);
    }
    queue.finish()
}

#[cfg(feature = "mpi")]
fn worker(batch: u64, tags: Tags, work: Work<'_>) -> Result<(), String> {
    use mpi::point_to_point::{Destination as _, Source as _};
    use mpi::topology::Communicator as _;
    let world = mpi::topology::SimpleCommunicator::world();
    let root = world.process_at_rank(0);
    let mut message = encode_results(batch, &[]);
    loop {
        root.send_with_tag(&message[..], tags.results);
        let (indices, _) = root.receive_vec_with_tag::<u8>(tags.results);
        let mut rest = &indices[..];
        let mut batch_indices = Vec::with_capacity(indices.len() / 8);
        while !rest.is_empty() {
            batch_indices.push(read_u64(&mut rest)?);
        }
        if batch_indices.is_empty() {
            return Ok(());
        }
        match work(&batch_indices) {
            Ok(results) => {
                let pairs: Vec<(u64, Vec<u8>)> = batch_indices.into_iter().zip(results).collect();
                message = encode_results(batch, &pairs);
            }
            Err(error) => {
                root.send_with_tag(error.as_bytes(), tags.failed);
                return Err(error);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_messages_round_trip() {
        let results = vec![(3, b"abc".to_vec()), (7, Vec::new()), (9, vec![0; 1000])];
        let bytes = encode_results(4, &results);
        assert_eq!(decode_results(&bytes).unwrap(), (4, results));
        assert!(decode_results(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_results(&bytes[..5]).is_err());
    }

    #[test]
    fn one_process_computes_every_item_in_order() {
        let cluster = Cluster::single();
        let work = |indices: &[u64]| Ok(indices.iter().map(|i| vec![*i as u8; 2]).collect());
        let results = cluster.distribute(5, 2, &work).unwrap().unwrap();
        assert_eq!(
            results,
            (0..5).map(|i| vec![i as u8; 2]).collect::<Vec<_>>()
        );
        let failing = |_: &[u64]| -> Result<Vec<Vec<u8>>, String> { Err("boom".to_owned()) };
        assert_eq!(
            cluster.distribute(5, 2, &failing).unwrap_err(),
            "rank 0: boom"
        );
    }

    #[test]
    fn one_process_gets_every_result_everywhere_too() {
        let cluster = Cluster::single();
        let work = |indices: &[u64]| Ok(indices.iter().map(|i| vec![*i as u8; 3]).collect());
        assert_eq!(
            cluster.distribute_everywhere(4, 3, &work).unwrap(),
            (0..4).map(|i| vec![i as u8; 3]).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_queue_hands_out_every_item_once_and_stops_after_a_failure() {
        let queue = Queue::new(10);
        let mut seen = Vec::new();
        loop {
            let batch = queue.take(3);
            if batch.is_empty() {
                break;
            }
            seen.extend(batch);
        }
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        let queue = Queue::new(10);
        assert_eq!(queue.take(4), vec![0, 1, 2, 3]);
        queue.fail("rank 2: boom".to_owned());
        assert!(queue.take(4).is_empty());
        assert_eq!(queue.finish().unwrap_err(), "rank 2: boom");
    }
}
