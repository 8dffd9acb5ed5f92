//! What the project chose not to see: the ignores and severities of
//! `.stackdoctor.toml` and inline comments, applied to the findings before
//! they are ranked.
//!
//! An inline comment `# stackdoctor: ignore[cause-a, cause-b]` (`//` too, for
//! Terraform, TypeScript and other `//` languages) silences the findings of
//! those causes that have file evidence on the comment's line, or on the next
//! line when the comment stands alone on its line. It works in every file the
//! sources read (compose YAML, Caddyfiles, nginx configs, shell scripts, the
//! app's code …). A named cause that silences nothing, or that is no cause,
//! becomes an `unused-ignore` finding, like ruff's unused `noqa`.
//!
//! Order: inline comments first (so a comment that the configuration makes
//! redundant still counts as used), then `ignore`, then `[per-path-ignores]`
//! (matched against the finding's first place), then `[severity]`.

use crate::config::Config;
use crate::finding::{Edit, Finding, FixStep, Message, Severity};
use crate::knowledge::catalogue;
use crate::model::{Origin, StackModel};
use regex::Regex;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The cause of an inline ignore that ignores nothing.
pub const UNUSED_IGNORE: &str = "unused-ignore";

/// A finding left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Ignored {
    pub cause: String,
    /// Where the finding was (`file:line:column`), if it has a place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// What ignored it: `inline comment at file:line`, `ignore in FILE`, …
    pub by: String,
}

/// One inline comment.
#[derive(Debug)]
struct Directive {
    file: PathBuf,
    /// The comment's line, and column of `stackdoctor:` (1-based, characters).
    line: u32,
    column: u32,
    /// Whether only the comment is on the line (then it covers the next line too).
    alone: bool,
    /// The comment's text from its marker to the closing `]`, and its byte span on the line.
    span: std::ops::Range<usize>,
    /// The causes named, and whether each silenced something.
    causes: Vec<(String, bool)>,
}

impl Directive {
    fn covers(&self, file: &Path, line: u32) -> bool {
        self.file == file && (self.line == line || (self.alone && self.line + 1 == line))
    }
}

fn pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"(#|//)[ \t]*stackdoctor:[ \t]*ignore\[([^\]]*)\]").expect("valid pattern")
    })
}

/// Every inline ignore comment in the files the sources read.
fn directives(model: &StackModel) -> Vec<Directive> {
    let mut out = Vec::new();
    for (file, text) in model.sources.iter() {
        if !text.contains("stackdoctor:") {
            continue;
        }
        for (index, line) in text.lines().enumerate() {
            for found in pattern().captures_iter(line) {
                let whole = found.get(0).expect("group 0");
                let marker = found.get(1).expect("group 1");
                let causes = found[2]
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| (c.to_string(), false))
                    .collect();
                out.push(Directive {
                    file: file.to_path_buf(),
                    line: index as u32 + 1,
                    column: line[..marker.start()].chars().count() as u32 + 1,
                    alone: line[..marker.start()].trim().is_empty(),
                    span: whole.start()..whole.end(),
                    causes,
                });
            }
        }
    }
    out
}

/// The findings that remain, and those left out.
pub struct Applied {
    pub findings: Vec<Finding>,
    pub ignored: Vec<Ignored>,
}

/// Applies the configuration and the inline comments to `findings`.
pub fn apply(findings: Vec<Finding>, model: &StackModel, config: &Config) -> Applied {
    let root = &model.root;
    let config_name = config
        .file
        .as_ref()
        .map(|f| {
            crate::model::origin::relative(f, root)
                .display()
                .to_string()
        })
        .unwrap_or_default();
    let mut directives = directives(model);
    let mut kept = Vec::new();
    let mut ignored = Vec::new();
    for finding in findings {
        let at = first_place(&finding).map(|o| o.display(root));
        let mut by = None;
        // Every comment that names the cause at one of its lines counts as used.
        for directive in &mut directives {
            let covered = finding.evidence.iter().any(|e| match &e.origin {
                Origin::File(p) => directive.covers(&p.file, p.line),
                _ => false,
            });
            if !covered {
                continue;
            }
            let (file, line) = (directive.file.clone(), directive.line);
            for (cause, used) in &mut directive.causes {
                if *cause == finding.cause {
                    *used = true;
                    by.get_or_insert_with(|| {
                        format!(
                            "inline comment at {}:{}",
                            crate::model::origin::relative(&file, root).display(),
                            line
                        )
                    });
                }
            }
        }
        if by.is_none() && config.ignore.contains(&finding.cause) {
            by = Some(format!("`ignore` in {config_name}"));
        }
        if by.is_none() {
            if let Some(place) = first_place(&finding).and_then(Origin::position) {
                by = config
                    .per_path_ignores
                    .iter()
                    .find(|p| p.causes.contains(&finding.cause) && p.matches(&place.file))
                    .map(|p| format!("`[per-path-ignores] \"{}\"` in {config_name}", p.pattern));
            }
        }
        match by {
            Some(by) => ignored.push(Ignored {
                cause: finding.cause.clone(),
                at,
                by,
            }),
            None => kept.push(finding),
        }
    }
    for finding in unused_findings(&directives, model) {
        if config.ignore.contains(&finding.cause) {
            ignored.push(Ignored {
                cause: finding.cause.clone(),
                at: first_place(&finding).map(|o| o.display(root)),
                by: format!("`ignore` in {config_name}"),
            });
        } else {
            kept.push(finding);
        }
    }
    for finding in &mut kept {
        if let Some(severity) = config.severity.get(&finding.cause) {
            finding.severity = *severity;
        }
    }
    Applied {
        findings: kept,
        ignored,
    }
}

