//! The credential chain beyond static keys: assume role (chained profiles)
//! and web identity against moto; IAM Identity Center, the ECS container
//! endpoint and IMDS against canned local endpoints. Secrets used on the way
//! never appear in errors or `Debug`.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use awsapi::{ClientConfig, CredentialsSource, Environment, Error, Phase};
use common::*;

/// A temporary folder, removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let p = std::env::temp_dir().join(format!(
            "awsapi-chain-{tag}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        let p = PathBuf::from(
            p.display()
                .to_string()
                .replace([' ', '{', '}', ':', ','], "_"),
        );
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }
    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn config(vars: &[(&str, &str)]) -> ClientConfig {
    ClientConfig::new()
        .environment(Environment::from_vars(
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        ))
        .region("us-east-1")
        .timeout(Duration::from_secs(5))
        .use_env_proxy(false)
}

fn credential_error(e: Error) -> String {
    assert_eq!(e.phase(), Phase::Credentials, "{e:?}");
    e.to_string()
}

#[test]
fn moto_assumes_a_chain_of_roles_from_a_profile() {
    let Some(moto) = Moto::start() else { return };
    let d = Dir::new("assume");
    let creds = d.file(
        "credentials",
        "[base]\naws_access_key_id = AKIABASE00000001\naws_secret_access_key = baseSECRETkey\n",
    );
    let cfg = d.file(
        "config",
        "[profile mid]\nrole_arn = arn:aws:iam::123456789012:role/mid\nsource_profile = base\n\
         [profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = mid\nrole_session_name = stackdoctor-test\n",
    );
    let client = config(&[
        ("AWS_SHARED_CREDENTIALS_FILE", creds.as_str()),
        ("AWS_CONFIG_FILE", cfg.as_str()),
        ("AWS_PROFILE", "app"),
        ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
    ])
    .build()
    .unwrap();
    let how = client.resolution();
    assert!(how.temporary_credentials);
    let CredentialsSource::AssumeRole {
        role_arn, source, ..
    } = &how.credentials_source
    else {
        panic!("{:?}", how.credentials_source)
    };
    assert_eq!(role_arn, "arn:aws:iam::123456789012:role/app");
    assert!(
        matches!(&**source, CredentialsSource::AssumeRole { role_arn, source, .. }
            if role_arn.ends_with("role/mid")
            && matches!(&**source, CredentialsSource::Profile { profile, .. } if profile == "base")),
        "{source:?}"
    );
    let me = client.sts_get_caller_identity().unwrap();
    assert!(me.arn.contains(":assumed-role/app/"), "{}", me.arn);
    // The secrets used on the way are known to maskers, never shown.
    let secrets = client.secret_values_for_masking();
    assert!(secrets.iter().any(|s| s == "baseSECRETkey"));
    assert!(!format!("{client:?}").contains("baseSECRETkey"));
}

#[test]
fn moto_web_identity_from_the_environment() {
    let Some(moto) = Moto::start() else { return };
    let d = Dir::new("webid");
    let token = d.file("token", "eyJhbGciOiJSUzI1NiJ9.WEBIDpayload.sig\n");
    let client = config(&[
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa"),
        ("AWS_ROLE_SESSION_NAME", "pod"),
        ("AWS_ENDPOINT_URL_STS", moto.url.as_str()),
        ("HOME", d.path().as_str()),
    ])
    .build()
    .unwrap();
    let how = client.resolution();
    assert_eq!(
        how.credentials_source,
        CredentialsSource::WebIdentity {
            role_arn: "arn:aws:iam::123456789012:role/irsa".into(),
            token_file: token.clone(),
            profile: None,
        }
    );
    assert!(how.temporary_credentials);
    assert!(client
        .secret_values_for_masking()
        .iter()
        .any(|s| s.contains("WEBIDpayload")));
}

const WEB_IDENTITY_REPLY: &str = r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAWEBIDENTITY01</AccessKeyId>
      <SecretAccessKey>webidSECRET</SecretAccessKey>
      <SessionToken>webidSESSION</SessionToken>
      <Expiration>2999-01-01T00:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>"#;

