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

// ---- ECS (JSON 1.1) and ELBv2 (query) --------------------------------------

/// The JSON body of a recorded request.
fn json_body(r: &Recorded) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {:?}", r.body))
}

/// Checks the JSON 1.1 envelope of an ECS request and its signature.
fn assert_ecs_request(r: &Recorded, operation: &str) {
    assert_eq!(r.method, "POST");
    assert_eq!(r.target, "/");
    assert_eq!(
        r.header("x-amz-target"),
        Some(format!("AmazonEC2ContainerServiceV20141113.{operation}").as_str())
    );
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    let auth = r.header("authorization").expect("authorization header");
    assert!(
        auth.contains(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"
        ),
        "{auth}"
    );
    let scope = verify_sigv4(r, SECRET);
    assert!(scope.ends_with("/us-east-1/ecs/aws4_request"), "{scope}");
}

const ECS_SERVICES: &str = r#"{"services":[{"serviceArn":"arn:aws:ecs:us-east-1:123456789012:service/prod/web",
 "serviceName":"web","status":"ACTIVE","desiredCount":2,"runningCount":1,
 "deployments":[{"id":"ecs-svc/1","status":"PRIMARY","rolloutState":"IN_PROGRESS","failedTasks":3}],
 "events":[{"id":"e1","createdAt":1.7e9,"message":"(service web) is unable to consistently start tasks successfully."}]}],
 "failures":[{"arn":"arn:aws:ecs:us-east-1:123456789012:service/prod/gone","reason":"MISSING"}]}"#;

#[test]
fn ecs_describe_services() {
    let server = CannedServer::start(|_| {
        Canned::json(200, ECS_SERVICES).header("Content-Type", "application/x-amz-json-1.1")
    });
    let client = config_for(&server.url()).build().unwrap();
    let v = client
        .ecs_describe_services("prod", &["web", "gone"])
        .unwrap();
    assert_eq!(v["services"][0]["serviceName"], "web");
    assert_eq!(v["services"][0]["deployments"][0]["failedTasks"], 3);
    assert_eq!(v["failures"][0]["reason"], "MISSING");
    assert!(v.get("truncated").is_none());

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_ecs_request(&reqs[0], "DescribeServices");
    assert_eq!(
        json_body(&reqs[0]),
        serde_json::json!({"cluster": "prod", "services": ["web", "gone"]})
    );

    // No services: no call. An empty cluster: ECS's default cluster.
    let v = client
        .ecs_describe_services("prod", &[] as &[&str])
        .unwrap();
    assert_eq!(v, serde_json::json!({"services": [], "failures": []}));
    assert_eq!(server.requests().len(), 1);
    client.ecs_describe_services("", &["web"]).unwrap();
    assert_eq!(
        json_body(&server.requests()[1]),
        serde_json::json!({"services": ["web"]})
    );
}

