//! Parsing: positions, policy forms, embedded documents, errors, robustness.

use iampolicy::{
    find_policies, parse_policy, ActionMatch, Effect, Error, ResourceMatch, Span, Statement,
};

const POSITIONS: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Invoke",
      "Effect": "Allow",
      "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
      "Resource": "arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0"
    },
    {"Effect": "Deny", "NotAction": "bédrock:*", "NotResource": ["*"],
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["ap-northeast-1", "ap-northeast-3"]}}}
  ]
}"#;

fn span(line: usize, column: usize, length: usize) -> Span {
    Span {
        line,
        column,
        length,
    }
}

fn list(a: &ActionMatch) -> Vec<(&str, Span)> {
    match a {
        ActionMatch::Action(l) | ActionMatch::NotAction(l) => {
            l.iter().map(|s| (s.value.as_str(), s.span)).collect()
        }
    }
}

fn resources(r: &ResourceMatch) -> Vec<(&str, Span)> {
    match r {
        ResourceMatch::Resource(l) | ResourceMatch::NotResource(l) => {
            l.iter().map(|s| (s.value.as_str(), s.span)).collect()
        }
        ResourceMatch::Absent => Vec::new(),
    }
}

#[test]
fn statement_action_resource_positions() {
    let p = parse_policy(POSITIONS).unwrap();
    assert_eq!(p.version.as_ref().unwrap().value, "2012-10-17");
    assert_eq!(p.version.as_ref().unwrap().span, span(2, 14, 12));
    assert_eq!(p.span, span(1, 1, POSITIONS.chars().count()));
    assert_eq!(p.path, "");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    let s0 = &p.statements[0];
    assert_eq!(s0.index, 0);
    assert_eq!(s0.span, span(4, 5, 246));
    assert_eq!(s0.sid.as_ref().unwrap().span, span(5, 14, 8));
    assert_eq!(s0.effect, Effect::Allow);
    assert_eq!(s0.effect_span, span(6, 17, 7));
    assert!(matches!(s0.action, ActionMatch::Action(_)));
    assert_eq!(
        list(&s0.action),
        [
            ("bedrock:InvokeModel", span(7, 18, 21)),
            ("bedrock:InvokeModelWithResponseStream", span(7, 41, 39)),
        ]
    );
    assert!(matches!(s0.resource, ResourceMatch::Resource(_)));
    assert_eq!(
        resources(&s0.resource),
        [(
            "arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0",
            span(8, 19, 90)
        )]
    );

    let s1 = &p.statements[1];
    assert_eq!(s1.index, 1);
    assert_eq!(s1.span, span(10, 5, 168));
    assert!(s1.sid.is_none());
    assert_eq!(s1.effect, Effect::Deny);
    assert!(matches!(s1.action, ActionMatch::NotAction(_)));
    // Columns count characters: `é` is one column although it is two bytes.
    assert_eq!(list(&s1.action), [("bédrock:*", span(10, 37, 11))]);
    assert!(matches!(s1.resource, ResourceMatch::NotResource(_)));
    assert_eq!(resources(&s1.resource), [("*", span(10, 66, 3))]);
    let c = &s1.conditions[0];
    assert_eq!(c.operator, "StringNotEquals");
    assert_eq!(c.key, "aws:RequestedRegion");
    assert_eq!(c.span, span(11, 40, 59));
    assert_eq!(c.values[1].value, "ap-northeast-3");
    assert_eq!(c.values[1].span, span(11, 82, 16));
}

