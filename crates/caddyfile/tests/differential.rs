//! Differential test against the real `caddy adapt` (Debian's caddy 2.6.2):
//! for every adapt test whose expected part is JSON, the site host names and
//! the multiset of upstream dial addresses must agree with this crate.
//! When the installed caddy cannot adapt a file (it predates the corpus), the
//! JSON stored in the file is the reference instead, counted separately.

mod common;

use caddyfile::http::HttpConfig;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files where we knowingly disagree, with the reason.
const EXCEPTIONS: &[(&str, &str)] = &[];

#[derive(Debug, PartialEq, Eq)]
struct Extracted {
    hosts: BTreeSet<String>,
    dials: BTreeMap<String, usize>,
}

fn from_json(json: &Value) -> Extracted {
    let mut hosts = BTreeSet::new();
    if let Some(servers) = json
        .pointer("/apps/http/servers")
        .and_then(Value::as_object)
    {
        for server in servers.values() {
            for route in server["routes"].as_array().into_iter().flatten() {
                for set in route["match"].as_array().into_iter().flatten() {
                    for host in set["host"].as_array().into_iter().flatten() {
                        hosts.extend(host.as_str().map(str::to_string));
                    }
                }
            }
        }
    }
    let mut dials = BTreeMap::new();
    collect_dials(json, &mut dials);
    Extracted { hosts, dials }
}

fn collect_dials(value: &Value, dials: &mut BTreeMap<String, usize>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "upstreams" {
                    for upstream in inner.as_array().into_iter().flatten() {
                        if let Some(dial) = upstream["dial"].as_str() {
                            *dials.entry(dial.to_string()).or_default() += 1;
                        }
                    }
                }
                collect_dials(inner, dials);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_dials(v, dials)),
        _ => {}
    }
}

fn from_crate(http: &HttpConfig) -> Extracted {
    let mut hosts = BTreeSet::new();
    let mut dials = BTreeMap::new();
    for site in &http.sites {
        // a catch-all address in the block makes Caddy drop the host matcher
        if site.addresses.iter().all(|a| !a.host.is_empty()) {
            hosts.extend(
                site.addresses
                    .iter()
                    .filter(|a| !a.host.is_empty())
                    .map(|a| a.host.clone()),
            );
        }
        for route in &site.routes {
            for proxy in route.proxies() {
                for upstream in &proxy.upstreams {
                    *dials.entry(upstream.dial.clone()).or_default() += 1;
                }
            }
        }
    }
    Extracted { hosts, dials }
}

/// Runs `caddy adapt` on the Caddyfile in a scratch folder next to a link to `testdata/`.
fn real_caddy(
    name: &str,
    caddyfile: &str,
    scratch: &Path,
    adapt_dir: &Path,
) -> Result<Value, String> {
    let dir = scratch.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("testdata");
    if !link.exists() {
        std::os::unix::fs::symlink(adapt_dir.join("testdata"), &link).unwrap();
    }
    let file = dir.join("Caddyfile");
    std::fs::write(&file, caddyfile).unwrap();
    let output = Command::new("caddy")
        .args(["adapt", "--adapter", "caddyfile", "--config"])
        .arg(&file)
        .current_dir(&dir)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).to_string());
    }
    serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())
}

#[test]
fn hosts_and_dials_agree_with_caddy() {
    let Some(adapt_dir) = common::adapt_dir() else {
        return;
    };
    assert!(
        Command::new("caddy").arg("version").output().is_ok(),
        "the `caddy` binary is missing: apt-get install caddy"
    );
    let scratch: PathBuf =
        std::env::temp_dir().join(format!("caddyfile-diff-{}", std::process::id()));
    let cases: Vec<_> = common::adapt_cases(&adapt_dir)
        .into_iter()
        .filter(|c| c.expected.starts_with('{'))
        .collect();
    let (mut agree_real, mut total_real, mut agree_stored, mut total_stored) = (0, 0, 0, 0);
    let mut unexpected = Vec::new();
    let mut listed_but_agreeing = Vec::new();
    for case in &cases {
        let (reference, real) = match real_caddy(&case.name, &case.caddyfile, &scratch, &adapt_dir)
        {
            Ok(json) => (json, true),
            Err(_) => (serde_json::from_str(&case.expected).unwrap(), false),
        };
        let expected = from_json(&reference);
        let name = adapt_dir.join("Caddyfile");
        let ours = caddyfile::parse_str(
            &name.to_string_lossy(),
            &case.caddyfile,
            &caddyfile::Env::empty(),
        )
        .and_then(|f| HttpConfig::from_caddyfile(&f))
        .map(|h| from_crate(&h));
        let agrees = ours.as_ref().is_ok_and(|o| *o == expected);
        if real {
            total_real += 1;
            agree_real += usize::from(agrees);
        } else {
            total_stored += 1;
            agree_stored += usize::from(agrees);
        }
        let listed = EXCEPTIONS.iter().any(|(n, _)| *n == case.name);
        if !agrees && !listed {
            unexpected.push(format!(
                "{} (vs {}): ours {:?}, expected {:?}",
                case.name,
                if real { "caddy" } else { "stored JSON" },
                ours.map_err(|e| e.to_string()),
                expected
            ));
        }
        if agrees && listed {
            listed_but_agreeing.push(case.name.clone());
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let total = total_real + total_stored;
    let agree = agree_real + agree_stored;
    eprintln!(
        "differential: {agree}/{total} files agree ({agree_real}/{total_real} against caddy 2.6.2, {agree_stored}/{total_stored} against the stored JSON where caddy 2.6.2 fails)"
    );
    assert!(
        unexpected.is_empty(),
        "disagreements not on the list:\n{}",
        unexpected.join("\n")
    );
    assert!(
        listed_but_agreeing.is_empty(),
        "listed as exceptions but agreeing: {listed_but_agreeing:?}"
    );
    assert!(agree * 100 >= total * 95, "only {agree}/{total} agree");
}
