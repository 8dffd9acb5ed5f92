//! Line-by-line reading of text input, with embedded JSON documents handed to
//! [`crate::json`].

use serde_json::Value;

use crate::ecspresso::{self, RunLine};
use crate::json::{extract, Ctx};
use crate::locate::Locator;
use crate::model::*;
use crate::time::Timestamp;
use crate::Parsed;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Deployments,
    TaskSets,
    AutoScaling,
    Events,
}

struct Scanner {
    out: Parsed,
    section: Section,
    after_rollback: bool,
    table_header: Option<Vec<String>>,
    run_task: Option<usize>,
}

/// Reads `text` line by line into a [`Parsed`].
pub(crate) fn scan(loc: &Locator<'_>) -> Parsed {
    let mut sc = Scanner {
        out: Parsed::default(),
        section: Section::None,
        after_rollback: false,
        table_header: None,
        run_task: None,
    };
    let text = loc.text;
    let mut pos = 0usize;
    let mut json_skip_until = 0usize;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let next = end + 1;
        let raw = text[pos..end].strip_suffix('\r').unwrap_or(&text[pos..end]);
        let content = raw.trim_start();
        let indent_bytes = raw.len() - content.len();
        let doc_start = pos + indent_bytes;
        if doc_start >= json_skip_until && json_start(content) {
            let mut stream =
                serde_json::Deserializer::from_str(&text[doc_start..]).into_iter::<Value>();
            match stream.next() {
                Some(Ok(value)) => {
                    let doc_end = doc_start + stream.byte_offset();
                    let ctx = Ctx {
                        loc: Some(loc),
                        start: doc_start,
                        end: doc_end,
                    };
                    if extract(&value, &ctx, &mut sc.out) {
                        let last = loc.line_index(doc_end.saturating_sub(1).max(doc_start));
                        pos = loc.line_start(last + 1).max(next.min(text.len()));
                        continue;
                    }
                    json_skip_until = doc_end;
                }
                Some(Err(e)) => {
                    json_skip_until = if e.is_eof() {
                        text.len()
                    } else {
                        let first = loc.line_index(doc_start);
                        let err_line = e.line().max(1);
                        let base = if err_line == 1 {
                            doc_start
                        } else {
                            loc.line_start(first + err_line - 1)
                        };
                        base.saturating_add(e.column()).max(doc_start + 1)
                    };
                }
                None => {}
            }
        }
        if !content.trim_end().is_empty() {
            let number = u32::try_from(loc.line_index(pos) + 1).unwrap_or(u32::MAX);
            let column = u32::try_from(raw[..indent_bytes].chars().count() + 1).unwrap_or(u32::MAX);
            sc.line(raw, content.trim_end(), number, column);
        }
        pos = next;
    }
    sc.out
}

/// Whether a line can start a JSON document: `{` followed by `"`/`}` or the
/// end of the line, `[` followed by a JSON value start or the end of the line.
fn json_start(content: &str) -> bool {
    let mut chars = content.chars();
    let first = chars.next();
    let second = chars.find(|c| *c != ' ' && *c != '\t' && *c != '\r');
    match first {
        Some('{') => matches!(second, None | Some('"' | '}')),
        Some('[') => match second {
            None => true,
            Some(c) => {
                matches!(c, '{' | '[' | '"' | ']' | '-' | 't' | 'f' | 'n') || c.is_ascii_digit()
            }
        },
        _ => false,
    }
}

fn is_event_message(msg: &str) -> bool {
    msg.starts_with("(service ") || msg.starts_with("service ")
}

impl Scanner {
    fn status(&mut self, number: u32, column: u32) -> &mut StatusReport {
        self.out.status.get_or_insert_with(|| StatusReport {
            service: None,
            cluster: None,
            task_definition: None,
            deployments: Vec::new(),
            task_sets: Vec::new(),
            auto_scaling: Vec::new(),
            events: Vec::new(),
            line: number,
            column,
        })
    }

    fn other(&mut self, raw: &str, number: u32) {
        self.out.other_lines.push(Line {
            number,
            column: 1,
            text: raw.to_string(),
        });
    }