#[test]
fn single_statement_object_and_string_action() {
    let p = parse_policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","arn:aws:s3:::c/*"]}}"#,
    )
    .unwrap();
    assert_eq!(p.statements.len(), 1);
    let s = &p.statements[0];
    assert_eq!(list(&s.action), [("s3:GetObject", span(1, 64, 14))]);
    assert_eq!(resources(&s.resource).len(), 2);
    assert_eq!(s.span.column, 37);
}

#[test]
fn condition_values_may_be_numbers_and_booleans() {
    let p = parse_policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
        "Condition":{"Bool":{"aws:SecureTransport":false},"NumericGreaterThan":{"s3:max-keys":[10, 2.5e1]}}}]}"#,
    )
    .unwrap();
    let c = &p.statements[0].conditions;
    assert_eq!(c.len(), 2);
    assert_eq!(
        (c[0].operator.as_str(), c[0].key.as_str()),
        ("Bool", "aws:SecureTransport")
    );
    assert_eq!(c[0].values[0].value, "false");
    assert_eq!(c[0].values[0].span, span(2, 52, 5));
    let values: Vec<&str> = c[1].values.iter().map(|v| v.as_str()).collect();
    assert_eq!(values, ["10", "2.5e1"]);
}

#[test]
fn missing_resource_is_a_warning_and_absent() {
    let p = parse_policy(
        "{\"Version\":\"2012-10-17\",\"Statement\":[\n {\"Effect\":\"Allow\",\"Action\":\"bedrock:InvokeModel\"}]}",
    )
    .unwrap();
    assert_eq!(p.statements[0].resource, ResourceMatch::Absent);
    assert_eq!(p.warnings.len(), 1);
    assert!(p.warnings[0]
        .message
        .contains("neither Resource nor NotResource"));
    assert_eq!((p.warnings[0].span.line, p.warnings[0].span.column), (2, 2));
}

#[test]
fn other_warnings() {
    let p = parse_policy(
        r#"{"Statement":[{"Effect":"Allow","Action":"InvokeModel","Resource":"*"}],"Comment":"x"}"#,
    )
    .unwrap();
    let messages: Vec<&str> = p.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].contains("unknown policy element \"Comment\""));
    assert!(messages[1].starts_with("no Version"));
    assert!(messages[2].contains("no service prefix"));
    assert_eq!(p.warnings[2].span, span(1, 42, 13));
}

fn error(text: &str) -> Error {
    match parse_policy(text) {
        Err(e) => e,
        Ok(p) => panic!("expected an error, got {p:?}"),
    }
}

fn policy_error(text: &str) -> (usize, usize, String) {
    match error(text) {
        Error::Policy {
            line,
            column,
            message,
        } => (line, column, message),
        other => panic!("expected a policy error, got {other:?}"),
    }
}

#[test]
fn broken_json_error_positions() {
    let e = error("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}");
    assert_eq!(
        e,
        Error::Json {
            line: 4,
            column: 24,
            message: "trailing comma before `}`".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "4:24: invalid JSON: trailing comma before `}`"
    );
    let e = error("{\"Statement\": [\n  {\"Effect\": \"Allow\"\n   \"Action\": \"*\"}]}");
    assert_eq!((e.line(), e.column()), (3, 4));
    assert!(e.to_string().contains("expected `,` or `}`"), "{e}");
    let e = error("{\"Statement\": \"abc");
    assert_eq!((e.line(), e.column()), (1, 15));
    assert!(e.to_string().ends_with("unterminated string"));
    let e = error("{\"Statement\": [] /* comment */}");
    assert_eq!((e.line(), e.column()), (1, 18));
}

