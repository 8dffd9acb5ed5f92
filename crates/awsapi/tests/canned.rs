//! Calls that moto does not implement (Bedrock control plane, IAM
//! SimulatePrincipalPolicy) and error replies, against a local canned HTTP
//! server that records each request. Every recorded request's SigV4
//! signature is recomputed from what arrived on the wire.

mod common;

use awsapi::{ContextEntry, Error, Phase};
use common::*;

const MODELS: &str = r#"{"modelSummaries":[
 {"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
  "modelId":"anthropic.claude-3-haiku-20240307-v1:0","modelName":"Claude 3 Haiku","providerName":"Anthropic",
  "inputModalities":["TEXT","IMAGE"],"outputModalities":["TEXT"],"responseStreamingSupported":true,
  "customizationsSupported":[],"inferenceTypesSupported":["ON_DEMAND"],
  "modelLifecycle":{"status":"LEGACY","startOfLifeTime":"2024-03-07T00:00:00Z"}},
 {"modelId":"anthropic.claude-sonnet-4-20250514-v1:0","inferenceTypesSupported":["INFERENCE_PROFILE"],
  "modelLifecycle":{"status":"ACTIVE"},"someFutureField":{"x":1}},
 {"modelName":"no id, skipped"}
]}"#;

#[test]
fn bedrock_list_foundation_models() {
    let server = CannedServer::start(|_| Canned::json(200, MODELS));
    let client = config_for(&server.url()).build().unwrap();
    let models = client.bedrock_list_foundation_models().unwrap();
    assert_eq!(models.len(), 2);
    assert_eq!(models[0].model_id, "anthropic.claude-3-haiku-20240307-v1:0");
    assert_eq!(models[0].inference_types_supported, ["ON_DEMAND"]);
    assert_eq!(models[0].lifecycle_status.as_deref(), Some("LEGACY"));
    assert_eq!(models[0].provider_name.as_deref(), Some("Anthropic"));
    assert_eq!(models[0].response_streaming_supported, Some(true));
    assert_eq!(models[1].inference_types_supported, ["INFERENCE_PROFILE"]);
    assert_eq!(models[1].lifecycle_status.as_deref(), Some("ACTIVE"));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.target, "/foundation-models");
    assert!(r.body.is_empty());
    assert_eq!(r.header("host"), Some(server.addr.to_string().as_str()));
    assert_eq!(r.header("x-amz-security-token"), Some(TOKEN));
    let auth = r.header("authorization").unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
        "{auth}"
    );
    assert!(
        auth.contains("SignedHeaders=host;x-amz-date;x-amz-security-token, Signature="),
        "{auth}"
    );
    let scope = verify_sigv4(r, SECRET);
    assert!(
        scope.ends_with("/us-east-1/bedrock/aws4_request"),
        "{scope}"
    );

    // Serialized results are what stackdoctor prints.
    let json = serde_json::to_value(&models[1]).unwrap();
    assert_eq!(json["inference_types_supported"][0], "INFERENCE_PROFILE");
}

#[test]
fn bedrock_get_foundation_model_encodes_the_id() {
    let server = CannedServer::start(|_| {
        Canned::json(
            200,
            r#"{"modelDetails":{"modelId":"amazon.nova-micro-v1:0","inferenceTypesSupported":["ON_DEMAND","INFERENCE_PROFILE"],"modelLifecycle":{"status":"ACTIVE"}}}"#,
        )
    });
    let client = config_for(&server.url()).build().unwrap();
    let m = client
        .bedrock_get_foundation_model("amazon.nova-micro-v1:0")
        .unwrap();
    assert_eq!(m.model_id, "amazon.nova-micro-v1:0");
    assert_eq!(m.inference_types_supported.len(), 2);
    let r = &server.requests()[0];
    // The colon travels encoded, as the SDKs send it; the signature covers the
    // double-encoded form (verify_sigv4 recomputes it from the wire path).
    assert_eq!(r.target, "/foundation-models/amazon.nova-micro-v1%3A0");
    verify_sigv4(r, SECRET);
}

