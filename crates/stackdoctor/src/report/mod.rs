//! Turns a diagnosis into a report for people (terminal) or machines (JSON).
//!
//! The [`Report`] is built once: every text rendered in the chosen language,
//! every source line quoted, every string passed through the secret masker.
//! The renderers only lay it out, so nothing unmasked can reach an output.
//! The JSON form is documented in `docs/report-json.md`.

pub mod contract_code;
pub mod logs;
pub mod model;
pub mod sarif;
pub mod terminal;

use crate::diagnosis::Diagnosis;
use crate::finding::{Finding, HopState, Severity};
use crate::knowledge::{catalogue, Lang};
use crate::model::origin::relative;
use crate::model::{Origin, StackModel};
use crate::secrets::Masker;
use serde::Serialize;

pub const SCHEMA: &str = "stackdoctor.report/1";

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub version: &'static str,
    pub root: String,
    /// `problems` when any error or warning was found; `inconclusive` when
    /// nothing of the stack could be read or understood (see `nothing_diagnosed`);
    /// else `healthy`.
    pub status: &'static str,
    /// Why nothing could be diagnosed, when `status` is `inconclusive`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nothing_diagnosed: Option<String>,
    pub summary: Summary,
    pub findings: Vec<ReportFinding>,
    /// What the readers and probes noted besides findings: files left
    /// unread (outside the project, malformed), probe outcomes, unset variables.
    pub notes: Vec<ReportNote>,
    /// What was read.
    pub inputs: Inputs,
    /// Findings left out by `.stackdoctor.toml` or inline ignore comments.
    pub ignored: Vec<crate::ignores::Ignored>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportNote {
    pub text: String,
    /// `file:line:column`, the probe, or what the note is about.
    pub at: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings left out by the configuration or inline comments.
    pub ignored: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inputs {
    pub projects: Vec<String>,
    pub services: usize,
    pub proxies: Vec<String>,
    pub routes: usize,
    pub log_events: usize,
    /// ecspresso configs read (relative paths).
    pub ecspresso_configs: Vec<String>,
    /// Files holding ECS task/service definitions outside ecspresso (plain JSON,
    /// Terraform, CloudFormation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ecs_definitions: Vec<String>,
    /// `--logs` inputs read, and their lines.
    pub log_inputs: u64,
    pub log_lines: u64,
    /// Lines that look like errors but match no signature: how many, and a few.
    pub unrecognised_errors: u64,
    pub unrecognised_samples: Vec<ReportEvidence>,
    /// `--logs` inputs skipped or read only in part, one sentence each.
    pub log_notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportFinding {
    pub cause: String,
    pub severity: Severity,
    pub title: String,
    pub summary: String,
    pub evidence: Vec<ReportEvidence>,
    pub fix: Vec<ReportFix>,
    pub path: Vec<ReportHop>,
    pub symptoms: Vec<ReportFinding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportEvidence {
    /// `file`, `log`, `implied` or `probe`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Characters the evidence spans on the line (0 when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// The quoted source line, for file evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportFix {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit: Option<ReportEdit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportEdit {
    pub file: String,
    pub line: u32,
    pub before: String,
    pub after: String,
    /// Whether `before` is the file's whole line as read and nothing was
    /// masked: then the edit can be applied as it is (SARIF `fixes`).
    #[serde(skip)]
    pub exact: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportHop {
    pub label: String,
    pub state: HopState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// `at` as file (as shown), line and column, when it is a place in a file.
    #[serde(skip)]
    pub place: Option<(String, u32, u32)>,
}

struct Builder<'a> {
    model: &'a StackModel,
    lang: Lang,
    masker: Masker,
}

impl Builder<'_> {
    fn finding(&self, finding: &Finding) -> ReportFinding {
        let catalogue = catalogue();
        let mask = |s: String| self.masker.mask(&s);
        ReportFinding {
            cause: finding.cause.clone(),
            severity: finding.severity,
            title: mask(catalogue.title(&finding.cause, &finding.params, self.lang)),
            summary: catalogue
                .cause(&finding.cause)
                .map(|c| c.summary.get(self.lang).to_string())
                .unwrap_or_default(),
            evidence: finding
                .evidence
                .iter()
                .map(|e| self.evidence(&e.origin, mask(catalogue.render(&e.label, self.lang))))
                .collect(),
            fix: finding
                .fix
                .iter()
                .map(|step| ReportFix {
                    text: mask(catalogue.render(&step.message, self.lang)),
                    edit: step.edit.as_ref().and_then(|edit| {
                        let p = edit.origin.position()?;
                        let (before, after) = (mask(edit.before.clone()), mask(edit.after.clone()));
                        let exact = before == edit.before
                            && after == edit.after
                            && self.model.sources.line(&p.file, p.line)
                                == Some(edit.before.as_str());
                        Some(ReportEdit {
                            file: self.shown(&p.file),
                            line: p.line,
                            before,
                            after,
                            exact,
                        })
                    }),
                    command: step.command.clone().map(mask),
                })
                .collect(),
            path: finding
                .path
                .iter()
                .map(|hop| ReportHop {
                    label: mask(hop.label.clone()),
                    state: hop.state,
                    at: hop.origin.as_ref().map(|o| o.display(&self.model.root)),
                    place: hop.origin.as_ref().and_then(|o| match o {
                        Origin::File(p) => Some((self.shown(&p.file), p.line, p.column)),
                        _ => None,
                    }),
                })
                .collect(),
            symptoms: finding.symptoms.iter().map(|s| self.finding(s)).collect(),
        }
    }

    fn shown(&self, path: &std::path::Path) -> String {
        relative(path, &self.model.root).display().to_string()
    }

    fn evidence(&self, origin: &Origin, label: String) -> ReportEvidence {
        let (kind, position) = match origin {
            Origin::File(p) => ("file", Some(p)),
            Origin::Log(p) => ("log", Some(p)),
            Origin::Implied { .. } => ("implied", None),
            Origin::Probe { .. } => ("probe", None),
            Origin::Engine { .. } => ("engine", None),
        };
        let source = match origin {
            Origin::File(p) => self
                .model
                .sources
                .line(&p.file, p.line)
                .map(|l| self.masker.mask(l)),
            _ => None,
        };
        ReportEvidence {
            kind,
            file: position.map(|p| self.shown(&p.file)),
            line: position.map(|p| p.line),
            column: position.map(|p| p.column),
            length: position.map(|p| p.length),
            source,
            label: if position.is_none() {
                format!(
                    "{label} ({})",
                    self.masker.mask(&origin.display(&self.model.root))
                )
            } else {
                label
            },
        }
    }
}

/// Builds the report of a diagnosis.
pub fn build(model: &StackModel, diagnosis: &Diagnosis, lang: Lang) -> Report {
    let builder = Builder {
        model,
        lang,
        masker: crate::secrets::masker_for(model),
    };
    let findings: Vec<ReportFinding> = diagnosis
        .findings
        .iter()
        .map(|f| builder.finding(f))
        .collect();
    let mut summary = Summary::default();
    fn count(findings: &[ReportFinding], summary: &mut Summary) {
        for f in findings {
            match f.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
            count(&f.symptoms, summary);
        }
    }
    count(&findings, &mut summary);
    summary.ignored = diagnosis.ignored.len();
    let nothing_diagnosed = if findings.is_empty() && !model.understood_anything() {
        let root = model.root.display().to_string();
        let message = if model.logs_read.lines == 0 {
            crate::finding::Message::new("common.nothing-read").with("root", root)
        } else {
            crate::finding::Message::new("common.nothing-understood")
                .with("lines", model.logs_read.lines.to_string())
                .with("unrecognised", model.unrecognised_errors.count.to_string())
        };
        Some(builder.masker.mask(&catalogue().render(&message, lang)))
    } else {
        None
    };
    Report {
        schema: SCHEMA,
        version: env!("CARGO_PKG_VERSION"),
        root: model.root.display().to_string(),
        status: if diagnosis.has_problems() {
            "problems"
        } else if nothing_diagnosed.is_some() {
            "inconclusive"
        } else {
            "healthy"
        },
        nothing_diagnosed,
        summary,
        findings,
        notes: model
            .notes
            .iter()
            .map(|note| ReportNote {
                text: builder.masker.mask(&note.value),
                at: builder.masker.mask(&note.origin.display(&model.root)),
            })
            .collect(),
        inputs: Inputs {
            projects: model
                .projects
                .iter()
                .map(|p| format!("{} ({})", p.name, builder.shown(&p.dir)))
                .collect(),
            services: model.services.len(),
            proxies: model
                .proxies
                .iter()
                .map(|p| builder.shown(&p.config_file))
                .collect(),
            routes: model
                .proxies
                .iter()
                .flat_map(|p| &p.sites)
                .map(|s| s.routes.len())
                .sum(),
            log_events: {
                let mut lines: Vec<&Origin> = model.log_events.iter().map(|e| &e.origin).collect();
                lines.dedup();
                lines.len()
            },
            ecspresso_configs: model
                .ecs
                .deployments
                .iter()
                .filter(|d| d.source == crate::model::ecs::DefinitionSource::Ecspresso)
                .map(|d| builder.shown(&d.config_file))
                .collect(),
            ecs_definitions: model
                .ecs
                .deployments
                .iter()
                .filter(|d| d.source != crate::model::ecs::DefinitionSource::Ecspresso)
                .map(|d| builder.shown(&d.config_file))
                .collect(),
            log_inputs: model.logs_read.inputs,
            log_lines: model.logs_read.lines,
            unrecognised_errors: model.unrecognised_errors.count,
            unrecognised_samples: model
                .unrecognised_errors
                .samples
                .iter()
                .map(|sample| builder.evidence(&sample.origin, builder.masker.mask(&sample.value)))
                .collect(),
            log_notes: model
                .log_notes
                .iter()
                .map(|n| {
                    builder
                        .masker
                        .mask(&log_note(n, &builder.shown(&n.file), lang))
                })
                .collect(),
        },
        ignored: diagnosis
            .ignored
            .iter()
            .map(|i| crate::ignores::Ignored {
                cause: i.cause.clone(),
                at: i.at.as_ref().map(|a| builder.masker.mask(a)),
                by: builder.masker.mask(&i.by),
            })
            .collect(),
    }
}

/// One sentence about a `--logs` input that was skipped or read in part.
fn log_note(note: &crate::model::logs::InputNote, file: &str, lang: Lang) -> String {
    use crate::model::logs::InputNoteKind as K;
    let mib = |bytes: u64| match lang {
        _ if bytes >= 1 << 20 => format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20)),
        Lang::En => format!("{bytes} bytes"),
        Lang::Ja => format!("{bytes} バイト"),
    };
    match (note.kind, lang) {
        (K::Binary, Lang::En) => format!("{file}: not text (a NUL byte in its first 8 KiB), skipped"),
        (K::Binary, Lang::Ja) => format!("{file}: テキストではありません (先頭 8 KiB に NUL バイト)。読み飛ばしました"),
        (K::GzipTruncated { bytes }, Lang::En) => format!("{file}: the gzip data ends early or is corrupt; read {} up to there", mib(bytes)),
        (K::GzipTruncated { bytes }, Lang::Ja) => format!("{file}: gzip が途中で切れているか壊れています。そこまでの {} を読みました", mib(bytes)),
        (K::BudgetExceeded { bytes }, Lang::En) => format!("{file}: read only the first {} (diagnose's budget per --logs input); `stackdoctor logs` reads it all", mib(bytes)),
        (K::BudgetExceeded { bytes }, Lang::Ja) => format!("{file}: 先頭の {} だけを読みました (diagnose の --logs 入力ごとの上限)。全体は `stackdoctor logs` で読めます", mib(bytes)),
        (K::Idle { bytes, seconds }, Lang::En) => format!("{file}: sent nothing for {seconds} s while still open; read {} up to there", mib(bytes)),
        (K::Idle { bytes, seconds }, Lang::Ja) => format!("{file}: 開いたまま {seconds} 秒間何も送られてきませんでした。そこまでの {} を読みました", mib(bytes)),
        (K::ReadError { bytes }, Lang::En) => format!("{file}: a read failed after {}", mib(bytes)),
        (K::ReadError { bytes }, Lang::Ja) => format!("{file}: {} 読んだところで読み込みに失敗しました", mib(bytes)),
        (K::Unreadable, Lang::En) => format!("{file}: cannot be read"),
        (K::Unreadable, Lang::Ja) => format!("{file}: 読めません"),
        (K::NotParsedWhole { bytes }, Lang::En) => format!("{file}: scanned line by line but not read as a whole ECS or Docker output ({}): the inputs read whole before it used diagnose's {} for that", mib(bytes), mib(crate::sources::logs::STRUCTURED_TOTAL)),
        (K::NotParsedWhole { bytes }, Lang::Ja) => format!("{file}: 行ごとには読みましたが、ECS や Docker の出力としては全体を読んでいません ({})。それより前の入力で diagnose の上限 {} を使い切りました", mib(bytes), mib(crate::sources::logs::STRUCTURED_TOTAL)),
    }
}

/// The report as pretty JSON.
pub fn to_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