#[test]
fn effect_must_be_allow_or_deny() {
    let (line, column, message) = policy_error(
        "{\"Statement\": {\n  \"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}}",
    );
    assert_eq!((line, column), (2, 13));
    assert_eq!(
        message,
        "Effect must be \"Allow\" or \"Deny\", found \"allow\""
    );
    let (_, _, message) = policy_error(r#"{"Statement": {"Action": "*", "Resource": "*"}}"#);
    assert_eq!(message, "statement has no Effect");
    let (_, column, message) =
        policy_error(r#"{"Statement": {"Effect": true, "Action": "*", "Resource": "*"}}"#);
    assert_eq!(column, 26);
    assert_eq!(message, "Effect must be a string, found a boolean");
}

#[test]
fn action_and_not_action_both_or_neither() {
    let (line, column, message) = policy_error(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "iam:*", "Resource": "*"}}"#,
    );
    assert_eq!((line, column), (1, 50));
    assert_eq!(message, "statement has both Action and NotAction");
    let (_, column, message) =
        policy_error(r#"{"Statement": [{"Effect": "Allow", "Resource": "*"}]}"#);
    assert_eq!(column, 16);
    assert_eq!(message, "statement has neither Action nor NotAction");
    let (_, _, message) = policy_error(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"}}"#,
    );
    assert_eq!(message, "statement has both Resource and NotResource");
    let (_, _, message) =
        policy_error(r#"{"Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}"#);
    assert_eq!(message, "Action must not be empty");
}

#[test]
fn duplicate_keys_are_errors_with_position() {
    let e = error("{\"Statement\": {\n  \"Effect\": \"Allow\",\n  \"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}}");
    assert_eq!(
        e,
        Error::DuplicateKey {
            key: "Effect".into(),
            line: 3,
            column: 3
        }
    );
    assert_eq!(e.to_string(), "3:3: duplicate key \"Effect\"");
    // Inside a condition block too.
    let e = error(
        r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false", "aws:SecureTransport": "true"}}}}"#,
    );
    assert!(
        matches!(e, Error::DuplicateKey { ref key, column: 121, .. } if key == "aws:SecureTransport"),
        "{e:?}"
    );
}

#[test]
fn other_structure_errors() {
    let (_, column, message) =
        policy_error(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resources": "*"}}"#);
    assert_eq!(column, 50);
    assert!(
        message.starts_with("unknown statement element \"Resources\""),
        "{message}"
    );
    let (_, _, message) = policy_error(r#"{"Version": "2012-10-18", "Statement": []}"#);
    assert!(message.starts_with("unsupported Version \"2012-10-18\""));
    let (_, _, message) = policy_error(r#"{"Statement": "Allow everything"}"#);
    assert_eq!(
        message,
        "Statement must be an object or an array of objects, found a string"
    );
    let (_, _, message) =
        policy_error(r#"{"Statement": {"Effect": "Allow", "Action": [1], "Resource": "*"}}"#);
    assert_eq!(
        message,
        "each Action entry must be a string, found a number"
    );
    let (_, column, message) = policy_error(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"k": null}}}}"#,
    );
    assert_eq!(column, 103);
    assert!(message.starts_with("a condition value must be a string, number or boolean"));
    let (_, _, message) = policy_error(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": "k"}}}"#,
    );
    assert_eq!(
        message,
        "a condition operator block must be an object, found a string"
    );
    let (_, _, message) = policy_error(r#"{"Version": "2012-10-17"}"#);
    assert!(message.starts_with("expected a policy document"));
    let (_, _, message) = policy_error("[1, 2]");
    assert!(message.starts_with("expected a policy document"));
}

const GET_ROLE_POLICY: &str = r#"{
    "RoleName": "assistant",
    "PolicyName": "bedrock",
    "PolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "bedrock:InvokeModel",
                "Resource": "*"
            }
        ]
    }
}"#;

#[test]
fn find_policies_in_get_role_policy_output() {
    let found = find_policies(GET_ROLE_POLICY).unwrap();
    assert_eq!(found.len(), 1);
    let p = &found[0];
    assert_eq!(p.path, "PolicyDocument");
    assert_eq!((p.span.line, p.span.column), (4, 23));
    assert_eq!(p.statements[0].span.line, 7);
    assert_eq!(
        list(&p.statements[0].action),
        [("bedrock:InvokeModel", span(9, 27, 21))]
    );
}

#[test]
fn find_policies_decodes_url_encoded_documents() {
    // What the IAM API (and `aws iam get-role-policy --no-cli-auto-prompt` via raw
    // API tools) returns: the document as a URL-encoded string.
    let text = "{\n  \"RoleName\": \"assistant\",\n  \"PolicyDocument\": \"%7B%22Version%22%3A%20%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22bedrock%3AInvokeModel%22%2C%22Resource%22%3A%22arn%3Aaws%3Abedrock%3A%2A%3A%3Afoundation-model%2F%2A%22%7D%5D%7D\"\n}";
    let found = find_policies(text).unwrap();
    assert_eq!(found.len(), 1);
    let p = &found[0];
    assert_eq!(p.path, "PolicyDocument");
    let s = &p.statements[0];
    let (resource, at) = resources(&s.resource)[0];
    assert_eq!(resource, "arn:aws:bedrock:*::foundation-model/*");
    // Every position points at the string literal.
    assert_eq!((at.line, at.column), (3, 21));
    assert_eq!((s.span.line, s.span.column), (3, 21));
    assert_eq!(p.span, at);

    // A plain URL-encoded document as the whole input.
    let p = parse_policy("%7B%22Statement%22%3A%7B%22Effect%22%3A%22Deny%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D").unwrap();
    assert_eq!(p.statements[0].effect, Effect::Deny);

    // Errors inside an embedded document point at the string, with the inner position.
    let e = find_policies(
        "{\"PolicyDocument\": \"%7B%22Statement%22%3A%7B%22Effect%22%3A%22Maybe%22%7D%7D\"}",
    )
    .unwrap_err();
    assert_eq!((e.line(), e.column()), (1, 20));
    assert!(
        e.to_string()
            .contains("Effect must be \"Allow\" or \"Deny\", found \"Maybe\""),
        "{e}"
    );
    assert!(e.to_string().contains("at its line 1, column 24"), "{e}");
}

