//! Checks of one family: The application's own settings: environment and env files.

pub mod app_env_unknown_host;
pub mod compose_env_file_missing;
