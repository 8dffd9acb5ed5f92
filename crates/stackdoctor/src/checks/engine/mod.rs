//! Checks of one family: The running stack, as the Docker Engine reports it (saved outputs or the engine itself).

pub mod container_oom_killed;
pub mod stack_drift;
pub mod support;
pub mod upstream_unhealthy;
