//! Evaluation: one test per IAM rule, then the Bedrock scenarios.

use iampolicy::{
    evaluate, evaluate_all, parse_policy, Applicability, Context, Decision, Evaluation, Policy,
    Request,
};

/// A 2012-10-17 policy with the given statements (a JSON array body).
fn policy(statements: &str) -> Policy {
    parse_policy(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#
    ))
    .unwrap()
}

fn eval(p: &Policy, action: &str, resource: &str, ctx: Context) -> Evaluation {
    evaluate(
        std::slice::from_ref(p),
        &Request::new(action, resource).with_context(ctx),
    )
}

fn allowed(p: &Policy, action: &str, resource: &str) -> bool {
    eval(p, action, resource, Context::new()).is_allowed()
}

/// Applicability of `Allow * on *` with the given Condition block.
fn cond(condition: &str, ctx: Context) -> Applicability {
    let p = policy(&format!(
        r#"{{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {condition}}}"#
    ));
    let e = eval(&p, "s3:GetObject", "arn:aws:s3:::b/k", ctx);
    assert_eq!(e.considered.len(), 1);
    e.considered[0].applicability.clone()
}

const APPLIES: Applicability = Applicability::Applies;
const NO: Applicability = Applicability::DoesNotApply;

fn unknown(keys: &[&str]) -> Applicability {
    Applicability::Unknown {
        keys: keys.iter().map(|k| k.to_string()).collect(),
    }
}

fn ctx1(key: &str, value: &str) -> Context {
    Context::new().with(key, value)
}

// ---------------------------------------------------------------- actions

