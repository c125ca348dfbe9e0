//! The sandbox company: local stand-ins for the systems Steward talks to, seeded with data
//! whose defects are known exactly (see shared/design/SANDBOX.md).

pub mod bridge;
pub mod clock;
pub mod faults;
pub mod files;
pub mod hubspot;
pub mod leads;
pub mod map;
pub mod seed;
pub mod server;
pub mod stats;
