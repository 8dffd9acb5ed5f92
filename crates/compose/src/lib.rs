//! Loads a Docker Compose project the way `docker compose` does, keeping
//! where every value came from.
//!
//! Order of work follows compose-go: discover files → read `.env` →
//! per file: parse YAML ([`yaml`], with positions) → interpolate
//! ([`interpolate`]) → `extends`/`include` → merge the files ([`merge`]) →
//! apply profiles → normalise (project name, default network, network names).
//!
//! ```no_run
//! let options = compose::Options::for_dir("/var/www/toybox");
//! let project = compose::load(&options).unwrap();
//! for service in &project.services {
//!     println!("{} at {}:{}", service.name, service.position.line, service.position.column);
//! }
//! ```

mod convert;
pub mod dotenv;
pub mod error;
pub mod interpolate;
pub mod loader;
pub mod merge;
pub mod model;
pub mod schema;
/// The positioned YAML tree compose files are read into.
pub mod yaml {
    pub use yamltree::{parse, Entry, Node, Value, ALIAS_NODE_LIMIT, MAX_DEPTH};
}

pub use error::Error;
pub use loader::{discover_files, load, Options};
pub use model::*;
