//! Steward's use cases. The desktop shell and the `steward` CLI are thin front ends over
//! [`Steward`]: each of their commands takes input, calls one method here, and maps the
//! [`AppError`] it may return.

pub mod activity;
pub mod audit;
mod audit_pack;
mod bindings;
mod clock;
pub mod deprecation;
pub mod drift;
pub mod duplicates;
pub mod erasure;
pub mod error;
pub mod fixes;
pub mod governance;
pub mod inventory;
mod lock;
pub mod merge;
pub mod probes;
pub mod rules;
pub mod sync;
pub mod systems;
pub mod workspace;

pub use bindings::typescript_bindings;
pub use clock::Clock;
pub use error::{AppError, ErrorCode};
pub use steward_connectors::{Keychain, Secret};
pub use workspace::{Steward, WorkspaceInfo, default_demo_workspace_path, default_workspace_path};
