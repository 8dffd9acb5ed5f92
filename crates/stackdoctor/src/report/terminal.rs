//! The report for people: rustc-style snippets with labels, the request
//! path as a chain, numbered fix steps with one-line diffs and commands.

use super::{Report, ReportEvidence, ReportFinding, ReportHop};
use crate::finding::{HopState, Severity};
use crate::knowledge::Lang;
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

/// ANSI styles, or nothing when colour is off.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn severity(&self, severity: Severity, text: &str) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.paint(code, text)
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
    fn blue(&self, text: &str) -> String {
        self.paint("1;34", text)
    }
    fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }
    fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }
}

struct Words {
    path: &'static str,
    fix: &'static str,
    symptoms: &'static str,
    healthy: &'static str,
    log: &'static str,
    note: &'static str,
    unknown_errors: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::En => Words {
            path: "path",
            fix: "fix",
            symptoms: "follows from it",
            healthy: "healthy: no problem found",
            log: "log",
            note: "note",
            unknown_errors: "error-looking log lines no signature knows",
        },
        Lang::Ja => Words {
            path: "経路",
            fix: "修正",
            symptoms: "これに起因する症状",
            healthy: "正常: 問題は見つかりませんでした",
            log: "ログ",
            note: "注記",
            unknown_errors: "どのシグネチャにも当てはまらないエラーらしきログ行",
        },
    }
}

pub fn render(report: &Report, lang: Lang, style: Style) -> String {
    let mut out = String::new();
    let w = words(lang);
    for finding in &report.findings {
        render_finding(&mut out, finding, &w, style);
        out.push('\n');
    }
    for note in &report.notes {
        let _ = writeln!(
            out,
            "{}: {} {}",
            style.blue(w.note),
            note.text,
            style.dim(&format!("[{}]", note.at))
        );
    }
    if !report.notes.is_empty() {
        out.push('\n');
    }
    let i = &report.inputs;
    for note in &i.log_notes {
        let _ = writeln!(out, "{}: {note}", style.dim(w.note));
    }
    if !i.unrecognised_samples.is_empty() {
        let _ = writeln!(out, "{}:", style.bold(w.unknown_errors));
        for sample in &i.unrecognised_samples {
            let place = match (&sample.file, sample.line) {
                (Some(file), Some(line)) => format!("{file}:{line}"),
                _ => String::new(),
            };
            let _ = writeln!(out, "  {} {}", style.dim(&place), sample.label);
        }
        out.push('\n');
    }
    out.push_str(&summary(report, lang, style));
    out
}

/// The closing lines: the verdict and what was read (all `--quiet` prints).
pub fn summary(report: &Report, lang: Lang, style: Style) -> String {
    let mut out = String::new();
    let w = words(lang);
    let (i, s) = (&report.inputs, &report.summary);
    let (projects, services, proxies, routes, logs) = (
        i.projects.len(),
        i.services,
        i.proxies.len(),
        i.routes,
        i.log_events,
    );
    let ecspresso = i.ecspresso_configs.len();
    let (log_lines, unknown) = (i.log_lines, i.unrecognised_errors);
    // Shown only when some were read, so the line stays as it was for the rest.
    let definitions = match (i.ecs_definitions.len(), lang) {
        (0, _) => String::new(),
        (n, Lang::En) => format!(", {n} ECS definition file(s)"),
        (n, Lang::Ja) => format!("、ECS 定義ファイル {n}"),
    };
    let mut seen = match lang {
        Lang::En => format!("read {projects} compose project(s), {services} service(s), {proxies} proxy config(s), {routes} proxy route(s), {ecspresso} ecspresso config(s){definitions}, {log_lines} log line(s): {logs} known, {unknown} unknown error(s)"),
        Lang::Ja => format!("読み込み: compose プロジェクト {projects}、サービス {services}、プロキシ設定 {proxies}、プロキシのルート {routes}、ecspresso 設定 {ecspresso}{definitions}、ログ {log_lines} 行（既知 {logs}、未知のエラー {unknown}）"),
    };
    if s.ignored > 0 {
        seen.push_str(&match lang {
            Lang::En => format!(
                "; {} finding(s) ignored by configuration or comments",
                s.ignored
            ),
            Lang::Ja => format!("。設定またはコメントで無視した指摘 {} 件", s.ignored),
        });
    }
    if let Some(message) = &report.nothing_diagnosed {
        let _ = writeln!(out, "{}", style.severity(Severity::Warning, message));
        let _ = writeln!(out, "{}", style.dim(&seen));
        return out;
    }
    if !report
        .findings
        .iter()
        .any(|f| f.severity <= Severity::Warning)
    {
        let _ = writeln!(out, "{} ({})", style.green(w.healthy), style.dim(&seen));
    } else {
        let counts = match lang {
            Lang::En => format!("{} error(s), {} warning(s)", s.errors, s.warnings),
            Lang::Ja => format!("エラー {} 件、警告 {} 件", s.errors, s.warnings),
        };
        let _ = writeln!(out, "{} ({})", style.bold(&counts), style.dim(&seen));
    }
    out
}