/// The finding's first place in a file or log.
fn first_place(finding: &Finding) -> Option<&Origin> {
    finding
        .evidence
        .iter()
        .map(|e| &e.origin)
        .find(|o| o.position().is_some())
}

/// One `unused-ignore` finding per comment with causes that silenced nothing.
fn unused_findings(directives: &[Directive], model: &StackModel) -> Vec<Finding> {
    let mut out = Vec::new();
    for directive in directives {
        let unused: Vec<&str> = directive
            .causes
            .iter()
            .filter(|(_, used)| !used)
            .map(|(c, _)| c.as_str())
            .collect();
        if unused.is_empty() && !directive.causes.is_empty() {
            continue;
        }
        let unknown: Vec<&str> = unused
            .iter()
            .copied()
            .filter(|c| catalogue().cause(c).is_none())
            .collect();
        let named = if unused.is_empty() {
            String::new()
        } else {
            unused.join(", ")
        };
        let origin = Origin::file(
            &directive.file,
            directive.line,
            directive.column,
            (directive.span.len()) as u32,
        );
        let mut finding = Finding::new(UNUSED_IGNORE)
            .subject(format!("{}:{}", directive.file.display(), directive.line))
            .param("ignored", named.clone())
            .about_setting();
        for cause in &unused {
            let label = if unknown.contains(cause) {
                "unknown"
            } else {
                "unused"
            };
            finding = finding.evidence(
                origin.clone(),
                Message::of(UNUSED_IGNORE, label).with("ignored", *cause),
            );
        }
        if unused.is_empty() {
            // `ignore[]`: names nothing.
            finding = finding.evidence(
                origin.clone(),
                Message::of(UNUSED_IGNORE, "unused").with("ignored", ""),
            );
        }
        if !unknown.is_empty() {
            finding = finding
                .severity(Severity::Warning)
                .param("title", "unknown-title")
                .param("ignored", unknown.join(", "));
        }
        let edit = removal_edit(directive, &unused, model);
        let step = Message::of(
            UNUSED_IGNORE,
            if unknown.is_empty() {
                "remove"
            } else {
                "correct"
            },
        );
        finding = match edit {
            Some(edit) => finding.fix(FixStep::edit(step, edit)),
            None => finding.fix(FixStep::say(step)),
        };
        out.push(finding);
    }
    out
}