#[test]
fn web_identity_from_a_profile_is_sent_unsigned_with_the_token() {
    let server = CannedServer::start(|_| Canned::xml(200, WEB_IDENTITY_REPLY));
    let d = Dir::new("webid-profile");
    let token = d.file("token", "tokenFROMfile");
    let cfg = d.file(
        "config",
        &format!("[profile eks]\nrole_arn = arn:aws:iam::1:role/eks\nweb_identity_token_file = {token}\n"),
    );
    let client = config(&[
        ("AWS_CONFIG_FILE", cfg.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ("AWS_PROFILE", "eks"),
        ("AWS_ENDPOINT_URL_STS", server.url().as_str()),
    ])
    .build()
    .unwrap();
    assert_eq!(
        client.resolution().access_key_id_hint,
        "ASIA…TY01",
        "{:?}",
        client.resolution()
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert!(r.header("authorization").is_none(), "unsigned: {r:?}");
    assert_eq!(
        r.form_value("Action").as_deref(),
        Some("AssumeRoleWithWebIdentity")
    );
    assert_eq!(
        r.form_value("WebIdentityToken").as_deref(),
        Some("tokenFROMfile")
    );
    assert_eq!(
        r.form_value("RoleArn").as_deref(),
        Some("arn:aws:iam::1:role/eks")
    );
}

#[test]
fn a_refused_assume_role_names_the_role_and_profile() {
    let server = CannedServer::start(|_| {
        Canned::xml(
            403,
            r#"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>r-9</RequestId></ErrorResponse>"#,
        )
    });
    let d = Dir::new("denied");
    let cfg = d.file(
        "config",
        "[profile app]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = Environment\n",
    );
    let e = config(&[
        ("AWS_CONFIG_FILE", cfg.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ("AWS_PROFILE", "app"),
        ("AWS_ENDPOINT_URL_STS", server.url().as_str()),
    ])
    .build()
    .unwrap_err();
    // credential_source = Environment without keys: says so.
    let m = credential_error(e);
    assert!(
        m.contains("credential_source Environment of profile `app`"),
        "{m}"
    );

    // STS refuses the role: the error names the role, the profile and AWS's code.
    let cfg = d.file(
        "config2",
        "[profile base]\naws_access_key_id = AKIABASE00000001\naws_secret_access_key = baseSECRET\n\
         [profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\n",
    );
    let m = credential_error(
        config(&[
            ("AWS_CONFIG_FILE", cfg.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
            ("AWS_PROFILE", "app"),
            ("AWS_ENDPOINT_URL_STS", server.url().as_str()),
        ])
        .build()
        .unwrap_err(),
    );
    assert!(
        m.contains("assume role arn:aws:iam::1:role/app (profile `app`)"),
        "{m}"
    );
    assert!(
        m.contains("AccessDenied") && !m.contains("baseSECRET"),
        "{m}"
    );
    let signed = &server.requests()[0];
    assert!(signed.header("authorization").is_some());
    assert!(verify_sigv4(signed, "baseSECRET").ends_with("/sts/aws4_request"));
}

fn sso_setup(d: &Dir, portal: &str, expires: &str) -> ClientConfig {
    let cfg = d.file(
        "config",
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = us-east-1\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    );
    // echo -n corp | sha1sum
    d.file(
        ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
        &format!(
            r#"{{"startUrl":"https://corp.awsapps.com/start","region":"us-east-1","accessToken":"ssoACCESStoken","expiresAt":"{expires}"}}"#
        ),
    );
    config(&[
        ("AWS_CONFIG_FILE", cfg.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ("AWS_PROFILE", "dev"),
        ("HOME", d.path().as_str()),
        ("AWS_ENDPOINT_URL_SSO", portal),
    ])
}

#[test]
fn sso_token_cache_and_portal() {
    let server = CannedServer::start(|r| {
        if r.header("x-amz-sso_bearer_token") == Some("ssoACCESStoken") {
            Canned::json(
                200,
                r#"{"roleCredentials":{"accessKeyId":"ASIASSOROLE00001","secretAccessKey":"ssoSECRET","sessionToken":"ssoSESSION","expiration":32503680000000}}"#,
            )
        } else {
            Canned::json(401, r#"{"message":"Session token not found or invalid"}"#)
        }
    });
    let d = Dir::new("sso");
    let client = sso_setup(&d, &server.url(), "2999-01-01T00:00:00Z")
        .build()
        .unwrap();
    assert_eq!(
        client.resolution().credentials_source,
        CredentialsSource::Sso {
            profile: "dev".into(),
            account_id: "111122223333".into(),
            role_name: "Developer".into(),
        }
    );
    let requests = server.requests();
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path(), "/federation/credentials");
    let mut query = requests[0].query_pairs();
    query.sort();
    assert_eq!(
        query,
        vec![
            ("account_id".to_owned(), "111122223333".to_owned()),
            ("role_name".to_owned(), "Developer".to_owned())
        ]
    );
    assert!(client
        .secret_values_for_masking()
        .contains(&"ssoACCESStoken".to_owned()));

    // A token the portal refuses, and an expired one: both say to log in again.
    let d2 = Dir::new("sso-refused");
    let bad = sso_setup(&d2, &server.url(), "2999-01-01T00:00:00Z");
    std::fs::write(
        d2.0.join(".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        r#"{"accessToken":"revokedTOKEN","expiresAt":"2999-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let m = credential_error(bad.build().unwrap_err());
    assert!(m.contains("refused the cached SSO token (HTTP 401)"), "{m}");
    assert!(
        m.contains("aws sso login --sso-session corp") && !m.contains("revokedTOKEN"),
        "{m}"
    );
    let d3 = Dir::new("sso-expired");
    let before = server.requests().len();
    let m = credential_error(
        sso_setup(&d3, &server.url(), "2020-01-01T00:00:00Z")
            .build()
            .unwrap_err(),
    );
    assert!(
        m.contains("expired at 2020-01-01T00:00:00Z: run `aws sso login"),
        "{m}"
    );
    assert_eq!(
        server.requests().len(),
        before,
        "no call with an expired token"
    );
}

#[test]
fn ecs_container_endpoint_with_an_authorization_token_file() {
    let server = CannedServer::start(|r| {
        if r.header("authorization") == Some("ecsAUTHtoken") {
            Canned::json(
                200,
                r#"{"AccessKeyId":"ASIACONTAINER001","SecretAccessKey":"ecsSECRET","Token":"ecsSESSION","Expiration":"2999-01-01T00:00:00Z","RoleArn":"arn:aws:iam::1:role/task"}"#,
            )
        } else {
            Canned::json(401, r#"{"message":"unauthorized"}"#)
        }
    });
    let d = Dir::new("ecs");
    let token = d.file("token", "ecsAUTHtoken\n");
    let url = format!("{}/v2/credentials/abc", server.url());
    let client = config(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token.as_str()),
        ("HOME", d.path().as_str()),
    ])
    .build()
    .unwrap();
    assert_eq!(
        client.resolution().credentials_source,
        CredentialsSource::Container { url: url.clone() }
    );
    assert_eq!(server.requests()[0].path(), "/v2/credentials/abc");

    // Without the token the endpoint refuses: the error names the endpoint and the status.
    let m = credential_error(
        config(&[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.as_str()),
            ("HOME", d.path().as_str()),
        ])
        .build()
        .unwrap_err(),
    );
    assert!(
        m.contains("container credentials endpoint") && m.contains("HTTP 401"),
        "{m}"
    );

    // Plain http to anything but loopback or the agent addresses is refused, as the SDKs do.
    let m = credential_error(
        config(&[
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://example.com/creds",
            ),
            ("HOME", d.path().as_str()),
        ])
        .build()
        .unwrap_err(),
    );
    assert!(m.contains("only allowed to loopback"), "{m}");
}

#[test]
fn a_silent_container_endpoint_times_out_within_the_limit() {
    let silent = SilentServer::start();
    let url = format!("http://{}/creds", silent.addr);
    let start = Instant::now();
    let e = config(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.as_str())])
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap_err();
    let m = credential_error(e);
    assert!(m.contains("timeout"), "{m}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn instance_metadata_when_asked() {
    let server = CannedServer::start(|r| match (r.method.as_str(), r.path()) {
        ("PUT", "/latest/api/token") => Canned::json(200, "imdsTOKEN"),
        (_, "/latest/meta-data/iam/security-credentials/") => Canned::json(200, "app-role\n"),
        (_, "/latest/meta-data/iam/security-credentials/app-role")
            if r.header("x-aws-ec2-metadata-token") == Some("imdsTOKEN") =>
        {
            Canned::json(
                200,
                r#"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAINSTANCE0001","SecretAccessKey":"imdsSECRET","Token":"imdsSESSION","Expiration":"2999-01-01T00:00:00Z"}"#,
            )
        }
        _ => Canned::json(404, ""),
    });
    let client = config(&[("HOME", "/nonexistent")])
        .instance_metadata(server.url())
        .build()
        .unwrap();
    assert_eq!(
        client.resolution().credentials_source,
        CredentialsSource::InstanceMetadata {
            role: "app-role".into()
        }
    );
    // Not asked: IMDS is listed as not tried.
    let e = config(&[("HOME", "/nonexistent")]).build().unwrap_err();
    assert!(
        e.to_string().contains("instance metadata (not asked)"),
        "{e}"
    );
}
