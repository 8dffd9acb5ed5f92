//! Checks of one family: the application itself: its environment, env files and whether its URL answers.

pub mod app_dependency_no_shared_network;
pub mod app_env_unknown_host;
pub mod compose_env_file_missing;
pub mod image_pull_failed;
pub mod url_unreachable;
