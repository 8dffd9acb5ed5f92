//! Fuzzing on the stable toolchain: every reader of user files and of AWS
//! replies gets a target; a seeded mutation engine feeds it inputs derived
//! from the repository's examples and fixtures and the public corpora.
//!
//! A run fails on a panic (caught, input saved), on an input slower than
//! the slow limit (saved), and stops the process with the input saved on an
//! allocation over [`alloc::ALLOCATION_LIMIT`] or an input that never
//! returns. See FUZZING.md at the repository root.

pub mod alloc;
pub mod mutate;
pub mod run;
pub mod seeds;
pub mod targets;

pub use alloc::LimitAlloc;
pub use run::{replay, run, Config, Report};
pub use targets::{find, Target, TARGETS};