#[test]
fn action_star_wildcard() {
    let p = policy(r#"{"Effect": "Allow", "Action": "bedrock:Invoke*", "Resource": "*"}"#);
    assert!(allowed(&p, "bedrock:InvokeModel", "x"));
    assert!(allowed(&p, "bedrock:InvokeModelWithResponseStream", "x"));
    assert!(!allowed(&p, "bedrock:ListFoundationModels", "x"));
    assert!(!allowed(&p, "s3:InvokeModel", "x"));
}

#[test]
fn action_question_mark_wildcard() {
    let p = policy(r#"{"Effect": "Allow", "Action": "s3:?etObject", "Resource": "*"}"#);
    assert!(allowed(&p, "s3:GetObject", "x"));
    assert!(allowed(&p, "s3:SetObject", "x"));
    assert!(!allowed(&p, "s3:etObject", "x"));
    assert!(!allowed(&p, "s3:GGetObject", "x"));
}

#[test]
fn action_is_case_insensitive() {
    let p = policy(r#"{"Effect": "Allow", "Action": "Bedrock:invokemodel", "Resource": "*"}"#);
    assert!(allowed(&p, "bedrock:InvokeModel", "x"));
    assert!(allowed(&p, "BEDROCK:INVOKEMODEL", "x"));
}

#[test]
fn action_star_alone_matches_everything() {
    let p = policy(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#);
    assert!(allowed(&p, "iam:CreateUser", "x"));
}

#[test]
fn action_list_is_or() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": ["s3:GetObject", "bedrock:InvokeModel"], "Resource": "*"}"#,
    );
    assert!(allowed(&p, "bedrock:InvokeModel", "x"));
    assert!(allowed(&p, "s3:GetObject", "x"));
    assert!(!allowed(&p, "s3:PutObject", "x"));
}

#[test]
fn not_action_matches_every_other_action() {
    let p = policy(
        r#"{"Effect": "Allow", "NotAction": ["iam:*", "bedrock:Delete*"], "Resource": "*"}"#,
    );
    assert!(allowed(&p, "bedrock:InvokeModel", "x"));
    assert!(!allowed(&p, "iam:CreateUser", "x"));
    assert!(!allowed(&p, "IAM:createuser", "x"));
    assert!(!allowed(&p, "bedrock:DeleteCustomModel", "x"));
}

// ---------------------------------------------------------------- resources

#[test]
fn resource_star_matches_everything() {
    let p = policy(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#);
    assert!(allowed(
        &p,
        "a:b",
        "arn:aws:bedrock:us-east-1::foundation-model/x:0"
    ));
    assert!(allowed(&p, "a:b", ""));
}

#[test]
fn resource_trailing_star_spans_colons_and_slashes() {
    let p = policy(r#"{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:bedrock:*"}"#);
    assert!(allowed(
        &p,
        "a:b",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"
    ));
    let p = policy(r#"{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}"#);
    assert!(allowed(&p, "a:b", "arn:aws:s3:::bucket/a/b:c/d"));
    assert!(!allowed(&p, "a:b", "arn:aws:s3:::bucket"));
}

#[test]
fn resource_star_inside_a_segment_stays_in_it() {
    // IAM: wildcards apply within a colon-separated segment; only a `*` that ends
    // a segment can expand beyond the colon.
    let p = policy(r#"{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::a*z"}"#);
    assert!(allowed(&p, "a:b", "arn:aws:s3:::abcz"));
    assert!(!allowed(&p, "a:b", "arn:aws:s3:::ab:cz"));
}

#[test]
fn resource_is_case_sensitive() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:iam::123456789012:user/Bob"}"#,
    );
    assert!(allowed(&p, "a:b", "arn:aws:iam::123456789012:user/Bob"));
    assert!(!allowed(&p, "a:b", "arn:aws:iam::123456789012:user/bob"));
}

#[test]
fn resource_question_mark_matches_one_character() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:bedrock:us-east-?::foundation-model/*"}"#,
    );
    assert!(allowed(
        &p,
        "a:b",
        "arn:aws:bedrock:us-east-1::foundation-model/m"
    ));
    assert!(allowed(
        &p,
        "a:b",
        "arn:aws:bedrock:us-east-2::foundation-model/m"
    ));
    assert!(!allowed(
        &p,
        "a:b",
        "arn:aws:bedrock:us-east-::foundation-model/m"
    ));
    assert!(!allowed(
        &p,
        "a:b",
        "arn:aws:bedrock:us-east-12::foundation-model/m"
    ));
}

#[test]
fn not_resource_matches_every_other_resource() {
    let p = policy(r#"{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::secret/*"}"#);
    assert!(allowed(&p, "s3:GetObject", "arn:aws:s3:::public/k"));
    assert!(!allowed(&p, "s3:GetObject", "arn:aws:s3:::secret/k"));
}

#[test]
fn statement_without_resource_never_applies() {
    let p = policy(r#"{"Effect": "Allow", "Action": "*"}"#);
    let e = eval(&p, "a:b", "x", Context::new());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(e.considered[0].applicability, NO);
    assert!(e.considered[0].notes[0].contains("no Resource element"));
}

// ---------------------------------------------------------------- decisions

#[test]
fn explicit_deny_beats_allow() {
    let p = policy(
        r#"{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
           {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}"#,
    );
    let e = eval(&p, "iam:CreateUser", "x", Context::new());
    let Decision::ExplicitDeny { statements } = &e.decision else {
        panic!("{e:?}")
    };
    assert_eq!(statements.len(), 1);
    assert_eq!((statements[0].policy, statements[0].statement), (0, 1));
    assert_eq!(statements[0].sid.as_deref(), Some("NoIam"));
    assert_eq!(statements[0].span.line, 2);
    assert!(e.is_denied());
    assert!(allowed(&p, "s3:GetObject", "x"));
}

#[test]
fn deny_in_another_policy_also_wins() {
    let allow = policy(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#);
    let deny = policy(r#"{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}"#);
    let e = evaluate(&[allow, deny], &Request::new("s3:GetObject", "x"));
    let Decision::ExplicitDeny { statements } = &e.decision else {
        panic!("{e:?}")
    };
    assert_eq!(statements[0].policy, 1);
}

#[test]
fn implicit_deny_when_nothing_allows() {
    let p = policy(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#);
    let e = eval(&p, "s3:PutObject", "x", Context::new());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert!(e.is_denied() && !e.is_allowed());
    assert!(e.considered.is_empty());
    assert_eq!(
        evaluate(&[], &Request::new("s3:GetObject", "x")).decision,
        Decision::ImplicitDeny
    );
    // A Deny that does not apply does not allow anything either.
    let p = policy(r#"{"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::other"}"#);
    assert_eq!(
        eval(&p, "s3:GetObject", "x", Context::new()).decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn allow_lists_unknown_denies_as_caveats() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"},
           {"Sid": "Tls", "Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
    );
    let e = eval(&p, "s3:GetObject", "x", Context::new());
    let Decision::Allow {
        statements,
        caveats,
    } = &e.decision
    else {
        panic!("{e:?}")
    };
    assert_eq!(statements[0].statement, 0);
    assert_eq!(caveats.len(), 1);
    assert_eq!(caveats[0].sid.as_deref(), Some("Tls"));
    assert_eq!(caveats[0].applicability, unknown(&["aws:SecureTransport"]));
    assert_eq!(e.unknown_keys, ["aws:SecureTransport"]);
    // Known: no caveat.
    let e = eval(&p, "s3:GetObject", "x", ctx1("aws:SecureTransport", "true"));
    assert!(matches!(&e.decision, Decision::Allow { caveats, .. } if caveats.is_empty()));
    assert!(e.unknown_keys.is_empty());
}

#[test]
fn unknown_allow_gives_unknown_naming_keys() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ml"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}"#,
    );
    let e = eval(&p, "s3:GetObject", "x", Context::new());
    let Decision::Unknown {
        statements, keys, ..
    } = &e.decision
    else {
        panic!("{e:?}")
    };
    assert_eq!(statements.len(), 1);
    assert_eq!(keys, &["aws:PrincipalTag/team", "aws:SourceIp"]);
    assert_eq!(e.unknown_keys, *keys);
    assert!(e.is_unknown() && !e.is_allowed() && !e.is_denied());
    // One key known and false decides it even though the other is unknown.
    let e = eval(&p, "s3:GetObject", "x", ctx1("aws:SourceIp", "192.0.2.1"));
    assert_eq!(e.decision, Decision::ImplicitDeny);
    // Both known and true.
    let ctx = ctx1("aws:SourceIp", "10.1.2.3").with("aws:PrincipalTag/team", "ml");
    assert!(eval(&p, "s3:GetObject", "x", ctx).is_allowed());
}

#[test]
fn applying_deny_wins_over_unknown_allow() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:x": "1"}}},
           {"Effect": "Deny", "Action": "*", "Resource": "*"}"#,
    );
    let e = eval(&p, "s3:GetObject", "x", Context::new());
    assert!(matches!(e.decision, Decision::ExplicitDeny { .. }));
    assert!(e.unknown_keys.is_empty());
    assert_eq!(e.considered.len(), 2);
}

// ---------------------------------------------------------------- conditions: structure

#[test]
fn condition_values_of_one_key_are_or() {
    let c = r#"{"StringEquals": {"aws:RequestedRegion": ["us-east-1", "ap-northeast-1"]}}"#;
    assert_eq!(
        cond(c, ctx1("aws:RequestedRegion", "ap-northeast-1")),
        APPLIES
    );
    assert_eq!(cond(c, ctx1("aws:RequestedRegion", "us-east-1")), APPLIES);
    assert_eq!(cond(c, ctx1("aws:RequestedRegion", "eu-west-1")), NO);
}

#[test]
fn condition_keys_within_an_operator_are_and() {
    let c = r#"{"StringEquals": {"aws:RequestedRegion": "us-east-1", "aws:PrincipalAccount": "111122223333"}}"#;
    let both =
        ctx1("aws:RequestedRegion", "us-east-1").with("aws:PrincipalAccount", "111122223333");
    assert_eq!(cond(c, both), APPLIES);
    let one = ctx1("aws:RequestedRegion", "us-east-1").with("aws:PrincipalAccount", "444455556666");
    assert_eq!(cond(c, one), NO);
}

#[test]
fn condition_operators_are_and() {
    let c = r#"{"StringEquals": {"aws:RequestedRegion": "us-east-1"}, "Bool": {"aws:SecureTransport": "true"}}"#;
    let ok = ctx1("aws:RequestedRegion", "us-east-1").with("aws:SecureTransport", "true");
    assert_eq!(cond(c, ok), APPLIES);
    let bad = ctx1("aws:RequestedRegion", "us-east-1").with("aws:SecureTransport", "false");
    assert_eq!(cond(c, bad), NO);
}

#[test]
fn negated_operator_values_are_nor() {
    let c = r#"{"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}}"#;
    assert_eq!(cond(c, ctx1("aws:RequestedRegion", "us-west-2")), NO);
    assert_eq!(cond(c, ctx1("aws:RequestedRegion", "us-east-1")), NO);
    assert_eq!(cond(c, ctx1("aws:RequestedRegion", "eu-west-1")), APPLIES);
}

#[test]
fn condition_key_names_are_case_insensitive() {
    let c = r#"{"StringEquals": {"AWS:RequestedRegion": "us-east-1"}}"#;
    assert_eq!(cond(c, ctx1("aws:requestedregion", "us-east-1")), APPLIES);
}

#[test]
fn absent_key_makes_positive_operators_false() {
    let absent = || Context::new().absent("aws:SourceVpc");
    assert_eq!(
        cond(r#"{"StringEquals": {"aws:SourceVpc": "vpc-1"}}"#, absent()),
        NO
    );
    assert_eq!(
        cond(r#"{"StringLike": {"aws:SourceVpc": "*"}}"#, absent()),
        NO
    );
    assert_eq!(cond(r#"{"ArnLike": {"aws:SourceVpc": "*"}}"#, absent()), NO);
    assert_eq!(
        cond(r#"{"NumericLessThan": {"aws:SourceVpc": "5"}}"#, absent()),
        NO
    );
    assert_eq!(
        cond(r#"{"Bool": {"aws:SourceVpc": "false"}}"#, absent()),
        NO
    );
}

#[test]
fn absent_key_makes_negated_operators_true() {
    let absent = || Context::new().absent("aws:SourceVpc");
    for op in [
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "ArnNotEquals",
        "ArnNotLike",
        "NumericNotEquals",
        "DateNotEquals",
        "NotIpAddress",
    ] {
        let c = format!(r#"{{"{op}": {{"aws:SourceVpc": "1"}}}}"#);
        assert_eq!(cond(&c, absent()), APPLIES, "{op}");
    }
}

#[test]
fn if_exists_is_true_when_the_key_is_absent() {
    let c = r#"{"StringEqualsIfExists": {"ec2:InstanceType": ["t3.micro"]}}"#;
    assert_eq!(cond(c, Context::new().absent("ec2:InstanceType")), APPLIES);
    assert_eq!(cond(c, ctx1("ec2:InstanceType", "t3.micro")), APPLIES);
    assert_eq!(cond(c, ctx1("ec2:InstanceType", "m5.large")), NO);
    assert_eq!(cond(c, Context::new()), unknown(&["ec2:InstanceType"]));
    let c = r#"{"ArnLikeIfExists": {"bedrock:InferenceProfileArn": "arn:aws:bedrock:*:*:inference-profile/apac.*"}}"#;
    assert_eq!(
        cond(c, Context::new().absent("bedrock:InferenceProfileArn")),
        APPLIES
    );
}

#[test]
fn null_tests_absence() {
    let is_null = r#"{"Null": {"aws:TokenIssueTime": "true"}}"#;
    let not_null = r#"{"Null": {"aws:TokenIssueTime": false}}"#;
    let absent = || Context::new().absent("aws:TokenIssueTime");
    let present = || ctx1("aws:TokenIssueTime", "2024-01-01T00:00:00Z");
    assert_eq!(cond(is_null, absent()), APPLIES);
    assert_eq!(cond(is_null, present()), NO);
    assert_eq!(cond(not_null, absent()), NO);
    assert_eq!(cond(not_null, present()), APPLIES);
    assert_eq!(
        cond(is_null, Context::new()),
        unknown(&["aws:TokenIssueTime"])
    );
    // An empty multi-valued key counts as absent.
    assert_eq!(
        cond(
            is_null,
            Context::new().with_values("aws:TokenIssueTime", Vec::<String>::new())
        ),
        APPLIES
    );
}

#[test]
fn for_all_values_is_true_for_absent_or_empty_keys() {
    let c = r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#;
    assert_eq!(cond(c, Context::new().absent("aws:TagKeys")), APPLIES);
    assert_eq!(
        cond(
            c,
            Context::new().with_values("aws:TagKeys", Vec::<String>::new())
        ),
        APPLIES
    );
    assert_eq!(
        cond(c, Context::new().with_values("aws:TagKeys", ["env"])),
        APPLIES
    );
    assert_eq!(
        cond(
            c,
            Context::new().with_values("aws:TagKeys", ["env", "team"])
        ),
        APPLIES
    );
    assert_eq!(
        cond(
            c,
            Context::new().with_values("aws:TagKeys", ["env", "cost"])
        ),
        NO
    );
}

#[test]
fn for_any_value_is_false_for_absent_keys() {
    let c = r#"{"ForAnyValue:StringLike": {"aws:TagKeys": ["team*"]}}"#;
    assert_eq!(cond(c, Context::new().absent("aws:TagKeys")), NO);
    assert_eq!(
        cond(
            c,
            Context::new().with_values("aws:TagKeys", Vec::<String>::new())
        ),
        NO
    );
    assert_eq!(
        cond(
            c,
            Context::new().with_values("aws:TagKeys", ["env", "team-a"])
        ),
        APPLIES
    );
    assert_eq!(
        cond(
            c,
            Context::new().with_values("aws:TagKeys", ["env", "cost"])
        ),
        NO
    );
    // ...IfExists makes an absent key pass.
    let c = r#"{"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["team*"]}}"#;
    assert_eq!(cond(c, Context::new().absent("aws:TagKeys")), APPLIES);
}

#[test]
fn set_operators_with_negated_operators() {
    let all = r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret", "owner"]}}"#;
    let tags = |v: &[&str]| Context::new().with_values("aws:TagKeys", v.iter().copied());
    assert_eq!(cond(all, tags(&["env", "team"])), APPLIES);
    assert_eq!(cond(all, tags(&["env", "owner"])), NO);
    let any = r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["secret"]}}"#;
    assert_eq!(cond(any, tags(&["secret", "env"])), APPLIES);
    assert_eq!(cond(any, tags(&["secret"])), NO);
    assert_eq!(cond(any, Context::new().absent("aws:TagKeys")), NO);
}

#[test]
fn plain_operator_with_a_multi_valued_request_key() {
    // Positive: one request value matching is enough; negated: none may match.
    let tags = || {
        Context::new().with_values(
            "aws:CalledVia",
            ["athena.amazonaws.com", "bedrock.amazonaws.com"],
        )
    };
    assert_eq!(
        cond(
            r#"{"StringEquals": {"aws:CalledVia": "bedrock.amazonaws.com"}}"#,
            tags()
        ),
        APPLIES
    );
    assert_eq!(
        cond(
            r#"{"StringNotEquals": {"aws:CalledVia": "bedrock.amazonaws.com"}}"#,
            tags()
        ),
        NO
    );
}

#[test]
fn unknown_keys_make_the_statement_unknown_and_are_named() {
    let c = r#"{"StringEquals": {"aws:RequestedRegion": "us-east-1"}, "StringNotEquals": {"aws:CalledViaLast": "x"}}"#;
    assert_eq!(
        cond(c, Context::new()),
        unknown(&["aws:CalledViaLast", "aws:RequestedRegion"])
    );
    assert_eq!(
        cond(c, ctx1("aws:RequestedRegion", "us-east-1")),
        unknown(&["aws:CalledViaLast"])
    );
    assert_eq!(cond(c, ctx1("aws:RequestedRegion", "eu-west-1")), NO);
}

#[test]
fn unknown_operator_is_unknown_with_a_note() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringSortOf": {"aws:RequestedRegion": "x"}}}"#,
    );
    let e = eval(&p, "s3:GetObject", "x", ctx1("aws:RequestedRegion", "x"));
    assert_eq!(
        e.considered[0].applicability,
        unknown(&["aws:RequestedRegion"])
    );
    assert!(e.considered[0].notes[0].contains("\"StringSortOf\" is not supported"));
    assert!(e.is_unknown());
}

// ---------------------------------------------------------------- conditions: operator families

#[test]
fn string_equals_is_case_sensitive() {
    let c = r#"{"StringEquals": {"aws:PrincipalTag/team": "ML"}}"#;
    assert_eq!(cond(c, ctx1("aws:PrincipalTag/team", "ML")), APPLIES);
    assert_eq!(cond(c, ctx1("aws:PrincipalTag/team", "ml")), NO);
    // `*` is literal in StringEquals.
    let c = r#"{"StringEquals": {"aws:PrincipalTag/team": "*"}}"#;
    assert_eq!(cond(c, ctx1("aws:PrincipalTag/team", "ml")), NO);
    assert_eq!(cond(c, ctx1("aws:PrincipalTag/team", "*")), APPLIES);
}

#[test]
fn string_not_equals() {
    let c = r#"{"StringNotEquals": {"aws:PrincipalTag/team": "ML"}}"#;
    assert_eq!(cond(c, ctx1("aws:PrincipalTag/team", "ml")), APPLIES);
    assert_eq!(cond(c, ctx1("aws:PrincipalTag/team", "ML")), NO);
}

#[test]
fn string_equals_ignore_case() {
    let c = r#"{"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "ML"}}"#;
    assert_eq!(cond(c, ctx1("aws:PrincipalTag/team", "ml")), APPLIES);
    assert_eq!(cond(c, ctx1("aws:PrincipalTag/team", "ops")), NO);
    let c = r#"{"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "ML"}}"#;
    assert_eq!(cond(c, ctx1("aws:PrincipalTag/team", "ml")), NO);
    assert_eq!(cond(c, ctx1("aws:PrincipalTag/team", "ops")), APPLIES);
}

#[test]
fn string_like_and_not_like_wildcards() {
    let c = r#"{"StringLike": {"s3:prefix": ["home/*", "tmp/?"]}}"#;
    assert_eq!(cond(c, ctx1("s3:prefix", "home/a/b")), APPLIES);
    assert_eq!(cond(c, ctx1("s3:prefix", "tmp/x")), APPLIES);
    assert_eq!(cond(c, ctx1("s3:prefix", "tmp/xy")), NO);
    assert_eq!(cond(c, ctx1("s3:prefix", "Home/a")), NO);
    let c = r#"{"StringNotLike": {"s3:prefix": "home/*"}}"#;
    assert_eq!(cond(c, ctx1("s3:prefix", "home/a")), NO);
    assert_eq!(cond(c, ctx1("s3:prefix", "etc/a")), APPLIES);
}

#[test]
fn numeric_operators() {
    let n = |op: &str, v: &str| {
        cond(
            &format!(r#"{{"{op}": {{"s3:max-keys": 10}}}}"#),
            ctx1("s3:max-keys", v),
        )
    };
    assert_eq!(n("NumericEquals", "10"), APPLIES);
    assert_eq!(n("NumericEquals", "10.0"), APPLIES);
    assert_eq!(n("NumericEquals", "11"), NO);
    assert_eq!(n("NumericNotEquals", "11"), APPLIES);
    assert_eq!(n("NumericNotEquals", "10"), NO);
    assert_eq!(n("NumericLessThan", "9"), APPLIES);
    assert_eq!(n("NumericLessThan", "10"), NO);
    assert_eq!(n("NumericLessThanEquals", "10"), APPLIES);
    assert_eq!(n("NumericLessThanEquals", "11"), NO);
    assert_eq!(n("NumericGreaterThan", "11"), APPLIES);
    assert_eq!(n("NumericGreaterThan", "10"), NO);
    assert_eq!(n("NumericGreaterThanEquals", "10"), APPLIES);
    assert_eq!(n("NumericGreaterThanEquals", "-3"), NO);
    assert_eq!(n("NumericEquals", "ten"), NO);
}

#[test]
fn date_operators_iso_and_epoch() {
    let d = |op: &str, v: &str| {
        cond(
            &format!(r#"{{"{op}": {{"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}}"#),
            ctx1("aws:CurrentTime", v),
        )
    };
    assert_eq!(d("DateEquals", "2026-01-01T09:00:00+09:00"), APPLIES);
    assert_eq!(d("DateEquals", "1767225600"), APPLIES);
    assert_eq!(d("DateNotEquals", "2026-01-02"), APPLIES);
    assert_eq!(d("DateNotEquals", "2026-01-01"), NO);
    assert_eq!(d("DateLessThan", "2025-12-31T23:59:59Z"), APPLIES);
    assert_eq!(d("DateLessThan", "2026-01-01T00:00:00Z"), NO);
    assert_eq!(d("DateLessThanEquals", "2026-01-01T00:00:00Z"), APPLIES);
    assert_eq!(d("DateGreaterThan", "2026-01-01T00:00:00.001Z"), APPLIES);
    assert_eq!(d("DateGreaterThan", "2025-06-01"), NO);
    assert_eq!(d("DateGreaterThanEquals", "2026-01-01"), APPLIES);
    assert_eq!(d("DateGreaterThanEquals", "not a date"), NO);
    // Epoch seconds in the policy.
    let c = r#"{"DateGreaterThan": {"aws:EpochTime": 1767225600}}"#;
    assert_eq!(
        cond(c, ctx1("aws:EpochTime", "2026-06-01T00:00:00Z")),
        APPLIES
    );
}

#[test]
fn malformed_policy_values_never_match_and_are_noted() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}}"#,
    );
    let e = eval(
        &p,
        "a:b",
        "x",
        ctx1("aws:CurrentTime", "2026-01-01T00:00:00Z"),
    );
    assert_eq!(e.considered[0].applicability, NO);
    assert!(
        e.considered[0].notes[0].contains("\"tomorrow\""),
        "{:?}",
        e.considered[0].notes
    );
}

#[test]
fn bool_operator() {
    let c = r#"{"Bool": {"aws:SecureTransport": "true"}}"#;
    assert_eq!(cond(c, ctx1("aws:SecureTransport", "true")), APPLIES);
    assert_eq!(cond(c, ctx1("aws:SecureTransport", "TRUE")), APPLIES);
    assert_eq!(cond(c, ctx1("aws:SecureTransport", "false")), NO);
    let c = r#"{"Bool": {"aws:MultiFactorAuthPresent": false}}"#;
    assert_eq!(
        cond(c, ctx1("aws:MultiFactorAuthPresent", "false")),
        APPLIES
    );
}

#[test]
fn binary_equals() {
    let c = r#"{"BinaryEquals": {"key": "QmluYXJ5VmFsdWU="}}"#;
    assert_eq!(cond(c, ctx1("key", "QmluYXJ5VmFsdWU=")), APPLIES);
    assert_eq!(cond(c, ctx1("key", "QmluYXJ5VmFsdWF=")), NO);
}

#[test]
fn ip_address_v4_and_v6() {
    let c = r#"{"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}"#;
    assert_eq!(cond(c, ctx1("aws:SourceIp", "203.0.113.7")), APPLIES);
    assert_eq!(cond(c, ctx1("aws:SourceIp", "203.0.112.7")), NO);
    assert_eq!(
        cond(c, ctx1("aws:SourceIp", "2001:db8:1234:5678::1")),
        APPLIES
    );
    assert_eq!(cond(c, ctx1("aws:SourceIp", "2001:db8:1234:5679::1")), NO);
    let c = r#"{"NotIpAddress": {"aws:SourceIp": "192.0.2.1"}}"#;
    assert_eq!(cond(c, ctx1("aws:SourceIp", "192.0.2.1")), NO);
    assert_eq!(cond(c, ctx1("aws:SourceIp", "192.0.2.2")), APPLIES);
}

#[test]
fn arn_operators_match_segment_wise() {
    let like =
        r#"{"ArnLike": {"aws:SourceArn": "arn:aws:bedrock:*:123456789012:inference-profile/*"}}"#;
    let arn = |a: &str| ctx1("aws:SourceArn", a);
    assert_eq!(
        cond(
            like,
            arn("arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.x:0")
        ),
        APPLIES
    );
    assert_eq!(
        cond(
            like,
            arn("arn:aws:bedrock:ap-northeast-1:999999999999:inference-profile/x")
        ),
        NO
    );
    // The region wildcard cannot swallow the account segment.
    assert_eq!(
        cond(
            like,
            arn("arn:aws:bedrock:us-east-1:999:123456789012:inference-profile/x")
        ),
        NO
    );
    let equals = r#"{"ArnEquals": {"aws:SourceArn": "arn:aws:iam::123456789012:role/app"}}"#;
    assert_eq!(
        cond(equals, arn("arn:aws:iam::123456789012:role/app")),
        APPLIES
    );
    assert_eq!(cond(equals, arn("arn:aws:iam::123456789012:role/App")), NO);
    let not_like = r#"{"ArnNotLike": {"aws:SourceArn": "arn:aws:iam::*:role/admin-*"}}"#;
    assert_eq!(cond(not_like, arn("arn:aws:iam::1:role/admin-x")), NO);
    assert_eq!(cond(not_like, arn("arn:aws:iam::1:role/app")), APPLIES);
    let not_equals = r#"{"ArnNotEquals": {"aws:SourceArn": "arn:aws:iam::1:role/app"}}"#;
    assert_eq!(cond(not_equals, arn("arn:aws:iam::1:role/app")), NO);
    assert_eq!(cond(not_equals, arn("arn:aws:iam::2:role/app")), APPLIES);
}

// ---------------------------------------------------------------- policy variables

#[test]
fn variables_in_resources() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}"#,
    );
    let r = "arn:aws:s3:::home/alice/notes.txt";
    assert!(eval(&p, "s3:GetObject", r, ctx1("aws:username", "alice")).is_allowed());
    assert_eq!(
        eval(&p, "s3:GetObject", r, ctx1("aws:username", "bob")).decision,
        Decision::ImplicitDeny
    );
    let e = eval(&p, "s3:GetObject", r, Context::new());
    assert!(e.is_unknown());
    assert_eq!(e.unknown_keys, ["aws:username"]);
    let e = eval(&p, "s3:GetObject", r, Context::new().absent("aws:username"));
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert!(
        e.considered[0].notes[0].contains("absent"),
        "{:?}",
        e.considered[0].notes
    );
}

#[test]
fn variables_are_literal_without_version_2012() {
    let p = parse_policy(
        r#"{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}}"#,
    )
    .unwrap();
    assert!(eval(
        &p,
        "s3:GetObject",
        "arn:aws:s3:::home/${aws:username}/x",
        Context::new()
    )
    .is_allowed());
    assert_eq!(
        eval(
            &p,
            "s3:GetObject",
            "arn:aws:s3:::home/alice/x",
            ctx1("aws:username", "alice")
        )
        .decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn variables_in_condition_values() {
    let c = r#"{"StringLike": {"s3:prefix": "home/${aws:username}/*"}}"#;
    let ctx = ctx1("aws:username", "alice").with("s3:prefix", "home/alice/docs");
    assert_eq!(cond(c, ctx), APPLIES);
    let ctx = ctx1("aws:username", "alice").with("s3:prefix", "home/bob/docs");
    assert_eq!(cond(c, ctx), NO);
    assert_eq!(
        cond(c, ctx1("s3:prefix", "home/bob/docs")),
        unknown(&["aws:username"])
    );
    let c = r#"{"StringEquals": {"aws:ResourceTag/owner": "${aws:PrincipalTag/owner, 'nobody'}"}}"#;
    let ctx = ctx1("aws:ResourceTag/owner", "nobody").absent("aws:PrincipalTag/owner");
    assert_eq!(cond(c, ctx), APPLIES);
}

// ---------------------------------------------------------------- Bedrock scenarios

/// `examples/bedrock-ui/iam/bedrock-invoke-policy.json` (the seed's sample policy).
const SEED: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream"
      ],
      "Resource": [
        "arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0"
      ]
    }
  ]
}"#;

const SONNET_TOKYO: &str =
    "arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0";
const SONNET_VIRGINIA: &str =
    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0";
const APAC_PROFILE: &str = "arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.anthropic.claude-3-sonnet-20240229-v1:0";

#[test]
fn seed_policy_allows_the_exact_model_in_tokyo() {
    let p = parse_policy(SEED).unwrap();
    let e = eval(&p, "bedrock:InvokeModel", SONNET_TOKYO, Context::new());
    let Decision::Allow {
        statements,
        caveats,
    } = &e.decision
    else {
        panic!("{e:?}")
    };
    assert_eq!((statements[0].policy, statements[0].statement), (0, 0));
    assert_eq!((statements[0].span.line, statements[0].span.column), (4, 5));
    assert!(caveats.is_empty() && e.unknown_keys.is_empty());
}

#[test]
fn seed_policy_denies_the_same_model_in_us_east_1() {
    let p = parse_policy(SEED).unwrap();
    let e = eval(&p, "bedrock:InvokeModel", SONNET_VIRGINIA, Context::new());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    // The statement was considered (action matched) but its resource did not.
    assert_eq!(e.considered.len(), 1);
    assert_eq!(e.considered[0].applicability, NO);
}

#[test]
fn seed_policy_denies_the_apac_inference_profile() {
    let p = parse_policy(SEED).unwrap();
    let e = eval(&p, "bedrock:InvokeModel", APAC_PROFILE, Context::new());
    assert_eq!(e.decision, Decision::ImplicitDeny);
}

const REGION_DENY: &str = r#"{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"},
    {"Sid": "TokyoOnly", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["ap-northeast-1"]}}}"#;

#[test]
fn region_deny_denies_a_cross_region_destination_when_known() {
    let p = policy(REGION_DENY);
    let dest = "arn:aws:bedrock:ap-northeast-3::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0";
    let e = eval(
        &p,
        "bedrock:InvokeModel",
        dest,
        ctx1("aws:RequestedRegion", "ap-northeast-3"),
    );
    let Decision::ExplicitDeny { statements } = &e.decision else {
        panic!("{e:?}")
    };
    assert_eq!(statements[0].sid.as_deref(), Some("TokyoOnly"));
    assert_eq!(statements[0].span.line, 2);
    // The source region passes.
    let e = eval(
        &p,
        "bedrock:InvokeModel",
        dest,
        ctx1("aws:RequestedRegion", "ap-northeast-1"),
    );
    assert!(e.is_allowed());
}

#[test]
fn region_deny_is_unknown_without_the_region() {
    let p = policy(REGION_DENY);
    let dest = "arn:aws:bedrock:ap-northeast-3::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0";
    let e = eval(&p, "bedrock:InvokeModel", dest, Context::new());
    // Allowed, unless the Deny applies: it is reported as a caveat naming the key.
    let Decision::Allow { caveats, .. } = &e.decision else {
        panic!("{e:?}")
    };
    assert_eq!(caveats[0].sid.as_deref(), Some("TokyoOnly"));
    assert_eq!(caveats[0].applicability, unknown(&["aws:RequestedRegion"]));
    assert_eq!(e.unknown_keys, ["aws:RequestedRegion"]);
    // With only the Deny (no Allow) the answer is an implicit deny either way.
    let deny_only = policy(
        r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["ap-northeast-1"]}}}"#,
    );
    assert_eq!(
        eval(&deny_only, "bedrock:InvokeModel", dest, Context::new()).decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn global_region_less_arn_matches_region_wildcard() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "arn:aws:bedrock:*::foundation-model/*"}"#,
    );
    assert!(allowed(
        &p,
        "bedrock:InvokeModel",
        "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"
    ));
    assert!(allowed(&p, "bedrock:InvokeModel", SONNET_VIRGINIA));
    // Not the profile: its account segment is not empty.
    assert!(!allowed(&p, "bedrock:InvokeModel", APAC_PROFILE));
}

#[test]
fn evaluate_all_lists_missing_pairs_for_a_profile() {
    let p = parse_policy(SEED).unwrap();
    let actions = [
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
    ];
    let model = "anthropic.claude-3-sonnet-20240229-v1:0";
    let resources = [
        APAC_PROFILE.to_string(),
        format!("arn:aws:bedrock:ap-northeast-1::foundation-model/{model}"),
        format!("arn:aws:bedrock:ap-northeast-2::foundation-model/{model}"),
        format!("arn:aws:bedrock:ap-southeast-1::foundation-model/{model}"),
    ];
    let results = evaluate_all(&[p], &actions, &resources, &Context::new());
    assert_eq!(results.len(), 8);
    assert_eq!(
        (results[4].action.as_str(), results[4].resource.as_str()),
        (actions[1], resources[0].as_str())
    );
    let missing: Vec<(&str, &str)> = results
        .iter()
        .filter(|e| !e.is_allowed())
        .map(|e| (e.action.as_str(), e.resource.as_str()))
        .collect();
    assert_eq!(missing.len(), 6);
    assert!(missing.contains(&(actions[0], APAC_PROFILE)));
    assert!(missing.contains(&(actions[1], resources[3].as_str())));
    assert!(!missing.contains(&(actions[0], resources[1].as_str())));
}

#[test]
fn inference_profile_arn_condition_on_foundation_model() {
    // Allow the foundation model only when invoked through an apac. profile.
    let p = policy(
        r#"{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "arn:aws:bedrock:*::foundation-model/*",
            "Condition": {"StringLike": {"bedrock:InferenceProfileArn": "arn:aws:bedrock:*:*:inference-profile/apac.*"}}}"#,
    );
    let fm = SONNET_TOKYO;
    assert!(eval(
        &p,
        "bedrock:InvokeModel",
        fm,
        ctx1("bedrock:InferenceProfileArn", APAC_PROFILE)
    )
    .is_allowed());
    assert_eq!(
        eval(
            &p,
            "bedrock:InvokeModel",
            fm,
            Context::new().absent("bedrock:InferenceProfileArn")
        )
        .decision,
        Decision::ImplicitDeny
    );
    let e = eval(&p, "bedrock:InvokeModel", fm, Context::new());
    assert!(
        matches!(&e.decision, Decision::Unknown { keys, .. } if keys == &["bedrock:InferenceProfileArn"])
    );
}

#[test]
fn called_via_last_for_marketplace_subscription() {
    let p = policy(
        r#"{"Effect": "Allow", "Action": ["aws-marketplace:Subscribe", "aws-marketplace:ViewSubscriptions"], "Resource": "*",
            "Condition": {"StringEquals": {"aws:CalledViaLast": "bedrock.amazonaws.com"}}}"#,
    );
    let via = ctx1("aws:CalledViaLast", "bedrock.amazonaws.com");
    assert!(eval(&p, "aws-marketplace:Subscribe", "*", via).is_allowed());
    assert_eq!(
        eval(
            &p,
            "aws-marketplace:Subscribe",
            "*",
            Context::new().absent("aws:CalledViaLast")
        )
        .decision,
        Decision::ImplicitDeny
    );
}

#[test]
fn cloudformation_placeholders_are_unknown_until_supplied() {
    let found = iampolicy::find_policies(
        r#"{"PolicyDocument": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "bedrock:InvokeModel",
            "Resource": {"Fn::Sub": "arn:aws:bedrock:${AWS::Region}::foundation-model/*"}}}}"#,
    )
    .unwrap();
    let e = eval(
        &found[0],
        "bedrock:InvokeModel",
        SONNET_TOKYO,
        Context::new(),
    );
    assert_eq!(e.unknown_keys, ["AWS::Region"]);
    let e = eval(
        &found[0],
        "bedrock:InvokeModel",
        SONNET_TOKYO,
        ctx1("AWS::Region", "ap-northeast-1"),
    );
    assert!(e.is_allowed());
}

#[test]
fn evaluation_serializes_with_a_decision_tag() {
    let p = parse_policy(SEED).unwrap();
    let e = eval(&p, "bedrock:InvokeModel", SONNET_TOKYO, Context::new());
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["decision"]["decision"], "allow");
    assert_eq!(
        v["decision"]["statements"][0]["applicability"]["result"],
        "applies"
    );
    assert_eq!(v["decision"]["statements"][0]["span"]["line"], 4);
}

#[test]
fn context_distinguishes_unknown_absent_and_present() {
    use iampolicy::KeyState;
    let mut ctx = Context::new()
        .with("aws:RequestedRegion", "ap-northeast-1")
        .absent("aws:SourceVpc")
        .with_values("aws:TagKeys", ["a", "b"]);
    assert_eq!(
        ctx.get("AWS:REQUESTEDREGION"),
        KeyState::Present(&["ap-northeast-1".to_string()])
    );
    assert_eq!(ctx.get("aws:sourcevpc"), KeyState::Absent);
    assert!(matches!(ctx.get("aws:TagKeys"), KeyState::Present(v) if v.len() == 2));
    assert_eq!(ctx.get("aws:CalledViaLast"), KeyState::Unknown);
    ctx.remove("aws:SourceVpc");
    assert_eq!(ctx.get("aws:SourceVpc"), KeyState::Unknown);
    ctx.set_absent("aws:RequestedRegion");
    assert_eq!(ctx.get("aws:RequestedRegion"), KeyState::Absent);
}

#[test]
fn statement_matches_action_helper() {
    let p = policy(r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#);
    assert!(p.statements[0].matches_action("bedrock:InvokeModel"));
    assert!(!p.statements[0].matches_action("iam:PassRole"));
}