#[test]
fn bedrock_list_inference_profiles_follows_next_token() {
    let server = CannedServer::start(|r| {
        let token = r
            .query_pairs()
            .into_iter()
            .find(|(k, _)| k == "nextToken")
            .map(|(_, v)| v);
        match token.as_deref() {
            None => Canned::json(
                200,
                r#"{"inferenceProfileSummaries":[{"inferenceProfileName":"US Claude 3 Haiku",
                 "inferenceProfileArn":"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
                 "inferenceProfileId":"us.anthropic.claude-3-haiku-20240307-v1:0","status":"ACTIVE","type":"SYSTEM_DEFINED",
                 "models":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"},
                           {"modelArn":"arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"}]}],
                 "nextToken":"page/2+=="}"#,
            ),
            Some("page/2+==") => Canned::json(
                200,
                r#"{"inferenceProfileSummaries":[{"inferenceProfileId":"global.anthropic.claude-sonnet-4-5-20250929-v1:0",
                 "models":[{"modelArn":"arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"}]}]}"#,
            ),
            Some(other) => Canned::json(400, &format!(r#"{{"message":"bad token {other}"}}"#)),
        }
    });
    let client = config_for(&server.url()).build().unwrap();
    let list = client.bedrock_list_inference_profiles().unwrap();
    assert!(!list.truncated);
    assert_eq!(list.profiles.len(), 2);
    let p = &list.profiles[0];
    assert_eq!(p.id, "us.anthropic.claude-3-haiku-20240307-v1:0");
    assert_eq!(p.profile_type.as_deref(), Some("SYSTEM_DEFINED"));
    assert_eq!(p.models.len(), 2);
    assert!(p.models[1].contains(":us-west-2::"));
    assert_eq!(
        list.profiles[1].models,
        ["arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"]
    );

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].target, "/inference-profiles?maxResults=1000");
    assert_eq!(
        reqs[1].target,
        "/inference-profiles?maxResults=1000&nextToken=page%2F2%2B%3D%3D"
    );
    for r in &reqs {
        verify_sigv4(r, SECRET);
    }
}

#[test]
fn paging_stops_at_the_page_limit() {
    let server = CannedServer::start(|_| {
        Canned::json(
            200,
            r#"{"inferenceProfileSummaries":[{"inferenceProfileId":"x"}],"nextToken":"again"}"#,
        )
    });
    let client = config_for(&server.url()).max_pages(3).build().unwrap();
    let list = client.bedrock_list_inference_profiles().unwrap();
    assert!(list.truncated);
    assert_eq!(list.profiles.len(), 3);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn bedrock_get_inference_profile() {
    let server = CannedServer::start(|_| {
        Canned::json(
            200,
            r#"{"inferenceProfileId":"apac.anthropic.claude-3-sonnet-20240229-v1:0","status":"ACTIVE","type":"SYSTEM_DEFINED",
                "models":[{"modelArn":"arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0"}]}"#,
        )
    });
    let client = config_for(&server.url()).build().unwrap();
    let p = client
        .bedrock_get_inference_profile("apac.anthropic.claude-3-sonnet-20240229-v1:0")
        .unwrap();
    assert_eq!(p.models.len(), 1);
    let r = &server.requests()[0];
    assert_eq!(
        r.target,
        "/inference-profiles/apac.anthropic.claude-3-sonnet-20240229-v1%3A0"
    );
    verify_sigv4(r, SECRET);
}

