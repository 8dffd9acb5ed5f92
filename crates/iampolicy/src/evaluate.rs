//! Evaluating identity policies for one request, offline and three-valued.

use crate::condition::{evaluate_condition, Tri};
use crate::matching::{expand, glob, tokens, Expanded, Mode};
use crate::policy::{ActionMatch, Effect, Policy, ResourceMatch, Span, Statement};
use serde::Serialize;
use std::collections::BTreeMap;

/// The request context: condition keys and their values.
///
/// Key names are case-insensitive. A key that was never set is **unknown**
/// (conditions on it evaluate to unknown); [`Context::absent`] records that a
/// key is known to be missing from the request (conditions on it follow the AWS
/// absent-key rules).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    /// Lower-cased key name → (name as given, values or `None` when absent).
    entries: BTreeMap<String, (String, Option<Vec<String>>)>,
}

/// What a [`Context`] knows about one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState<'a> {
    /// Not set: the request may or may not carry the key.
    Unknown,
    /// Known to be absent from the request.
    Absent,
    /// Present with these values (a multi-valued key may have several, or none).
    Present(&'a [String]),
}

impl Context {
    /// An empty context: every key is unknown.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets a key to one value (builder style).
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Context {
        self.set(key, vec![value.into()]);
        self
    }

    /// Sets a multi-valued key (builder style).
    pub fn with_values<I, S>(mut self, key: &str, values: I) -> Context
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.set(key, values.into_iter().map(Into::into).collect());
        self
    }

    /// Records that a key is known to be absent from the request (builder style).
    pub fn absent(mut self, key: &str) -> Context {
        self.set_absent(key);
        self
    }

    /// Sets a key to the given values, replacing what was there.
    pub fn set(&mut self, key: &str, values: Vec<String>) {
        self.entries
            .insert(key.to_lowercase(), (key.to_string(), Some(values)));
    }

    /// Records that a key is absent from the request.
    pub fn set_absent(&mut self, key: &str) {
        self.entries
            .insert(key.to_lowercase(), (key.to_string(), None));
    }

    /// Forgets a key, making it unknown again.
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(&key.to_lowercase());
    }

    /// Looks a key up (case-insensitively).
    pub fn get(&self, key: &str) -> KeyState<'_> {
        match self.entries.get(&key.to_lowercase()) {
            None => KeyState::Unknown,
            Some((_, None)) => KeyState::Absent,
            Some((_, Some(values))) => KeyState::Present(values),
        }
    }
}

/// One request to authorize: an action on a resource, with a context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// E.g. `bedrock:InvokeModel`.
    pub action: String,
    /// The resource ARN, e.g.
    /// `arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`.
    pub resource: String,
    /// Condition keys known about the request.
    pub context: Context,
}

impl Request {
    /// A request with an empty (all unknown) context.
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Request {
        Request {
            action: action.into(),
            resource: resource.into(),
            context: Context::new(),
        }
    }

    /// Replaces the context (builder style).
    pub fn with_context(mut self, context: Context) -> Request {
        self.context = context;
        self
    }
}

/// Whether a statement applies to the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Applicability {
    /// Action, resource and every condition match.
    Applies,
    /// Something does not match.
    DoesNotApply,
    /// Nothing fails, but these keys (as written in the policy) are not in the
    /// context, so some part could not be decided.
    Unknown {
        /// The undecided condition keys / policy variables.
        keys: Vec<String>,
    },
}

/// A statement's verdict for one request, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementOutcome {
    /// Index of the policy in the slice passed to [`evaluate`].
    pub policy: usize,
    /// Index of the statement in its policy.
    pub statement: usize,
    /// The statement's `Sid`, if any.
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// Where the statement is in its source.
    pub span: Span,
    /// Applies, does not apply, or unknown.
    pub applicability: Applicability,
    /// Explanations: unsupported operators, unresolvable variables, missing Resource.
    pub notes: Vec<String>,
}