#[test]
fn find_policies_in_get_policy_version_output() {
    let text = r#"{"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["bedrock:*"], "Resource": "*"}]}, "VersionId": "v3", "IsDefaultVersion": true}}"#;
    let found = find_policies(text).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "PolicyVersion.Document");
    assert_eq!(found[0].span.column, 32);
}

const CLOUDFORMATION: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "TaskRole": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        },
        "Policies": [
          {
            "PolicyName": "bedrock",
            "PolicyDocument": {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Action": ["bedrock:InvokeModel"],
                  "Resource": [
                    {"Fn::Sub": "arn:aws:bedrock:${AWS::Region}::foundation-model/*"},
                    {"Fn::GetAtt": ["Profile", "Arn"]},
                    {"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Bucket"}, "/*"]]}
                  ]
                }
              ]
            }
          }
        ]
      }
    }
  }
}"#;

#[test]
fn find_policies_in_cloudformation() {
    let found = find_policies(CLOUDFORMATION).unwrap();
    assert_eq!(found.len(), 2);
    let trust = &found[0];
    assert_eq!(
        trust.path,
        "Resources.TaskRole.Properties.AssumeRolePolicyDocument"
    );
    assert!(trust.statements[0].principal.is_some());
    assert_eq!(trust.statements[0].resource, ResourceMatch::Absent);
    assert!(trust.warnings[0].message.contains("Principal"));

    let p = &found[1];
    assert_eq!(
        p.path,
        "Resources.TaskRole.Properties.Policies[0].PolicyDocument"
    );
    let r = resources(&p.statements[0].resource);
    assert_eq!(
        r.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
        [
            "arn:aws:bedrock:${AWS::Region}::foundation-model/*",
            "${Profile.Arn}",
            "arn:aws:s3:::${Bucket}/*"
        ]
    );
    assert_eq!(r[0].1, span(21, 21, 65));
}

#[test]
fn find_policies_in_terraform_json_with_json_strings() {
    let text = r#"{"resource": {"aws_iam_role_policy": {"bedrock": {"role": "x",
        "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"bedrock:InvokeModel\",\"Resource\":\"*\"}]}"}}},
      "other": "{not json at all", "notes": ["plain", 1, null, true]}"#;
    let found = find_policies(text).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "resource.aws_iam_role_policy.bedrock.policy");
    assert_eq!((found[0].span.line, found[0].span.column), (2, 19));
    assert!(find_policies(r#"{"a": [1, {"b": "c"}]}"#)
        .unwrap()
        .is_empty());
}

#[test]
fn find_policies_finds_several_in_order() {
    let text = r#"[{"Statement": {"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}},
                  {"x": {"Statement": [{"Sid": "B", "Effect": "Deny", "Action": "*", "Resource": "*"}]}}]"#;
    let found = find_policies(text).unwrap();
    let sids: Vec<_> = found
        .iter()
        .map(|p| p.statements[0].sid().unwrap())
        .collect();
    assert_eq!(sids, ["A", "B"]);
    assert_eq!(found[0].path, "[0]");
    assert_eq!(found[1].path, "[1].x");
}

#[test]
fn rendering_a_statement() {
    let p = parse_policy(POSITIONS).unwrap();
    assert_eq!(
        p.statements[1].to_json_pretty(),
        r#"{
  "Effect": "Deny",
  "NotAction": "bédrock:*",
  "NotResource": "*",
  "Condition": {
    "StringNotEquals": {
      "aws:RequestedRegion": [
        "ap-northeast-1",
        "ap-northeast-3"
      ]
    }
  }
}"#
    );
    let mut fix = Statement::new(
        Effect::Allow,
        &[
            "bedrock:InvokeModel",
            "bedrock:InvokeModelWithResponseStream",
        ],
        &["arn:aws:bedrock:*::foundation-model/\"quoted\""],
    );
    fix.sid = Some(iampolicy::Spanned::new("Fix".to_string()));
    assert_eq!(
        fix.to_json_pretty(),
        r#"{
  "Sid": "Fix",
  "Effect": "Allow",
  "Action": [
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream"
  ],
  "Resource": "arn:aws:bedrock:*::foundation-model/\"quoted\""
}"#
    );
}

