//! AWS IAM identity policies: parsing with positions and request evaluation.
//!
//! * [`parse_policy`] reads one policy document; [`find_policies`] finds every
//!   policy inside a larger JSON document (AWS CLI output, CloudFormation,
//!   Terraform JSON), including URL-encoded documents held in strings. JSON is
//!   parsed strictly (RFC 8259: no comments, no trailing commas), duplicate keys in
//!   a policy are errors, and every value keeps its 1-based line and column
//!   (counted in characters) and length: see [`Span`].
//! * [`evaluate`] and [`evaluate_all`] apply the IAM evaluation logic for
//!   identity-based policies offline. Condition keys that the [`Context`] does not
//!   know make a statement's applicability *unknown* rather than guessed, and each
//!   [`Evaluation`] names the statements and keys involved.
//!
//! A statement without `Resource`/`NotResource` is accepted with a [`Warning`]
//! (it is invalid in an identity policy and never applies), so that trust
//! policies found next to identity policies do not stop parsing.
//!
//! ```
//! use iampolicy::{evaluate, parse_policy, Context, Decision, Request};
//!
//! let policy = parse_policy(r#"{
//!   "Version": "2012-10-17",
//!   "Statement": [
//!     {"Effect": "Allow", "Action": "bedrock:InvokeModel*",
//!      "Resource": "arn:aws:bedrock:*::foundation-model/anthropic.*"},
//!     {"Sid": "StayInTokyo", "Effect": "Deny", "Action": "*", "Resource": "*",
//!      "Condition": {"StringNotEquals": {"aws:RequestedRegion": "ap-northeast-1"}}}
//!   ]
//! }"#)?;
//! let arn = "arn:aws:bedrock:ap-northeast-3::foundation-model/anthropic.claude-3-haiku-20240307-v1:0";
//!
//! // The region is not known: the Deny might apply.
//! let eval = evaluate(&[policy.clone()], &Request::new("bedrock:InvokeModel", arn));
//! assert!(eval.is_allowed());
//! assert_eq!(eval.unknown_keys, ["aws:RequestedRegion"]);
//!
//! // With the destination region known, the Deny applies.
//! let ctx = Context::new().with("aws:RequestedRegion", "ap-northeast-3");
//! let eval = evaluate(&[policy], &Request::new("bedrock:InvokeModel", arn).with_context(ctx));
//! let Decision::ExplicitDeny { statements } = &eval.decision else { panic!() };
//! assert_eq!(statements[0].sid.as_deref(), Some("StayInTokyo"));
//! assert_eq!((statements[0].span.line, statements[0].span.column), (6, 5));
//! # Ok::<(), iampolicy::Error>(())
//! ```

mod condition;
mod error;
mod evaluate;
mod json;
mod matching;
mod parse;
mod policy;

pub use error::Error;
pub use evaluate::{
    evaluate, evaluate_all, Applicability, Context, Decision, Evaluation, KeyState, Request,
    StatementOutcome,
};
pub use parse::{find_policies, parse_policy};
pub use policy::{
    ActionMatch, Condition, Effect, Policy, ResourceMatch, Span, Spanned, Statement, Warning,
};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