fn render_finding(out: &mut String, f: &ReportFinding, w: &Words, style: Style) {
    let indent = "";
    let head = format!("{}[{}]", f.severity.as_str(), f.cause);
    let _ = writeln!(
        out,
        "{indent}{}: {}",
        style.severity(f.severity, &head),
        style.bold(&f.title)
    );
    let gutter = f
        .evidence
        .iter()
        .filter_map(|e| e.line)
        .max()
        .unwrap_or(1)
        .to_string()
        .len();
    for (i, evidence) in f.evidence.iter().enumerate() {
        render_evidence(out, evidence, indent, gutter, i == 0, w, style);
    }
    if !f.path.is_empty() {
        let _ = writeln!(
            out,
            "{indent}{} {} {}: {}",
            " ".repeat(gutter),
            style.blue("="),
            style.bold(w.path),
            chain(&f.path, style)
        );
    }
    if !f.fix.is_empty() {
        let _ = writeln!(
            out,
            "{indent}{} {} {}:",
            " ".repeat(gutter),
            style.blue("="),
            style.bold(w.fix)
        );
        for (n, step) in f.fix.iter().enumerate() {
            let pad = format!("{indent}{}      ", " ".repeat(gutter));
            // Continuation lines (a code block, a multi-line edit) stay under the step.
            let _ = writeln!(
                out,
                "{indent}{}   {}. {}",
                " ".repeat(gutter),
                n + 1,
                continued(&step.text, &pad)
            );
            if let Some(edit) = &step.edit {
                let _ = writeln!(
                    out,
                    "{pad}{}",
                    style.dim(&format!("{}:{}", edit.file, edit.line))
                );
                let _ = writeln!(
                    out,
                    "{pad}{}",
                    style.red(&format!(
                        "- {}",
                        continued(&expand_tabs(&edit.before), &format!("{pad}  "))
                    ))
                );
                let _ = writeln!(
                    out,
                    "{pad}{}",
                    style.green(&format!(
                        "+ {}",
                        continued(&expand_tabs(&edit.after), &format!("{pad}  "))
                    ))
                );
            }
            if let Some(command) = &step.command {
                let _ = writeln!(out, "{pad}$ {}", style.bold(command));
            }
        }
    }
    if !f.symptoms.is_empty() {
        // Symptoms in one line each: their evidence is the root's already.
        let _ = writeln!(
            out,
            "{indent}{} {} {}:",
            " ".repeat(gutter),
            style.blue("="),
            w.symptoms
        );
        for symptom in &f.symptoms {
            let head = format!("{}[{}]", symptom.severity.as_str(), symptom.cause);
            let _ = writeln!(
                out,
                "{indent}{}   {}: {}",
                " ".repeat(gutter),
                style.severity(symptom.severity, &head),
                symptom.title
            );
        }
    }
}

fn render_evidence(
    out: &mut String,
    e: &ReportEvidence,
    indent: &str,
    gutter: usize,
    first: bool,
    w: &Words,
    style: Style,
) {
    let blank = " ".repeat(gutter);
    match (e.kind, &e.file, e.line) {
        ("file", Some(file), Some(line)) => {
            let arrow = if first { "-->" } else { ":::" };
            let _ = writeln!(
                out,
                "{indent}{blank}{} {file}:{line}:{}",
                style.blue(arrow),
                e.column.unwrap_or(1)
            );
            let Some(source) = &e.source else {
                let _ = writeln!(out, "{indent}{blank} {} {}", style.blue("="), e.label);
                return;
            };
            let _ = writeln!(out, "{indent}{blank} {}", style.blue("|"));
            let _ = writeln!(
                out,
                "{indent}{} {} {}",
                style.blue(&format!("{line:>gutter$}")),
                style.blue("|"),
                expand_tabs(source)
            );
            let (start, width) = underline(e, source);
            let marks = format!("{}{}", " ".repeat(start), "^".repeat(width.max(1)));
            let _ = writeln!(
                out,
                "{indent}{blank} {} {} {}",
                style.blue("|"),
                style.red(&marks),
                e.label
            );
        }
        ("log", Some(file), Some(line)) => {
            let _ = writeln!(
                out,
                "{indent}{blank} {} {} {file}:{line}: {}",
                style.blue("="),
                w.log,
                e.label
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "{indent}{blank} {} {}: {}",
                style.blue("="),
                w.note,
                e.label
            );
        }
    }
}

fn expand_tabs(text: &str) -> String {
    text.replace('\t', "    ")
}

/// Display column and width of the underline, in terminal cells (tabs shown as 4 spaces;
/// wide characters such as Japanese take two cells).
fn underline(e: &ReportEvidence, source: &str) -> (usize, usize) {
    let column = e.column.unwrap_or(1).saturating_sub(1) as usize;
    let length = e.length.unwrap_or(0) as usize;
    let prefix: String = source.chars().take(column).collect();
    let rest = source.chars().skip(column);
    let token: String = if length == 0 {
        // Unknown length: underline the word at the column.
        rest.take_while(|c| !c.is_whitespace()).collect()
    } else {
        rest.take(length).collect()
    };
    (expand_tabs(&prefix).width(), expand_tabs(&token).width())
}

fn chain(hops: &[ReportHop], style: Style) -> String {
    hops.iter()
        .map(|hop| match hop.state {
            HopState::Ok => hop.label.clone(),
            HopState::Broken => style.red(&format!("{} ✗", hop.label.trim_end_matches(" ✗"))),
            HopState::Unknown => hop.label.clone(),
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// `text` with every line after the first indented by `pad` (blank lines stay blank).
fn continued(text: &str, pad: &str) -> String {
    let mut lines = text.lines();
    let mut out = lines.next().unwrap_or("").to_string();
    for line in lines {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(pad);
            out.push_str(line);
        }
    }
    out
}