#[test]
fn rendered_policy_parses_back_to_the_same_statements() {
    let p = parse_policy(POSITIONS).unwrap();
    let again = parse_policy(&p.to_json_pretty()).unwrap();
    assert_eq!(again.statements.len(), 2);
    for (a, b) in p.statements.iter().zip(&again.statements) {
        assert_eq!(a.effect, b.effect);
        assert_eq!(a.sid(), b.sid());
        let values = |a: &ActionMatch| {
            list(a)
                .into_iter()
                .map(|(v, _)| v.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(values(&a.action), values(&b.action));
        assert_eq!(
            resources(&a.resource)
                .iter()
                .map(|r| r.0)
                .collect::<Vec<_>>(),
            resources(&b.resource)
                .iter()
                .map(|r| r.0)
                .collect::<Vec<_>>()
        );
        let conditions = |s: &Statement| {
            s.conditions
                .iter()
                .map(|c| {
                    let values: Vec<String> = c.values.iter().map(|v| v.value.clone()).collect();
                    (c.operator.clone(), c.key.clone(), values)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(conditions(a), conditions(b));
    }
}

#[test]
fn model_serializes_to_json() {
    let p = parse_policy(POSITIONS).unwrap();
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v["statements"][0]["effect"], "Allow");
    assert_eq!(v["statements"][0]["sid"]["value"], "Invoke");
    assert_eq!(v["statements"][0]["span"]["line"], 4);
    assert_eq!(
        v["statements"][0]["action"]["Action"][1]["span"]["column"],
        41
    );
    assert_eq!(
        v["statements"][1]["conditions"][0]["operator"],
        "StringNotEquals"
    );
}

/// A tiny deterministic generator, so the robustness tests need no dependency.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn never_panics_on_truncated_or_garbage_input() {
    let samples = [POSITIONS, GET_ROLE_POLICY, CLOUDFORMATION];
    for sample in samples {
        let chars: Vec<char> = sample.chars().collect();
        for cut in 0..chars.len() {
            let prefix: String = chars[..cut].iter().collect();
            let _ = parse_policy(&prefix);
            let _ = find_policies(&prefix);
        }
    }
    // Random mutations of a valid policy, and random strings over JSON-ish alphabets.
    let alphabet: Vec<char> = "{}[]:,\"\\ /*?$%7Bu0aé\n\ttrue-1.e+".chars().collect();
    let mut rng = Lcg(42);
    let base: Vec<char> = POSITIONS.chars().collect();
    for _ in 0..3000 {
        let mut text = base.clone();
        for _ in 0..(1 + rng.next() % 4) {
            let at = (rng.next() as usize) % text.len();
            let c = alphabet[(rng.next() as usize) % alphabet.len()];
            match rng.next() % 3 {
                0 => text[at] = c,
                1 => text.insert(at, c),
                _ => {
                    text.remove(at);
                }
            }
        }
        let text: String = text.into_iter().collect();
        let _ = parse_policy(&text);
        let _ = find_policies(&text);
    }
    for _ in 0..3000 {
        let len = (rng.next() % 60) as usize;
        let text: String = (0..len)
            .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
            .collect();
        let _ = parse_policy(&text);
        let _ = find_policies(&text);
    }
    // Pathological shapes.
    let deep = "[".repeat(50_000) + &"]".repeat(50_000);
    assert!(find_policies(&deep).is_err());
    assert!(parse_policy("\"%7B\"").is_err());
    assert!(find_policies("%7").is_err());
    assert!(find_policies("%7B%").is_err());
    assert!(find_policies("\"%7B%22Statement%22%3A%\"").is_err());
    assert!(find_policies("\"\\ud83d\"").is_err());
    assert!(find_policies("{\"a\": \"%7B%7B%7B\"}").unwrap().is_empty());
}

#[test]
fn documents_embedded_twice_are_found_and_nesting_is_bounded() {
    let inner = r#"{"PolicyDocument": "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D"}"#;
    let text = format!(
        "{{\n  \"payload\": {}\n}}",
        serde_json::to_string(inner).unwrap()
    );
    let found = find_policies(&text).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "payload.PolicyDocument");
    assert_eq!((found[0].span.line, found[0].span.column), (2, 14));

    // Ten levels of JSON-in-a-string: only the first few are searched.
    let mut doc =
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#.to_string();
    for _ in 0..10 {
        doc = format!("{{\"s\": {}}}", serde_json::to_string(&doc).unwrap());
    }
    assert!(find_policies(&doc).unwrap().is_empty());
}

#[test]
fn span_displays_as_line_and_column() {
    assert_eq!(span(3, 7, 2).to_string(), "3:7");
}
