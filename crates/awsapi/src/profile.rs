//! The shared `credentials` and `config` files: INI sections of `key = value`.
//!
//! Rules kept: `#` and `;` start comment lines, and inline comments when
//! preceded by whitespace; keys are case-insensitive; indented lines continue a
//! nested setting (`s3 =` followed by indented keys) and are skipped; a section
//! given twice is merged. In the config file, profiles are `[profile NAME]`
//! (and `[default]`); in the credentials file, `[NAME]`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Files larger than this are refused rather than read.
const MAX_FILE_BYTES: u64 = 1 << 20;

pub(crate) type Section = BTreeMap<String, String>;

#[derive(Debug, Clone, Default)]
pub(crate) struct ProfileFile {
    pub path: PathBuf,
    /// Section name as written between the brackets, trimmed.
    sections: BTreeMap<String, Section>,
}

impl ProfileFile {
    /// Reads a file; a missing file is `Ok(None)`.
    pub fn load(path: &Path) -> Result<Option<ProfileFile>, Error> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::Config {
                    message: format!("cannot read {}: {e}", path.display()),
                })
            }
        };
        let mut text = String::new();
        let read = file
            .take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| Error::Config {
                message: format!("cannot read {}: {e}", path.display()),
            })?;
        if read as u64 > MAX_FILE_BYTES {
            return Err(Error::Config {
                message: format!("{} is larger than {MAX_FILE_BYTES} bytes", path.display()),
            });
        }
        Ok(Some(ProfileFile::parse(path.to_owned(), &text)))
    }

    pub fn parse(path: PathBuf, text: &str) -> ProfileFile {
        let mut sections: BTreeMap<String, Section> = BTreeMap::new();
        let mut current: Option<String> = None;
        for raw in text.lines() {
            let line = raw.trim_end();
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if trimmed.starts_with('[') {
                let header = strip_inline_comment(trimmed);
                current = header
                    .strip_prefix('[')
                    .and_then(|h| h.strip_suffix(']'))
                    .map(|h| h.trim().to_owned());
                if let Some(name) = &current {
                    sections.entry(name.clone()).or_default();
                }
                continue;
            }
            if line.starts_with(char::is_whitespace) {
                continue; // nested setting of the previous key
            }
            let Some(name) = &current else { continue };
            let Some((key, value)) = trimmed.split_once('=') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = strip_inline_comment(value).trim().to_owned();
            sections.entry(name.clone()).or_default().insert(key, value);
        }
        ProfileFile { path, sections }
    }

    /// A section by its bracketed name (`sso-session corp`).
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find_map(|(k, v)| {
            let mut words = k.split_whitespace();
            let mut want = name.split_whitespace();
            loop {
                match (words.next(), want.next()) {
                    (None, None) => return Some(v),
                    (Some(a), Some(b)) if a == b => {}
                    _ => return None,
                }
            }
        })
    }

    /// The section of profile `name` in a credentials file.
    pub fn credentials_profile(&self, name: &str) -> Option<&Section> {
        self.sections.get(name)
    }

    /// The section of profile `name` in a config file.
    pub fn config_profile(&self, name: &str) -> Option<&Section> {
        let prefixed = self.sections.iter().find_map(|(k, v)| {
            let rest = k.strip_prefix("profile")?;
            (rest.starts_with(char::is_whitespace) && rest.trim() == name).then_some(v)
        });
        match (prefixed, name == "default") {
            (Some(s), _) => Some(s),
            (None, true) => self.sections.get("default"),
            (None, false) => None,
        }
    }
}

fn strip_inline_comment(s: &str) -> &str {
    let bytes = s.as_bytes();
    for i in 1..bytes.len() {
        if (bytes[i] == b'#' || bytes[i] == b';') && bytes[i - 1].is_ascii_whitespace() {
            return &s[..i];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_file_kinds() {
        let creds = ProfileFile::parse(
            "c".into(),
            "# comment\n[default]\naws_access_key_id = AKID1 ; note\nAWS_Secret_Access_Key=s1\n\n[dev]\naws_access_key_id=AKID2\n",
        );
        let d = creds.credentials_profile("default").unwrap();
        assert_eq!(d["aws_access_key_id"], "AKID1");
        assert_eq!(d["aws_secret_access_key"], "s1");
        assert_eq!(creds.credentials_profile("dev").unwrap().len(), 1);
        assert!(creds.credentials_profile("nope").is_none());

        let config = ProfileFile::parse(
            "f".into(),
            "[default]\nregion=us-east-1\n[profile  dev ]\nregion = ap-northeast-1\ns3 =\n  max_concurrent_requests = 2\n[sso-session x]\nsso_region=us-east-1\n[profilefoo]\nregion=bad\n",
        );
        assert_eq!(
            config.config_profile("default").unwrap()["region"],
            "us-east-1"
        );
        let dev = config.config_profile("dev").unwrap();
        assert_eq!(dev["region"], "ap-northeast-1");
        assert!(!dev.contains_key("max_concurrent_requests"));
        assert!(config.config_profile("x").is_none());
        assert!(config.config_profile("foo").is_none());
    }

    #[test]
    fn profile_default_prefixed_wins() {
        let config = ProfileFile::parse(
            "f".into(),
            "[default]\nregion=a\n[profile default]\nregion=b\n",
        );
        assert_eq!(config.config_profile("default").unwrap()["region"], "b");
    }
}