    fn line(&mut self, raw: &str, t: &str, number: u32, column: u32) {
        let top = column == 1;
        // `ecspresso status` block.
        if top {
            if let Some(v) = t.strip_prefix("Service: ") {
                self.out.status = None;
                let st = self.status(number, column);
                st.service = Some(v.trim().to_string());
                self.section = Section::None;
                return;
            }
            if let Some(v) = t.strip_prefix("TaskDefinition: ") {
                self.status(number, column).task_definition = Some(v.trim().to_string());
                self.section = Section::None;
                return;
            }
            if let Some(v) = t.strip_prefix("Cluster: ") {
                if self.out.status.is_some() {
                    self.status(number, column).cluster = Some(v.trim().to_string());
                    self.section = Section::None;
                    return;
                }
            }
            let section = match t {
                "Deployments:" => Some(Section::Deployments),
                "TaskSets:" => Some(Section::TaskSets),
                "AutoScaling:" => Some(Section::AutoScaling),
                "Events:" => Some(Section::Events),
                _ => None,
            };
            if let Some(s) = section {
                self.status(number, column);
                self.section = s;
                return;
            }
        }
        match self.section {
            Section::Deployments => {
                if let Some(mut d) = ecspresso::parse_deployment_line(t) {
                    d.line = number;
                    d.column = column;
                    self.status(number, column).deployments.push(d);
                    return;
                }
                self.section = Section::None;
            }
            Section::TaskSets | Section::AutoScaling if !top => {
                let l = Line {
                    number,
                    column,
                    text: t.to_string(),
                };
                let task_sets = self.section == Section::TaskSets;
                let st = self.status(number, column);
                if task_sets {
                    st.task_sets.push(l);
                } else {
                    st.auto_scaling.push(l);
                }
                return;
            }
            Section::TaskSets | Section::AutoScaling => self.section = Section::None,
            Section::Events | Section::None => {}
        }
        // Revisions table (`| NAME | IN USE |`).
        if (t.starts_with('|') || t.starts_with('+'))
            && (t.ends_with('|') || t.ends_with('+'))
            && self.table_line(t, number, column)
        {
            return;
        }
        // ecspresso log lines.
        if let Some(p) = ecspresso::split_prefix(t) {
            self.ecspresso_line(p, number, column);
            return;
        }
        if let Some((ts, msg)) = ecspresso::go_log_timestamp(t) {
            if is_event_message(msg) || self.section == Section::Events {
                let ev = ServiceEvent {
                    id: None,
                    created_at: Some(Timestamp::from_text(ts)),
                    message: msg.to_string(),
                    line: number,
                    column,
                };
                self.status(number, column).events.push(ev);
                return;
            }
            let kind = ecspresso::classify(msg, self.after_rollback);
            if !matches!(kind, EcspressoStep::Other(_)) {
                let p = ecspresso::Prefixed {
                    format: LogFormat::GoLog,
                    timestamp: Some(ts),
                    level: None,
                    service: None,
                    cluster: None,
                    message: msg,
                };
                self.ecspresso_line(p, number, column);
                return;
            }
        }
        self.section = Section::None;
        // Bare ecspresso messages and `ecspresso run` lines.
        if let Some(run) = ecspresso::run_line(t) {
            self.run_line(run, number, column);
            if !t.contains("FAILED.") {
                return;
            }
        }
        let kind = ecspresso::classify(t, self.after_rollback);
        if !matches!(kind, EcspressoStep::Other(_)) {
            let p = ecspresso::Prefixed {
                format: LogFormat::Bare,
                timestamp: None,
                level: None,
                service: None,
                cluster: None,
                message: t,
            };
            self.ecspresso_line(p, number, column);
            return;
        }
        if raw.contains('\t') && self.tsv_line(raw.trim_start(), number, column) {
            return;
        }
        if t.starts_with("arn:") && !t.contains(char::is_whitespace) {
            if let Some((family, revision)) = family_revision(t) {
                self.out.revisions.push(Revision {
                    source: RevisionSource::ListTaskDefinitions,
                    name: format!("{family}:{revision}"),
                    family: Some(family),
                    revision,
                    registered_at: None,
                    in_use: None,
                    arn: Some(t.to_string()),
                    line: number,
                    column,
                });
                return;
            }
        }
        self.other(raw, number);
    }

    fn ecspresso_line(&mut self, p: ecspresso::Prefixed<'_>, number: u32, column: u32) {
        let mut kind = ecspresso::classify(p.message, self.after_rollback);
        match &mut kind {
            EcspressoStep::RollingBack { .. } | EcspressoStep::StartingRollback => {
                self.after_rollback = true
            }
            EcspressoStep::StartingDeploy => self.after_rollback = false,
            EcspressoStep::Progress(d) => {
                d.line = number;
                d.column = column;
            }
            _ => {}
        }
        if let Some(run) = ecspresso::run_line(p.message) {
            self.run_line(run, number, column);
        }
        self.out.ecspresso.push(EcspressoLine {
            format: p.format,
            timestamp: p.timestamp.map(Timestamp::from_text),
            level: p.level.map(str::to_string),
            service: p.service.map(str::to_string),
            cluster: p.cluster.map(str::to_string),
            message: p.message.to_string(),
            kind,
            line: number,
            column,
        });
    }

