//! The project's own settings: `.stackdoctor.toml` in the diagnosed folder
//! (for `logs` and `signatures`: the current folder).
//!
//! ```toml
//! # Extra log signatures, relative to this file.
//! signatures = ["ops/signatures.toml"]
//! ```

use crate::error::Error;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".stackdoctor.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Extra signature files, relative to the config file.
    #[serde(default)]
    pub signatures: Vec<PathBuf>,
}

impl Config {
    /// Reads `dir/.stackdoctor.toml`; no file is the empty config.
    pub fn load(dir: &Path) -> Result<Config, Error> {
        let path = dir.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(Error::Read { path, source }),
        };
        let mut config: Config = toml::from_str(&text).map_err(|e| toml_error(&path, &text, &e))?;
        for file in &mut config.signatures {
            *file = dir.join(&*file);
        }
        Ok(config)
    }
}

/// A TOML error with the file, line and column it points at.
pub fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> Error {
    let offset = error.span().map_or(0, |span| span.start).min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    Error::Data {
        path: path.to_path_buf(),
        line,
        column,
        message: error.message().to_string(),
    }
}