/// The overall answer for one request, following the IAM evaluation order for
/// identity policies: explicit deny, then allow, else implicit deny.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// A `Deny` statement applies.
    ExplicitDeny {
        /// The applying `Deny` statements.
        statements: Vec<StatementOutcome>,
    },
    /// An `Allow` statement applies and no `Deny` does.
    Allow {
        /// The applying `Allow` statements.
        statements: Vec<StatementOutcome>,
        /// `Deny` statements whose applicability is unknown: the request is denied
        /// if they turn out to apply.
        caveats: Vec<StatementOutcome>,
    },
    /// No statement decides the request, but `Allow` statements might apply
    /// depending on keys missing from the context.
    Unknown {
        /// The `Allow` statements whose applicability is unknown.
        statements: Vec<StatementOutcome>,
        /// `Deny` statements whose applicability is unknown.
        caveats: Vec<StatementOutcome>,
        /// The keys that would decide it.
        keys: Vec<String>,
    },
    /// Nothing allows the request.
    ImplicitDeny,
}

/// The evaluation of one (action, resource) pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The action evaluated.
    pub action: String,
    /// The resource evaluated.
    pub resource: String,
    /// The decision, naming the statements that produced it.
    pub decision: Decision,
    /// Condition keys and policy variables that were not evaluated because the
    /// context does not know them, across the statements named in the decision.
    pub unknown_keys: Vec<String>,
    /// Every statement whose `Action`/`NotAction` matches the action, whatever its
    /// result (useful to explain near misses such as the wrong resource).
    pub considered: Vec<StatementOutcome>,
}

impl Evaluation {
    /// True for [`Decision::Allow`].
    pub fn is_allowed(&self) -> bool {
        matches!(self.decision, Decision::Allow { .. })
    }

    /// True for an explicit or implicit deny.
    pub fn is_denied(&self) -> bool {
        matches!(
            self.decision,
            Decision::ExplicitDeny { .. } | Decision::ImplicitDeny
        )
    }

    /// True for [`Decision::Unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self.decision, Decision::Unknown { .. })
    }
}

impl Statement {
    /// Whether the statement's `Action`/`NotAction` covers `action`
    /// (case-insensitive, `*` and `?` wildcards).
    pub fn matches_action(&self, action: &str) -> bool {
        match &self.action {
            ActionMatch::Action(list) => list
                .iter()
                .any(|p| glob(&tokens(&p.value), action, Mode::IgnoreCase)),
            ActionMatch::NotAction(list) => !list
                .iter()
                .any(|p| glob(&tokens(&p.value), action, Mode::IgnoreCase)),
        }
    }
}

/// Evaluates identity policies for one request.
pub fn evaluate(policies: &[Policy], request: &Request) -> Evaluation {
    evaluate_parts(
        policies,
        &request.action,
        &request.resource,
        &request.context,
    )
}

/// Evaluates every (action, resource) pair — actions in the outer loop — with
/// one context, e.g. "are `bedrock:InvokeModel` and
/// `bedrock:InvokeModelWithResponseStream` allowed on each of these ARNs?".
/// Filter with [`Evaluation::is_allowed`] to list what is missing.
pub fn evaluate_all<A: AsRef<str>, R: AsRef<str>>(
    policies: &[Policy],
    actions: &[A],
    resources: &[R],
    context: &Context,
) -> Vec<Evaluation> {
    actions
        .iter()
        .flat_map(|a| {
            resources
                .iter()
                .map(move |r| evaluate_parts(policies, a.as_ref(), r.as_ref(), context))
        })
        .collect()
}

