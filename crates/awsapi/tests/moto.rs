//! End-to-end calls against a real moto server (`pip install 'moto[server]'`).
//! Without moto these tests fail with install instructions, unless
//! `STACKDOCTOR_SKIP_MOTO=1`.

mod common;

use awsapi::{ClientConfig, CredentialsSource, Environment, Phase, Service};
use common::*;

fn tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))?;
    Some(&xml[start..start + end])
}

#[test]
fn sts_get_caller_identity() {
    let Some(moto) = Moto::start() else { return };
    // Configured purely through the environment, as in a container.
    let client = ClientConfig::new()
        .environment(Environment::from_vars([
            ("AWS_ACCESS_KEY_ID", "AKIATESTMOTO0000"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_SESSION_TOKEN", "testing-token"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
        ]))
        .use_env_proxy(false)
        .build()
        .unwrap();
    let how = client.resolution();
    assert_eq!(how.credentials_source, CredentialsSource::Environment);
    assert_eq!(client.endpoint(Service::Sts).url(), moto.url);
    assert!(client
        .endpoint(Service::Ec2)
        .url()
        .starts_with("https://ec2.us-east-1."));

    let me = client.sts_get_caller_identity().unwrap();
    assert_eq!(me.account, "123456789012");
    assert!(
        me.arn.starts_with("arn:aws:sts::123456789012:"),
        "{}",
        me.arn
    );
    assert!(!me.user_id.is_empty());
    assert!(me.server_date.is_some(), "moto sends a Date header");
    let skew = me.clock_skew_seconds.unwrap();
    assert!(skew.abs() <= 5, "skew against a local server: {skew}");
}

#[test]
fn ec2_metadata_options_round_trip() {
    let Some(moto) = Moto::start() else { return };
    let client = ClientConfig::new()
        .environment(Environment::from_vars(Vec::<(String, String)>::new()))
        .region("us-east-1")
        .credentials(awsapi::Credentials::new(
            "AKIATESTMOTO0000",
            "testing",
            None,
        ))
        .endpoint_url(&moto.url)
        .use_env_proxy(false)
        .build()
        .unwrap();

    // An instance profile for the instance (IAM through the same endpoint).
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    client
        .raw_query(
            Service::Iam,
            "CreateRole",
            &[
                ("RoleName", "app-role"),
                ("AssumeRolePolicyDocument", trust),
            ],
        )
        .unwrap();
    let created = client
        .raw_query(
            Service::Iam,
            "CreateInstanceProfile",
            &[("InstanceProfileName", "app-profile")],
        )
        .unwrap();
    let profile_arn = tag(&created, "Arn").unwrap().to_owned();
    client
        .raw_query(
            Service::Iam,
            "AddRoleToInstanceProfile",
            &[
                ("InstanceProfileName", "app-profile"),
                ("RoleName", "app-role"),
            ],
        )
        .unwrap();

    let run = client
        .raw_query(
            Service::Ec2,
            "RunInstances",
            &[
                ("ImageId", "ami-12c6146b"),
                ("MinCount", "1"),
                ("MaxCount", "1"),
                ("InstanceType", "t3.micro"),
                ("IamInstanceProfile.Name", "app-profile"),
            ],
        )
        .unwrap();
    let id = tag(&run, "instanceId")
        .expect("instanceId in RunInstances reply")
        .to_owned();

    let before = client.ec2_describe_instance(&id).unwrap();
    assert_eq!(before.instance_id, id);
    assert_eq!(before.region, "us-east-1");
    assert!(
        before
            .availability_zone
            .as_deref()
            .is_some_and(|az| az.starts_with("us-east-1")),
        "{before:?}"
    );
    assert_eq!(
        before.iam_instance_profile_arn.as_deref(),
        Some(profile_arn.as_str())
    );
    let opts = before.metadata_options.expect("metadataOptions");
    assert_eq!(opts.http_put_response_hop_limit, Some(1));
    assert_eq!(opts.http_endpoint.as_deref(), Some("enabled"));
    assert!(opts.http_tokens.is_some());
    assert!(opts.state.is_some());

    client
        .raw_query(
            Service::Ec2,
            "ModifyInstanceMetadataOptions",
            &[
                ("InstanceId", &id),
                ("HttpPutResponseHopLimit", "2"),
                ("HttpTokens", "required"),
            ],
        )
        .unwrap();
    let after = client.ec2_describe_instance(&id).unwrap();
    let opts = after.metadata_options.expect("metadataOptions");
    assert_eq!(opts.http_put_response_hop_limit, Some(2));
    assert_eq!(opts.http_tokens.as_deref(), Some("required"));

    // An unknown instance: moto answers as EC2 does.
    let e = client
        .ec2_describe_instance("i-0123456789abcdef0")
        .unwrap_err();
    assert_eq!(e.phase(), Phase::Api, "{e}");
    assert_eq!(e.code(), Some("InvalidInstanceID.NotFound"), "{e}");
    assert_eq!(e.status(), Some(400));
}
