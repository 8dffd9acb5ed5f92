//! The functions ecspresso offers to templates and (as native functions) to Jsonnet:
//! `env`, `must_env`, `json_escape`, the tfstate plugin functions and the AWS lookups
//! that stay unresolved offline.

use crate::node::{placeholder, Position, SourceText};
use crate::problem::{Problem, ProblemKind};
use crate::template::{self, FuncHost, Site, TVal};
use crate::tfstate;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where a tfstate plugin reads its state.
#[derive(Debug, Clone)]
pub(crate) enum TfSource {
    /// A local file; `state` is None when it could not be read or parsed.
    Local {
        path: PathBuf,
        state: Option<serde_json::Value>,
    },
    /// A remote state (s3://, gs://, …): never read offline.
    Remote { url: String },
}

/// One tfstate plugin and its function prefix.
#[derive(Debug, Clone)]
pub(crate) struct TfPlugin {
    pub prefix: String,
    pub source: TfSource,
}

/// How strictly unknowns are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// First pass over a config (plugins not known yet): no problems, placeholders for unknowns.
    Lenient,
    /// Normal loading.
    Strict,
    /// A definition loaded without a config: `*tfstate`/`*tfstatef` are unresolved, not unknown.
    NoConfig,
}

/// Function state shared by template rendering and Jsonnet native calls.
pub(crate) struct FuncCtx<'a> {
    pub env: &'a BTreeMap<String, String>,
    pub tfstate: &'a [TfPlugin],
    pub mode: Mode,
    pub problems: Vec<Problem>,
    pub env_used: Vec<(String, String)>,
}

impl<'a> FuncCtx<'a> {
    pub fn new(env: &'a BTreeMap<String, String>, tfstate: &'a [TfPlugin], mode: Mode) -> Self {
        FuncCtx {
            env,
            tfstate,
            mode,
            problems: Vec::new(),
            env_used: Vec::new(),
        }
    }

    fn used(&mut self, name: &str, value: &str) {
        if !self.env_used.iter().any(|(n, _)| n == name) {
            self.env_used.push((name.to_string(), value.to_string()));
        }
    }

    fn problem(&mut self, kind: ProblemKind, message: String, pos: &dyn Fn() -> Option<Position>) {
        if self.mode != Mode::Lenient {
            self.problems.push(Problem::new(kind, message, pos()));
        }
    }

    fn unresolved(
        &mut self,
        function: &str,
        argument: &str,
        why: &str,
        pos: &dyn Fn() -> Option<Position>,
    ) -> String {
        self.problem(
            ProblemKind::Unresolved {
                function: function.to_string(),
                argument: argument.to_string(),
            },
            format!("{function} {argument}: {why}"),
            pos,
        );
        placeholder(function, argument)
    }

    fn tf_plugin(&self, name: &str) -> Option<(&'a TfPlugin, bool)> {
        let tfstate = self.tfstate;
        for p in tfstate {
            if name.strip_prefix(p.prefix.as_str()) == Some("tfstate") {
                return Some((p, false));
            }
            if name.strip_prefix(p.prefix.as_str()) == Some("tfstatef") {
                return Some((p, true));
            }
        }
        None
    }