#[test]
fn bedrock_errors_keep_code_message_and_status() {
    let server = CannedServer::start(|_| {
        Canned::json(
            403,
            r#"{"message":"User: arn:aws:sts::123456789012:assumed-role/app/i-1 is not authorized to perform: bedrock:ListFoundationModels"}"#,
        )
        .header("x-amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.bedrock/")
        .header("x-amzn-RequestId", "req-123")
    });
    let client = config_for(&server.url()).build().unwrap();
    let e = client.bedrock_list_foundation_models().unwrap_err();
    assert_eq!(e.phase(), Phase::Api);
    assert_eq!(e.status(), Some(403));
    assert_eq!(e.code(), Some("AccessDeniedException"));
    match &e {
        Error::Api {
            message,
            request_id,
            operation,
            ..
        } => {
            assert!(message.contains("not authorized to perform"));
            assert_eq!(request_id.as_deref(), Some("req-123"));
            assert_eq!(operation, "bedrock:ListFoundationModels");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_garbled_success_is_a_parse_error() {
    let server = CannedServer::start(|_| Canned::json(200, "<html>captive portal</html>"));
    let client = config_for(&server.url()).build().unwrap();
    let e = client.bedrock_list_foundation_models().unwrap_err();
    assert_eq!(e.phase(), Phase::Parse);
    assert_eq!(e.status(), Some(200));
    let e = client.sts_get_caller_identity().unwrap_err();
    assert_eq!(e.phase(), Phase::Parse, "{e}");
}

#[test]
fn sts_errors_report_clock_skew() {
    // A server clock 20 minutes ahead of ours, refusing the signature.
    let server = CannedServer::start(|_| {
        let ahead = std::time::SystemTime::now() + std::time::Duration::from_secs(1200);
        Canned::xml(
            403,
            r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>
    <Message>Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T002000Z - 5 min.)</Message>
  </Error><RequestId>r-9</RequestId></ErrorResponse>"#,
        )
        .header("Date", &http_date(ahead))
    });
    let client = config_for(&server.url()).build().unwrap();
    let e = client.sts_get_caller_identity().unwrap_err();
    match &e {
        Error::Api {
            code,
            status,
            request_id,
            clock_skew_seconds,
            ..
        } => {
            assert_eq!(code.as_deref(), Some("SignatureDoesNotMatch"));
            assert_eq!(*status, 403);
            assert_eq!(request_id.as_deref(), Some("r-9"));
            let skew = clock_skew_seconds.unwrap();
            assert!((1195..=1205).contains(&skew), "{skew}");
        }
        other => panic!("{other:?}"),
    }
    let r = &server.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
    assert_eq!(r.form_value("Action").as_deref(), Some("GetCallerIdentity"));
    assert_eq!(r.form_value("Version").as_deref(), Some("2011-06-15"));
    let scope = verify_sigv4(r, SECRET);
    assert!(scope.ends_with("/us-east-1/sts/aws4_request"));
}

/// IMF-fixdate for a time, written independently of the crate's parser.
fn http_date(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date by stepping years and months: fine for test purposes.
    let (mut y, mut d) = (1970i64, days);
    loop {
        let len = if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
            366
        } else {
            365
        };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let months = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let names = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut m = 0;
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    format!(
        "{wd}, {:02} {} {y} {:02}:{:02}:{:02} GMT",
        d + 1,
        names[m],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

const SIMULATION_PAGE_1: &str = r#"<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <SimulatePrincipalPolicyResult>
    <IsTruncated>true</IsTruncated>
    <Marker>m-2</Marker>
    <EvaluationResults>
      <member>
        <EvalActionName>bedrock:InvokeModel</EvalActionName>
        <EvalResourceName>arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0</EvalResourceName>
        <EvalDecision>allowed</EvalDecision>
        <MatchedStatements>
          <member>
            <SourcePolicyId>bedrock-invoke</SourcePolicyId>
            <SourcePolicyType>role</SourcePolicyType>
            <StartPosition><Line>4</Line><Column>5</Column></StartPosition>
            <EndPosition><Line>8</Line><Column>6</Column></EndPosition>
          </member>
        </MatchedStatements>
        <MissingContextValues/>
        <ResourceSpecificResults>
          <member>
            <EvalResourceName>arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0</EvalResourceName>
            <EvalResourceDecision>allowed</EvalResourceDecision>
            <MatchedStatements><member><SourcePolicyId>bedrock-invoke</SourcePolicyId></member></MatchedStatements>
          </member>
        </ResourceSpecificResults>
      </member>
    </EvaluationResults>
  </SimulatePrincipalPolicyResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</SimulatePrincipalPolicyResponse>"#;

const SIMULATION_PAGE_2: &str = r#"<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <SimulatePrincipalPolicyResult>
    <IsTruncated>false</IsTruncated>
    <EvaluationResults>
      <member>
        <EvalActionName>bedrock:InvokeModelWithResponseStream</EvalActionName>
        <EvalResourceName>arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0</EvalResourceName>
        <EvalDecision>implicitDeny</EvalDecision>
        <MatchedStatements/>
        <MissingContextValues><member>aws:RequestedRegion</member></MissingContextValues>
        <PermissionsBoundaryDecisionDetail><AllowedByPermissionsBoundary>false</AllowedByPermissionsBoundary></PermissionsBoundaryDecisionDetail>
      </member>
    </EvaluationResults>
  </SimulatePrincipalPolicyResult>
</SimulatePrincipalPolicyResponse>"#;

#[test]
fn iam_simulate_principal_policy() {
    let server = CannedServer::start(|r| {
        if r.form_value("Marker").as_deref() == Some("m-2") {
            Canned::xml(200, SIMULATION_PAGE_2)
        } else {
            Canned::xml(200, SIMULATION_PAGE_1)
        }
    });
    let client = config_for(&server.url()).build().unwrap();
    let model =
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0";
    let out = client
        .iam_simulate_principal_policy_with_context(
            "arn:aws:iam::123456789012:role/app",
            &[
                "bedrock:InvokeModel",
                "bedrock:InvokeModelWithResponseStream",
            ],
            &[model],
            &[ContextEntry::string("aws:RequestedRegion", "us-east-1")],
        )
        .unwrap();
    assert!(!out.truncated);
    assert_eq!(out.results.len(), 2);
    let a = &out.results[0];
    assert_eq!(
        (a.action.as_str(), a.decision.as_str()),
        ("bedrock:InvokeModel", "allowed")
    );
    assert_eq!(a.resource, model);
    assert_eq!(
        a.matched_statements[0].source_policy_id.as_deref(),
        Some("bedrock-invoke")
    );
    assert_eq!(a.matched_statements[0].end.unwrap().line, 8);
    assert_eq!(a.resource_specific_results[0].decision, "allowed");
    assert!(a.missing_context_values.is_empty());
    let b = &out.results[1];
    assert_eq!(b.decision, "implicitDeny");
    assert_eq!(b.missing_context_values, ["aws:RequestedRegion"]);
    assert_eq!(b.allowed_by_permissions_boundary, Some(false));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let form = reqs[0].form();
    let want = [
        ("Action", "SimulatePrincipalPolicy"),
        ("Version", "2010-05-08"),
        ("PolicySourceArn", "arn:aws:iam::123456789012:role/app"),
        ("ActionNames.member.1", "bedrock:InvokeModel"),
        (
            "ActionNames.member.2",
            "bedrock:InvokeModelWithResponseStream",
        ),
        ("ResourceArns.member.1", model),
        (
            "ContextEntries.member.1.ContextKeyName",
            "aws:RequestedRegion",
        ),
        ("ContextEntries.member.1.ContextKeyType", "string"),
        (
            "ContextEntries.member.1.ContextKeyValues.member.1",
            "us-east-1",
        ),
    ];
    for (k, v) in want {
        assert!(
            form.contains(&(k.to_owned(), v.to_owned())),
            "{k}={v} missing from {form:?}"
        );
    }
    assert_eq!(reqs[1].form_value("Marker").as_deref(), Some("m-2"));
    for r in &reqs {
        let scope = verify_sigv4(r, SECRET);
        assert!(scope.ends_with("/iam/aws4_request"), "{scope}");
    }
}

#[test]
fn iam_errors_keep_the_code() {
    let server = CannedServer::start(|_| {
        Canned::xml(
            404,
            r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name app cannot be found.</Message></Error><RequestId>r</RequestId></ErrorResponse>"#,
        )
    });
    let client = config_for(&server.url()).build().unwrap();
    let e = client
        .iam_simulate_principal_policy("arn:aws:iam::123456789012:role/app", &["s3:GetObject"], &[])
        .unwrap_err();
    assert_eq!(e.code(), Some("NoSuchEntity"));
    assert_eq!(e.status(), Some(404));
    assert!(e.to_string().contains("cannot be found"));
    // No resources: no ResourceArns parameter.
    assert!(server.requests()[0]
        .form()
        .iter()
        .all(|(k, _)| !k.starts_with("ResourceArns")));
}

#[test]
fn error_output_never_contains_the_secret() {
    let server = CannedServer::start(|_| Canned::xml(500, "oops"));
    let client = config_for(&server.url()).build().unwrap();
    let e = client.sts_get_caller_identity().unwrap_err();
    for text in [
        e.to_string(),
        format!("{e:?}"),
        serde_json::to_string(&e).unwrap(),
        format!("{client:?}"),
        serde_json::to_string(&client.resolution()).unwrap(),
    ] {
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains(TOKEN), "{text}");
    }
}
