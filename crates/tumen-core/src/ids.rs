//! Typed, copyable ids. Names live in the [`Network`](crate::Network) tables and are used
//! only when reading input and writing output.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[repr(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The id as an index into the table it belongs to.
            #[inline]
            #[must_use]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of the `index`-th entry.
            ///
            /// # Panics
            /// When `index` does not fit in 32 bits (tables that large are rejected when loading).
            #[inline]
            #[must_use]
            pub fn from_index(index: usize) -> Self {
                Self(u32::try_from(index).unwrap_or(u32::MAX))
            }
        }
    };
}

id_type!(
    /// A location: a row of `locations.csv`.
    LocationId
);
id_type!(
    /// One direction of a link: every row of `routes.csv` makes two links.
    LinkId
);
id_type!(
    /// A country, as named in the `country` column of `locations.csv`.
    CountryId
);

/// A simulated day, counted from the scenario's start date (day 0).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(transparent)]
pub struct Day(pub u32);

impl Day {
    /// The day after this one.
    #[inline]
    #[must_use]
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }
}
