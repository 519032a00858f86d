//! Where a job's independent items are computed (issue 16): in this process, or spread over
//! processes (MPI ranks) by a front end that implements [`Spread`]. The pipeline says what an
//! item is (a replica, a design point of a sensitivity analysis, one model run of a calibration)
//! and how to compute a batch of them; the [`Spread`] decides who computes which batch. Results
//! travel as bytes, so an item's result must be a pure function of its index (seeded by index,
//! never by where it runs): then the outputs do not depend on the number of processes, their
//! threads, or who ran what.
//!
//! The pipeline's layer knows nothing of MPI: `tumen-cli` implements [`Spread`] over
//! `tumen-mpi`'s ranks; [`Local`] is the one-process default.

use crate::error::Error;

/// Computes the results of a batch of item indices, in the order given (in parallel on the
/// current rayon pool).
pub type Work<'a> = &'a (dyn Fn(&[u64]) -> Result<Vec<Vec<u8>>, Error> + Sync);

/// Who computes a job's items.
pub trait Spread: Sync {
    /// Whether items may be computed by other processes (then results travel as bytes, and an
    /// ensemble's replicas as traces).
    fn is_distributed(&self) -> bool;

    /// Computes items `0..total` with `work`, every process calling it at the same point, and
    /// returns their results in item order: on every process when `everywhere`, else on the
    /// process that writes the outputs, `None` on the others (which then only helped).
    ///
    /// # Errors
    /// The first failure of any process.
    fn spread(
        &self,
        total: u64,
        everywhere: bool,
        work: Work<'_>,
    ) -> Result<Option<Vec<Vec<u8>>>, Error>;
}

/// Everything in this process: one batch of every item, on the current rayon pool.
#[derive(Clone, Copy, Debug, Default)]
pub struct Local;

impl Spread for Local {
    fn is_distributed(&self) -> bool {
        false
    }

    fn spread(
        &self,
        total: u64,
        _everywhere: bool,
        work: Work<'_>,
    ) -> Result<Option<Vec<Vec<u8>>>, Error> {
        let indices: Vec<u64> = (0..total).collect();
        let results = work(&indices)?;
        if results.len() != indices.len() {
            return Err(Error::Internal(format!(
                "{} results for {total} items",
                results.len()
            )));
        }
        Ok(Some(results))
    }
}

/// A named number's bytes: `[name length: u64][name][value: f64 bits]`, repeated.
pub(crate) fn encode_outputs(outputs: &std::collections::BTreeMap<String, f64>) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (name, value) in outputs {
        bytes.extend_from_slice(&(name.len() as u64).to_le_bytes());
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(&value.to_bits().to_le_bytes());
    }
    bytes
}

/// Reads [`encode_outputs`]'s bytes back, bit for bit.
pub(crate) fn decode_outputs(
    mut bytes: &[u8],
) -> Result<std::collections::BTreeMap<String, f64>, Error> {
    let truncated = || Error::Internal("a result sent by a process is truncated".to_owned());
    let read_u64 = |bytes: &mut &[u8]| -> Result<u64, Error> {
        let (head, tail) = bytes.split_first_chunk::<8>().ok_or_else(truncated)?;
        *bytes = tail;
        Ok(u64::from_le_bytes(*head))
    };
    let mut outputs = std::collections::BTreeMap::new();
    while !bytes.is_empty() {
        let length = usize::try_from(read_u64(&mut bytes)?).map_err(|_| truncated())?;
        let (name, tail) = bytes.split_at_checked(length).ok_or_else(truncated)?;
        bytes = tail;
        let name = String::from_utf8(name.to_vec())
            .map_err(|_| Error::Internal("a result names an output in bad UTF-8".to_owned()))?;
        let value = f64::from_bits(read_u64(&mut bytes)?);
        outputs.insert(name, value);
    }
    Ok(outputs)
}

/// One number's bytes (its bits).
pub(crate) fn encode_f64(value: f64) -> Vec<u8> {
    value.to_bits().to_le_bytes().to_vec()
}

/// Reads [`encode_f64`]'s bytes back.
pub(crate) fn decode_f64(bytes: &[u8]) -> Result<f64, Error> {
    let bits: [u8; 8] = bytes
        .try_into()
        .map_err(|_| Error::Internal("a distance sent by a process is not 8 bytes".to_owned()))?;
    Ok(f64::from_bits(u64::from_le_bytes(bits)))
}

/// Records the traces of a batch of an ensemble's replicas, in the order given.
pub(crate) type Record<'a> =
    &'a (dyn Fn(&[u64]) -> Result<Vec<tumen_ensemble::Trace>, Error> + Sync);

/// Records the traces of items `0..total` of an ensemble over the processes (`record` computes
/// a batch), and returns them as a store on the process that writes, ready to be replayed.
pub(crate) fn spread_traces(
    spread: &dyn Spread,
    total: u64,
    record: Record<'_>,
) -> Result<Option<tumen_ensemble::TraceStore>, Error> {
    Ok(spread_trace_bytes(spread, total, record)?.map(|all| {
        let mut store = tumen_ensemble::TraceStore::new();
        for (index, bytes) in (0_u64..).zip(all) {
            store.add_bytes(index, bytes);
        }
        store
    }))
}

/// [`spread_traces`]'s traces as bytes ([`tumen_ensemble::Trace::to_bytes`]), in item order.
pub(crate) fn spread_trace_bytes(
    spread: &dyn Spread,
    total: u64,
    record: Record<'_>,
) -> Result<Option<Vec<Vec<u8>>>, Error> {
    let work = |indices: &[u64]| {
        record(indices)?
            .iter()
            .map(|trace| trace.to_bytes().map_err(Error::Internal))
            .collect()
    };
    spread.spread(total, false, &work)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_round_trip_bit_for_bit() {
        let mut outputs = std::collections::BTreeMap::new();
        outputs.insert("ard".to_owned(), 0.1 + 0.2);
        outputs.insert("target:é".to_owned(), f64::NAN);
        outputs.insert(String::new(), -0.0);
        let back = decode_outputs(&encode_outputs(&outputs)).unwrap();
        assert_eq!(back.len(), 3);
        for (name, value) in &outputs {
            assert_eq!(back[name].to_bits(), value.to_bits(), "{name}");
        }
        let bytes = encode_outputs(&outputs);
        assert!(decode_outputs(&bytes[..bytes.len() - 1]).is_err());
        assert_eq!(decode_f64(&encode_f64(1.5e-300)).unwrap(), 1.5e-300);
        assert!(decode_f64(&[0; 7]).is_err());
    }
}
