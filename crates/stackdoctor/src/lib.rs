//! stackdoctor: finds out why a containerized web service is broken.
//!
//! Data flows one way: [`sources`] → [`model`] → [`checks`] → [`diagnosis`]
//! → [`report`]. See ARCHITECTURE.md for where each part lives.

pub mod checks;
pub mod cli;
pub mod config;
pub mod diagnosis;
pub mod error;
pub mod finding;
pub mod knowledge;
pub mod model;
pub mod names;
pub mod report;
pub mod run;
pub mod secrets;
pub mod sources;

pub use error::Error;