fn evaluate_parts(policies: &[Policy], action: &str, resource: &str, ctx: &Context) -> Evaluation {
    let mut considered = Vec::new();
    for (pi, policy) in policies.iter().enumerate() {
        for statement in &policy.statements {
            if statement.matches_action(action) {
                considered.push(statement_outcome(pi, policy, statement, resource, ctx));
            }
        }
    }
    let pick = |effect: Effect, applies: bool| -> Vec<StatementOutcome> {
        considered
            .iter()
            .filter(|o| o.effect == effect)
            .filter(|o| match o.applicability {
                Applicability::Applies => applies,
                Applicability::Unknown { .. } => !applies,
                Applicability::DoesNotApply => false,
            })
            .cloned()
            .collect()
    };
    let denies = pick(Effect::Deny, true);
    let decision = if !denies.is_empty() {
        Decision::ExplicitDeny { statements: denies }
    } else {
        let deny_unknown = pick(Effect::Deny, false);
        let allows = pick(Effect::Allow, true);
        let allow_unknown = pick(Effect::Allow, false);
        if !allows.is_empty() {
            Decision::Allow {
                statements: allows,
                caveats: deny_unknown,
            }
        } else if !allow_unknown.is_empty() {
            let keys = unknown_keys(allow_unknown.iter().chain(&deny_unknown));
            Decision::Unknown {
                statements: allow_unknown,
                caveats: deny_unknown,
                keys,
            }
        } else {
            Decision::ImplicitDeny
        }
    };
    let unknown_keys = match &decision {
        Decision::Allow { caveats, .. } => unknown_keys(caveats),
        Decision::Unknown { keys, .. } => keys.clone(),
        Decision::ExplicitDeny { .. } | Decision::ImplicitDeny => Vec::new(),
    };
    Evaluation {
        action: action.to_string(),
        resource: resource.to_string(),
        decision,
        unknown_keys,
        considered,
    }
}

/// Keys of unknown outcomes, de-duplicated case-insensitively and sorted.
fn unknown_keys<'a>(outcomes: impl IntoIterator<Item = &'a StatementOutcome>) -> Vec<String> {
    let keys = outcomes.into_iter().flat_map(|o| match &o.applicability {
        Applicability::Unknown { keys } => keys.clone(),
        _ => Vec::new(),
    });
    dedup_keys(keys)
}

fn dedup_keys(keys: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut keys: Vec<String> = keys.into_iter().collect();
    keys.sort_by_key(|k| k.to_lowercase());
    keys.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    keys
}

/// Evaluates a statement whose action already matched.
fn statement_outcome(
    policy_index: usize,
    policy: &Policy,
    statement: &Statement,
    resource: &str,
    ctx: &Context,
) -> StatementOutcome {
    let variables = policy.supports_variables();
    let mut notes = Vec::new();
    let mut resource_matches = |list: &[crate::Spanned<String>]| {
        Tri::any(list.iter().map(|p| match expand(&p.value, variables, ctx) {
            Expanded::Pattern(toks) => Tri::from_bool(glob(&toks, resource, Mode::Resource)),
            Expanded::Missing(why) => {
                notes.push(why);
                Tri::False
            }
            Expanded::Unknown(keys) => Tri::Unknown(keys),
        }))
    };
    let mut result = match &statement.resource {
        ResourceMatch::Resource(list) => resource_matches(list),
        ResourceMatch::NotResource(list) => resource_matches(list).not(),
        ResourceMatch::Absent => {
            notes.push(
                "the statement has no Resource element, which is invalid in an identity policy; it never applies"
                    .to_string(),
            );
            Tri::False
        }
    };
    for condition in &statement.conditions {
        if result == Tri::False {
            break;
        }
        result = result.and(evaluate_condition(condition, ctx, variables, &mut notes));
    }
    let applicability = match result {
        Tri::True => Applicability::Applies,
        Tri::False => Applicability::DoesNotApply,
        Tri::Unknown(keys) => Applicability::Unknown {
            keys: dedup_keys(keys),
        },
    };
    StatementOutcome {
        policy: policy_index,
        statement: statement.index,
        sid: statement.sid().map(str::to_string),
        effect: statement.effect,
        span: statement.span,
        applicability,
        notes,
    }
}