    fn run_line(&mut self, run: RunLine, number: u32, column: u32) {
        let current = self.run_task.filter(|&i| {
            self.out
                .tasks
                .get(i)
                .is_some_and(|t| t.source == TaskSource::EcspressoRun)
        });
        match run {
            RunLine::FailedToStart(reason) => {
                let pos = Some(Position {
                    line: number,
                    column,
                });
                if let Some(t) = current.and_then(|i| self.out.tasks.get_mut(i)) {
                    if t.stopped_reason.is_none() {
                        t.stopped_reason = Some(reason);
                        t.stopped_reason_position = pos;
                        return;
                    }
                }
                let mut t = TaskState::new(TaskSource::EcspressoRun, number, column);
                t.stopped_reason = Some(reason);
                t.stopped_reason_position = pos;
                self.out.tasks.push(t);
                self.run_task = Some(self.out.tasks.len() - 1);
            }
            RunLine::Container {
                name,
                exit_code,
                reason,
            } => {
                let c = ContainerState {
                    name,
                    image: None,
                    last_status: None,
                    exit_code,
                    reason,
                    health_status: None,
                    line: number,
                    column,
                };
                if let Some(t) = current.and_then(|i| self.out.tasks.get_mut(i)) {
                    t.containers.push(c);
                    return;
                }
                let mut t = TaskState::new(TaskSource::EcspressoRun, number, column);
                t.containers.push(c);
                self.out.tasks.push(t);
                self.run_task = Some(self.out.tasks.len() - 1);
            }
        }
    }

    /// A line of the bordered table `ecspresso revisions` prints.
    fn table_line(&mut self, t: &str, number: u32, column: u32) -> bool {
        if t.contains('-')
            && t.chars()
                .all(|c| matches!(c, '+' | '-' | '|' | '=' | ' ' | ':'))
        {
            return true;
        }
        let inner = t.trim_matches(|c| c == '|' || c == '+');
        let cells: Vec<String> = inner.split('|').map(|c| c.trim().to_string()).collect();
        let upper: Vec<String> = cells.iter().map(|c| c.to_ascii_uppercase()).collect();
        if upper.iter().any(|c| c == "IN USE" || c == "INUSE")
            && upper.iter().any(|c| c == "NAME" || c == "REVISION")
        {
            self.table_header = Some(upper);
            return true;
        }
        let header = self.table_header.clone();
        let col = |names: &[&str]| -> Option<usize> {
            header
                .as_ref()
                .and_then(|h| h.iter().position(|c| names.iter().any(|n| c.contains(n))))
        };
        let name_col = col(&["NAME", "REVISION"]).unwrap_or(0);
        let in_use_col =
            col(&["IN USE", "INUSE"]).or_else(|| (cells.len() >= 2).then(|| cells.len() - 1));
        let reg_col = col(&["REGISTER"]);
        self.revision_row(
            &cells,
            name_col,
            in_use_col,
            reg_col,
            RevisionSource::Table,
            number,
            column,
        )
    }

    /// `ecspresso revisions --output tsv`, and `TASKDEFINITIONARNS\tarn` from
    /// `aws ecs list-task-definitions --output text`.
    fn tsv_line(&mut self, t: &str, number: u32, column: u32) -> bool {
        let cells: Vec<String> = t.split('\t').map(|c| c.trim().to_string()).collect();
        if cells.first().is_some_and(|c| c == "TASKDEFINITIONARNS") {
            if let Some((family, revision)) = cells.get(1).and_then(|a| family_revision(a)) {
                self.out.revisions.push(Revision {
                    source: RevisionSource::ListTaskDefinitions,
                    name: format!("{family}:{revision}"),
                    family: Some(family),
                    revision,
                    registered_at: None,
                    in_use: None,
                    arn: cells.get(1).cloned(),
                    line: number,
                    column,
                });
                return true;
            }
            return false;
        }
        if cells.len() > 3 || cells[0].contains(' ') {
            return false;
        }
        let (in_use, reg) = match cells.len() {
            3 => (Some(2), Some(1)),
            _ => (Some(1), None),
        };
        self.revision_row(&cells, 0, in_use, reg, RevisionSource::Tsv, number, column)
    }

    #[allow(clippy::too_many_arguments)]
    fn revision_row(
        &mut self,
        cells: &[String],
        name_col: usize,
        in_use_col: Option<usize>,
        reg_col: Option<usize>,
        source: RevisionSource,
        number: u32,
        column: u32,
    ) -> bool {
        let Some(name) = cells.get(name_col) else {
            return false;
        };
        let (family, revision, arn) = if let Some((f, r)) = family_revision(name) {
            (Some(f), r, name.starts_with("arn:").then(|| name.clone()))
        } else if let Ok(r) = name.parse::<u32>() {
            (None, r, None)
        } else {
            return false;
        };
        let pick = |c: Option<usize>| {
            c.filter(|&i| i != name_col)
                .and_then(|i| cells.get(i))
                .filter(|s| !s.is_empty())
                .cloned()
        };
        self.out.revisions.push(Revision {
            source,
            name: name.rsplit('/').next().unwrap_or(name).to_string(),
            family,
            revision,
            registered_at: pick(reg_col),
            in_use: pick(in_use_col),
            arn,
            line: number,
            column,
        });
        true
    }
}