#[test]
fn ecs_describe_services_chunks_by_ten() {
    let server = CannedServer::start(|r| {
        let asked = json_body(r)["services"].as_array().unwrap().clone();
        let services: Vec<_> = asked
            .iter()
            .map(|s| serde_json::json!({"serviceName": s}))
            .collect();
        Canned::json(
            200,
            &serde_json::json!({"services": services, "failures": []}).to_string(),
        )
    });
    let client = config_for(&server.url()).build().unwrap();
    let names: Vec<String> = (0..25).map(|i| format!("s{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let v = client.ecs_describe_services("c", &names).unwrap();
    let got: Vec<&str> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["serviceName"].as_str().unwrap())
        .collect();
    assert_eq!(got, names);
    let sizes: Vec<usize> = server
        .requests()
        .iter()
        .map(|r| json_body(r)["services"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [10, 10, 5]);
}

#[test]
fn ecs_list_tasks_follows_next_token() {
    let server = CannedServer::start(|r| match json_body(r)["nextToken"].as_str() {
        None => Canned::json(
            200,
            r#"{"taskArns":["arn:aws:ecs:us-east-1:123456789012:task/prod/a1","arn:aws:ecs:us-east-1:123456789012:task/prod/a2"],"nextToken":"t/2+=="}"#,
        ),
        Some("t/2+==") => Canned::json(
            200,
            r#"{"taskArns":["arn:aws:ecs:us-east-1:123456789012:task/prod/a3"]}"#,
        ),
        Some(other) => Canned::json(
            400,
            &format!(r#"{{"__type":"InvalidParameterException","message":"bad token {other}"}}"#),
        ),
    });
    let client = config_for(&server.url()).build().unwrap();
    let arns = client
        .ecs_list_tasks("prod", "web", Some("STOPPED"))
        .unwrap();
    assert_eq!(arns.len(), 3);
    assert!(arns[2].ends_with("/a3"));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_ecs_request(r, "ListTasks");
    }
    assert_eq!(
        json_body(&reqs[0]),
        serde_json::json!({"cluster": "prod", "serviceName": "web", "desiredStatus": "STOPPED", "maxResults": 100})
    );
    assert_eq!(json_body(&reqs[1])["nextToken"], "t/2+==");
    assert_eq!(json_body(&reqs[1])["desiredStatus"], "STOPPED");

    // No status, no service: neither field is sent.
    client.ecs_list_tasks("prod", "", None).unwrap();
    let body = json_body(&server.requests()[2]);
    assert!(body.get("desiredStatus").is_none() && body.get("serviceName").is_none());
}

#[test]
fn ecs_list_paging_stops_at_the_page_limit() {
    let server = CannedServer::start(|r| {
        let n = json_body(r)["nextToken"]
            .as_str()
            .map_or(0, |t| t.parse::<u32>().unwrap());
        Canned::json(
            200,
            &format!(
                r#"{{"taskDefinitionArns":["td:{n}"],"nextToken":"{}"}}"#,
                n + 1
            ),
        )
    });
    let client = config_for(&server.url()).max_pages(4).build().unwrap();
    let arns = client.ecs_list_task_definitions("web", None, true).unwrap();
    assert_eq!(arns, ["td:0", "td:1", "td:2", "td:3"]);
    assert_eq!(server.requests().len(), 4);
    let arns = client.ecs_list_tasks("c", "s", None).unwrap();
    assert!(arns.is_empty(), "no taskArns key: nothing, no error");
}

#[test]
fn ecs_list_task_definitions_request() {
    let server = CannedServer::start(|_| {
        Canned::json(
            200,
            r#"{"taskDefinitionArns":["arn:aws:ecs:us-east-1:123456789012:task-definition/web:7","arn:aws:ecs:us-east-1:123456789012:task-definition/web:6"]}"#,
        )
    });
    let client = config_for(&server.url()).build().unwrap();
    let arns = client
        .ecs_list_task_definitions("web", Some("ACTIVE"), true)
        .unwrap();
    assert_eq!(arns.len(), 2);
    assert!(arns[0].ends_with("web:7"));
    client.ecs_list_task_definitions("", None, false).unwrap();
    let reqs = server.requests();
    assert_ecs_request(&reqs[0], "ListTaskDefinitions");
    assert_eq!(
        json_body(&reqs[0]),
        serde_json::json!({"familyPrefix": "web", "status": "ACTIVE", "sort": "DESC", "maxResults": 100})
    );
    assert_eq!(
        json_body(&reqs[1]),
        serde_json::json!({"sort": "ASC", "maxResults": 100})
    );
}

#[test]
fn ecs_describe_tasks_chunks_and_merges() {
    let server = CannedServer::start(|r| {
        let asked = json_body(r)["tasks"].as_array().unwrap().clone();
        // The first task of each chunk is "missing"; the rest are described.
        let failures = vec![serde_json::json!({"arn": asked[0], "reason": "MISSING"})];
        let tasks: Vec<_> = asked[1..]
            .iter()
            .map(|t| serde_json::json!({"taskArn": t, "lastStatus": "STOPPED", "stopCode": "EssentialContainerExited"}))
            .collect();
        Canned::json(
            200,
            &serde_json::json!({"tasks": tasks, "failures": failures}).to_string(),
        )
    });
    let client = config_for(&server.url()).build().unwrap();
    let arns: Vec<String> = (0..250)
        .map(|i| format!("arn:aws:ecs:us-east-1:123456789012:task/prod/{i:032x}"))
        .collect();
    // Owned strings as a caller gets them from ecs_list_tasks.
    let v = client.ecs_describe_tasks("prod", &arns).unwrap();
    assert_eq!(v["tasks"].as_array().unwrap().len(), 247);
    assert_eq!(v["failures"].as_array().unwrap().len(), 3);
    assert_eq!(v["failures"][1]["arn"], arns[100]);
    assert_eq!(v["tasks"][0]["stopCode"], "EssentialContainerExited");
    assert!(v.get("truncated").is_none());
    let reqs = server.requests();
    let sizes: Vec<usize> = reqs
        .iter()
        .map(|r| json_body(r)["tasks"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
    for r in &reqs {
        assert_ecs_request(r, "DescribeTasks");
        assert_eq!(json_body(r)["cluster"], "prod");
    }

    // The call limit caps the chunks, and the reply says so.
    let client = config_for(&server.url()).max_pages(2).build().unwrap();
    let v = client.ecs_describe_tasks("prod", &arns).unwrap();
    assert_eq!(v["truncated"], true);
    assert_eq!(v["tasks"].as_array().unwrap().len(), 198);
    assert_eq!(server.requests().len(), 5);

    // Nothing to describe: no call.
    let v = client.ecs_describe_tasks("prod", &[] as &[&str]).unwrap();
    assert_eq!(v, serde_json::json!({"tasks": [], "failures": []}));
    assert_eq!(server.requests().len(), 5);
}

#[test]
fn ecs_describe_task_definition() {
    let server = CannedServer::start(|_| {
        Canned::json(
            200,
            r#"{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:7",
              "family":"web","revision":7,"networkMode":"awsvpc","cpu":"256","memory":"512",
              "containerDefinitions":[{"name":"app","image":"nginx","portMappings":[{"containerPort":80,"protocol":"tcp"}]}]}}"#,
        )
    });
    let client = config_for(&server.url()).build().unwrap();
    let v = client.ecs_describe_task_definition("web:7").unwrap();
    assert_eq!(v["taskDefinition"]["revision"], 7);
    assert_eq!(
        v["taskDefinition"]["containerDefinitions"][0]["portMappings"][0]["containerPort"],
        80
    );
    let r = &server.requests()[0];
    assert_ecs_request(r, "DescribeTaskDefinition");
    assert_eq!(json_body(r), serde_json::json!({"taskDefinition": "web:7"}));
}

#[test]
fn ecs_client_exception_becomes_an_api_error() {
    let server = CannedServer::start(|r| {
        if r.header("x-amz-target")
            .is_some_and(|t| t.ends_with(".DescribeTaskDefinition"))
        {
            Canned::json(
                400,
                r#"{"__type":"com.amazonaws.ecs#ClientException","message":"Unable to describe task definition."}"#,
            )
            .header("x-amzn-RequestId", "req-ecs-1")
        } else {
            Canned::json(
                400,
                r#"{"__type":"ClusterNotFoundException","Message":"Cluster not found."}"#,
            )
        }
    });
    let client = config_for(&server.url()).build().unwrap();
    let e = client.ecs_describe_task_definition("nope").unwrap_err();
    assert_eq!(e.phase(), Phase::Api);
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.code(), Some("ClientException"));
    match &e {
        Error::Api {
            operation,
            message,
            request_id,
            ..
        } => {
            assert_eq!(operation, "ecs:DescribeTaskDefinition");
            assert_eq!(message, "Unable to describe task definition.");
            assert_eq!(request_id.as_deref(), Some("req-ecs-1"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.to_string(),
        "ecs:DescribeTaskDefinition: HTTP 400 ClientException: Unable to describe task definition."
    );
    // `Message` with a capital M, and a paginated call fails on its first page.
    let e = client.ecs_list_tasks("nope", "", None).unwrap_err();
    assert_eq!(e.code(), Some("ClusterNotFoundException"));
    assert!(e.to_string().ends_with("Cluster not found."), "{e}");
    let e = client.ecs_describe_tasks("nope", &["t"]).unwrap_err();
    assert_eq!(e.code(), Some("ClusterNotFoundException"));
}

#[test]
fn ecs_garbled_success_is_a_parse_error() {
    let server = CannedServer::start(|r| {
        if r.header("x-amz-target")
            .is_some_and(|t| t.ends_with(".ListTasks"))
        {
            Canned::json(200, r#"{"taskArns":"not a list"}"#)
        } else {
            Canned::json(200, "[1,2]")
        }
    });
    let client = config_for(&server.url()).build().unwrap();
    let e = client.ecs_list_tasks("c", "", None).unwrap_err();
    assert_eq!(e.phase(), Phase::Parse, "{e}");
    let e = client.ecs_describe_task_definition("x").unwrap_err();
    assert_eq!(e.phase(), Phase::Parse, "{e}");
}

#[test]
fn raw_json_signs_and_returns_the_reply() {
    let server = CannedServer::start(|_| {
        Canned::json(
            200,
            r#"{"cluster":{"clusterName":"prod","status":"ACTIVE"}}"#,
        )
    });
    let client = config_for(&server.url()).build().unwrap();
    let v = client
        .raw_json(
            awsapi::Service::Ecs,
            "CreateCluster",
            &serde_json::json!({"clusterName": "prod"}),
        )
        .unwrap();
    assert_eq!(v["cluster"]["status"], "ACTIVE");
    let r = &server.requests()[0];
    assert_ecs_request(r, "CreateCluster");
    assert_eq!(json_body(r), serde_json::json!({"clusterName": "prod"}));
    // A service without a JSON protocol is a configuration error, not a call.
    let e = client
        .raw_json(
            awsapi::Service::Sts,
            "GetCallerIdentity",
            &serde_json::json!({}),
        )
        .unwrap_err();
    assert_eq!(e.phase(), Phase::Config);
    assert_eq!(server.requests().len(), 1);
}

const TARGET_HEALTH: &str = r#"<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeTargetHealthResult>
    <TargetHealthDescriptions>
      <member>
        <HealthCheckPort>traffic-port</HealthCheckPort>
        <TargetHealth><State>healthy</State></TargetHealth>
        <Target><Id>10.0.1.10</Id><Port>8080</Port><AvailabilityZone>us-east-1a</AvailabilityZone></Target>
      </member>
      <member>
        <HealthCheckPort>8081</HealthCheckPort>
        <TargetHealth>
          <State>unhealthy</State>
          <Reason>Target.ResponseCodeMismatch</Reason>
          <Description>Health checks failed with these codes: [404]</Description>
        </TargetHealth>
        <Target><Id>10.0.2.11</Id><Port>8080</Port></Target>
      </member>
      <member>
        <TargetHealth><State>unavailable</State><Reason>Target.HealthCheckDisabled</Reason></TargetHealth>
        <Target><Id>arn:aws:lambda:us-east-1:123456789012:function:f</Id></Target>
      </member>
    </TargetHealthDescriptions>
  </DescribeTargetHealthResult>
  <ResponseMetadata><RequestId>r-elb</RequestId></ResponseMetadata>
</DescribeTargetHealthResponse>"#;

#[test]
fn elbv2_describe_target_health() {
    let server = CannedServer::start(|_| Canned::xml(200, TARGET_HEALTH));
    let client = config_for(&server.url()).build().unwrap();
    let tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
    let targets = client.elbv2_describe_target_health(tg).unwrap();
    assert_eq!(
        targets,
        [
            awsapi::TargetHealthDescription {
                target_id: "10.0.1.10".into(),
                port: Some(8080),
                health_check_port: Some("traffic-port".into()),
                state: "healthy".into(),
                reason: None,
                description: None,
            },
            awsapi::TargetHealthDescription {
                target_id: "10.0.2.11".into(),
                port: Some(8080),
                health_check_port: Some("8081".into()),
                state: "unhealthy".into(),
                reason: Some("Target.ResponseCodeMismatch".into()),
                description: Some("Health checks failed with these codes: [404]".into()),
            },
            awsapi::TargetHealthDescription {
                target_id: "arn:aws:lambda:us-east-1:123456789012:function:f".into(),
                port: None,
                health_check_port: None,
                state: "unavailable".into(),
                reason: Some("Target.HealthCheckDisabled".into()),
                description: None,
            },
        ]
    );
    let r = &server.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.target, "/");
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
    assert!(r.header("x-amz-target").is_none());
    assert_eq!(
        r.form(),
        [
            ("Action".to_owned(), "DescribeTargetHealth".to_owned()),
            ("Version".to_owned(), "2015-12-01".to_owned()),
            ("TargetGroupArn".to_owned(), tg.to_owned()),
        ]
    );
    let scope = verify_sigv4(r, SECRET);
    assert!(
        scope.ends_with("/us-east-1/elasticloadbalancing/aws4_request"),
        "{scope}"
    );
}

#[test]
fn elbv2_errors_keep_the_code() {
    let server = CannedServer::start(|_| {
        Canned::xml(
            400,
            r#"<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>One or more target groups not found</Message></Error><RequestId>r-tg</RequestId></ErrorResponse>"#,
        )
    });
    let client = config_for(&server.url()).build().unwrap();
    let e = client.elbv2_describe_target_health("arn:x").unwrap_err();
    assert_eq!(e.code(), Some("TargetGroupNotFound"));
    assert!(e
        .to_string()
        .starts_with("elasticloadbalancing:DescribeTargetHealth: HTTP 400 TargetGroupNotFound"));
    // A 200 without the result element is a parse error, not an empty list.
    let server = CannedServer::start(|_| Canned::xml(200, "<Other/>"));
    let client = config_for(&server.url()).build().unwrap();
    let e = client.elbv2_describe_target_health("arn:x").unwrap_err();
    assert_eq!(e.phase(), Phase::Parse, "{e}");
}

#[test]
fn ecs_replies_are_under_the_body_cap() {
    let big = format!(
        r#"{{"taskDefinition":{{"family":"web","padding":"{}"}}}}"#,
        "x".repeat(5000)
    );
    let server = CannedServer::start(move |_| Canned::json(200, &big));
    let client = config_for(&server.url())
        .max_body_bytes(4096)
        .build()
        .unwrap();
    let e = client.ecs_describe_task_definition("web").unwrap_err();
    assert!(
        matches!(&e, Error::BodyTooLarge { limit: 4096, status: 200, operation, .. } if operation == "ecs:DescribeTaskDefinition"),
        "{e:?}"
    );
}