    /// Calls a function with string arguments; `None` when the function does not exist.
    pub fn call(
        &mut self,
        name: &str,
        args: &[String],
        pos: &dyn Fn() -> Option<Position>,
    ) -> Option<Result<String, String>> {
        let want = |n: usize| -> Result<(), String> {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!(
                    "wrong number of args for {name}: want {n} got {}",
                    args.len()
                ))
            }
        };
        let result =
            match name {
                "env" => {
                    // kayac/go-config: the first argument naming a non-empty variable wins;
                    // otherwise the last argument itself.
                    let mut v = String::new();
                    for k in args {
                        if let Some(val) = self.env.get(k).filter(|v| !v.is_empty()) {
                            let val = val.clone();
                            self.used(k, &val);
                            return Some(Ok(val));
                        }
                        v = k.clone();
                    }
                    Ok(v)
                }
                "must_env" => want(1).map(|_| match self.env.get(&args[0]) {
                    Some(v) => {
                        let v = v.clone();
                        self.used(&args[0], &v);
                        v
                    }
                    None => {
                        self.problem(
                            ProblemKind::UnsetVariable {
                                name: args[0].clone(),
                            },
                            format!("environment variable {} is not defined", args[0]),
                            pos,
                        );
                        placeholder("must_env", &args[0])
                    }
                }),
                "json_escape" => want(1).map(|_| template::json_escape(&args[0])),
                "ssm" => {
                    if args.is_empty() || args.len() > 2 {
                        Err(format!(
                            "wrong number of args for ssm: want 1 or 2 got {}",
                            args.len()
                        ))
                    } else {
                        Ok(self.unresolved(
                            name,
                            &args.join(" "),
                            "needs AWS SSM Parameter Store",
                            pos,
                        ))
                    }
                }
                "secretsmanager_arn" => want(1)
                    .map(|_| self.unresolved(name, &args[0], "needs AWS Secrets Manager", pos)),
                "cfn_output" => want(2).map(|_| {
                    self.unresolved(name, &args.join(" "), "needs AWS CloudFormation", pos)
                }),
                "cfn_export" => want(1)
                    .map(|_| self.unresolved(name, &args[0], "needs AWS CloudFormation", pos)),
                _ => {
                    if let Some((plugin, formatted)) = self.tf_plugin(name) {
                        self.tfstate_call(name, plugin, formatted, args, pos)
                    } else if self.mode == Mode::NoConfig
                        && (name.ends_with("tfstate") || name.ends_with("tfstatef"))
                    {
                        let addr = if name.ends_with('f') {
                            format_args_to_addr(args)
                        } else {
                            args.join(" ")
                        };
                        Ok(self.unresolved(name, &addr, "no config, so no tfstate plugin", pos))
                    } else {
                        return None;
                    }
                }
            };
        Some(result)
    }

    fn tfstate_call(
        &mut self,
        name: &str,
        plugin: &TfPlugin,
        formatted: bool,
        args: &[String],
        pos: &dyn Fn() -> Option<Position>,
    ) -> Result<String, String> {
        let addr = if formatted {
            if args.is_empty() {
                return Err(format!(
                    "wrong number of args for {name}: want at least 1 got 0"
                ));
            }
            format_args_to_addr(args)
        } else {
            if args.len() != 1 {
                return Err(format!(
                    "wrong number of args for {name}: want 1 got {}",
                    args.len()
                ));
            }
            args[0].clone()
        };
        match &plugin.source {
            TfSource::Remote { url } => Ok(self.unresolved(
                name,
                &addr,
                &format!("the state is remote ({url}) and is not read offline"),
                pos,
            )),
            TfSource::Local { path, state: None } => Ok(self.unresolved(
                name,
                &addr,
                &format!("the state {} could not be read", path.display()),
                pos,
            )),
            TfSource::Local {
                path,
                state: Some(state),
            } => match tfstate::lookup(state, &addr) {
                Some(v) => Ok(tfstate::value_text(&v)),
                None => Ok(self.unresolved(
                    name,
                    &addr,
                    &format!("not found in {}", path.display()),
                    pos,
                )),
            },
        }
    }

    /// What to render for a function nobody provides.
    pub fn unknown(
        &mut self,
        name: &str,
        args: &[String],
        pos: &dyn Fn() -> Option<Position>,
    ) -> String {
        self.problem(
            ProblemKind::UnknownFunction {
                name: name.to_string(),
            },
            format!("function \"{name}\" not defined"),
            pos,
        );
        placeholder(name, &args.join(" "))
    }
}

fn format_args_to_addr(args: &[String]) -> String {
    let vals: Vec<TVal> = args
        .get(1..)
        .unwrap_or(&[])
        .iter()
        .map(|s| TVal::Str(s.clone()))
        .collect();
    template::sprintf(args.first().map(String::as_str).unwrap_or(""), &vals)
}

/// Where template problems are reported.
pub(crate) enum Locator<'s> {
    /// The template text is the source file itself.
    File(&'s SourceText),
    /// The template text was generated (Jsonnet output): search the action's text in the sources.
    Search {
        template: &'s [char],
        sources: &'s [SourceText],
    },
}

impl Locator<'_> {
    pub fn position(&self, site: Site) -> Option<Position> {
        match self {
            Locator::File(src) => {
                Some(src.position(site.start, site.end.saturating_sub(site.start), true))
            }
            Locator::Search { template, sources } => {
                let text: Vec<char> = template.get(site.start..site.end)?.to_vec();
                let unescaped: Vec<char> = text
                    .iter()
                    .collect::<String>()
                    .replace("\\\"", "\"")
                    .replace("\\\\", "\\")
                    .chars()
                    .collect();
                for needle in [&text, &unescaped] {
                    for s in sources.iter() {
                        if let Some(i) = find_chars(&s.chars, needle, 0) {
                            return Some(s.position(i, needle.len(), false));
                        }
                    }
                }
                sources.first().map(|s| s.position(0, 0, false))
            }
        }
    }
}

/// First occurrence of `needle` in `hay` at or after `from`.
pub(crate) fn find_chars(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == *needle)
}

/// Adapts [`FuncCtx`] to the template evaluator.
pub(crate) struct TplHost<'c, 'a, 's> {
    pub ctx: &'c mut FuncCtx<'a>,
    pub locator: Locator<'s>,
}

impl FuncHost for TplHost<'_, '_, '_> {
    fn call(&mut self, name: &str, args: &[TVal], site: Site) -> Option<Result<TVal, String>> {
        let args: Vec<String> = args.iter().map(TVal::print).collect();
        let locator = &self.locator;
        let pos = || locator.position(site);
        self.ctx.call(name, &args, &pos).map(|r| r.map(TVal::Str))
    }

    fn unknown(&mut self, name: &str, args: &[TVal], site: Site) -> TVal {
        let args: Vec<String> = args.iter().map(TVal::print).collect();
        let locator = &self.locator;
        let pos = || locator.position(site);
        TVal::Str(self.ctx.unknown(name, &args, &pos))
    }
}