/// The line with the unused causes taken out of the comment (the whole
/// comment when none is left).
fn removal_edit(directive: &Directive, unused: &[&str], model: &StackModel) -> Option<Edit> {
    let line = model.sources.line(&directive.file, directive.line)?;
    let comment = line.get(directive.span.clone())?;
    let kept: Vec<&str> = directive
        .causes
        .iter()
        .map(|(c, _)| c.as_str())
        .filter(|c| !unused.contains(c))
        .collect();
    let after = if kept.is_empty() {
        format!(
            "{}{}",
            line[..directive.span.start].trim_end(),
            &line[directive.span.end..]
        )
    } else {
        let open = comment.find('[')?;
        format!(
            "{}{}[{}]{}",
            &line[..directive.span.start],
            &comment[..open],
            kept.join(", "),
            &line[directive.span.end..]
        )
    };
    Some(Edit {
        origin: Origin::file(&directive.file, directive.line, 1, 0),
        before: line.to_string(),
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StackModel;

    fn model(files: &[(&str, &str)]) -> StackModel {
        let mut model = StackModel {
            root: PathBuf::from("/p"),
            ..StackModel::default()
        };
        for (name, text) in files {
            model.sources.insert(&Path::new("/p").join(name), text);
        }
        model
    }

    fn at(cause: &str, file: &str, line: u32) -> Finding {
        Finding::new(cause).evidence(
            Origin::file(&Path::new("/p").join(file), line, 3, 0),
            Message::new("common.log-line").with("line", "x"),
        )
    }

    #[test]
    fn a_comment_on_the_line_or_alone_above_it_silences_its_cause() {
        let model = model(&[
            (
                "docker-compose.yml",
                "services:\n  web:\n    # stackdoctor: ignore[upstream-wrong-port]\n    ports: [\"8080:8000\"]\n    command: x # stackdoctor: ignore[upstream-listens-on-localhost]\n    image: y\n",
            ),
            ("Caddyfile", "a.example {\n\treverse_proxy web:8080 // stackdoctor: ignore[upstream-unknown-host, upstream-wrong-port]\n}\n"),
        ]);
        let findings = vec![
            at("upstream-wrong-port", "docker-compose.yml", 4),
            at("upstream-listens-on-localhost", "docker-compose.yml", 5),
            // The trailing comment on line 5 does not cover line 6.
            at("upstream-listens-on-localhost", "docker-compose.yml", 6),
            at("upstream-unknown-host", "Caddyfile", 2),
        ];
        let applied = apply(findings, &model, &Config::default());
        let kept: Vec<(&str, u32)> = applied
            .findings
            .iter()
            .map(|f| {
                (
                    f.cause.as_str(),
                    f.evidence[0].origin.position().unwrap().line,
                )
            })
            .collect();
        // One finding survives on line 6, and the Caddyfile's second cause is unused.
        assert_eq!(
            kept,
            [("upstream-listens-on-localhost", 6), (UNUSED_IGNORE, 2)]
        );
        assert_eq!(applied.ignored.len(), 3);
        assert_eq!(
            applied.ignored[0].by,
            "inline comment at docker-compose.yml:3"
        );
        let unused = &applied.findings[1];
        assert_eq!(unused.severity, Severity::Info);
        assert_eq!(unused.params["ignored"], "upstream-wrong-port");
        let edit = unused.fix[0].edit.as_ref().unwrap();
        assert_eq!(
            edit.after,
            "\treverse_proxy web:8080 // stackdoctor: ignore[upstream-unknown-host]"
        );
    }

    #[test]
    fn an_unknown_cause_is_a_warning_and_an_unused_comment_is_removed_whole() {
        let model = model(&[(
            "nginx.conf",
            "server {\n  # stackdoctor: ignore[upstream-wrong-prot]\n  proxy_pass http://web:8080; # stackdoctor: ignore[upstream-wrong-port]\n}\n",
        )]);
        let applied = apply(Vec::new(), &model, &Config::default());
        assert_eq!(applied.findings.len(), 2);
        let unknown = &applied.findings[0];
        assert_eq!(unknown.severity, Severity::Warning);
        assert_eq!(unknown.params["title"], "unknown-title");
        let p = unknown.evidence[0].origin.position().unwrap();
        assert_eq!((p.line, p.column), (2, 3));
        let unused = &applied.findings[1];
        assert_eq!(
            unused.fix[0].edit.as_ref().unwrap().after,
            "  proxy_pass http://web:8080;"
        );
    }

    #[test]
    fn configuration_ignores_per_path_ignores_and_severities() {
        let model = model(&[]);
        let config = Config::parse(
            Path::new("/p/.stackdoctor.toml"),
            "ignore = [\"ecs-network-config\"]\n[per-path-ignores]\n\"legacy/**\" = [\"upstream-wrong-port\"]\n[severity]\nupstream-unknown-host = \"info\"\n",
        )
        .unwrap();
        let findings = vec![
            at("ecs-network-config", "ecspresso.yml", 1),
            at("upstream-wrong-port", "legacy/Caddyfile", 1),
            at("upstream-wrong-port", "Caddyfile", 1),
            at("upstream-unknown-host", "Caddyfile", 2),
        ];
        let applied = apply(findings, &model, &config);
        let kept: Vec<(&str, Severity)> = applied
            .findings
            .iter()
            .map(|f| (f.cause.as_str(), f.severity))
            .collect();
        assert_eq!(
            kept,
            [
                ("upstream-wrong-port", Severity::Error),
                ("upstream-unknown-host", Severity::Info)
            ]
        );
        assert_eq!(applied.ignored[0].by, "`ignore` in .stackdoctor.toml");
        assert_eq!(
            applied.ignored[1].by,
            "`[per-path-ignores] \"legacy/**\"` in .stackdoctor.toml"
        );
    }
}
