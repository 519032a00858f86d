//! Parity with Flee 3.1 (see the crate README).
