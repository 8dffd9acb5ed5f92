//! End-to-end calls against a real moto server (`pip install 'moto[server]'`).
//! Without moto these tests fail with install instructions, unless
//! `STACKDOCTOR_SKIP_MOTO=1`.

mod common;

use awsapi::{ClientConfig, CredentialsSource, Environment, Phase, Service};
use common::*;
use serde_json::json;

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
    let client = moto.client("us-east-1");

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

/// Strings of a JSON array.
fn strs(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

/// An ECS service on Fargate behind an ALB target group, set up through the
/// crate's own signed calls, then every ECS and ELBv2 call of the crate.
/// moto 5.x implements CreateCluster, RegisterTaskDefinition, CreateService,
/// RunTask (Fargate), StopTask, DescribeServices, ListTasks, DescribeTasks,
/// DescribeTaskDefinition, ListTaskDefinitions, CreateTargetGroup,
/// CreateLoadBalancer, CreateListener, RegisterTargets and
/// DescribeTargetHealth; where its behaviour differs from AWS the test says so
/// and asserts what moto does.
#[test]
fn ecs_service_and_target_health() {
    let Some(moto) = Moto::start() else { return };
    // ECS and ELBv2 reach moto through their own endpoint variables.
    let client = ClientConfig::new()
        .environment(Environment::from_vars([
            ("AWS_ACCESS_KEY_ID", "AKIATESTMOTO0000"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL_EC2", moto.url.as_str()),
            ("AWS_ENDPOINT_URL_ECS", moto.url.as_str()),
            (
                "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2",
                moto.url.as_str(),
            ),
        ]))
        .use_env_proxy(false)
        .build()
        .unwrap();
    assert_eq!(client.endpoint(Service::Ecs).url(), moto.url);
    assert_eq!(client.endpoint(Service::Elbv2).url(), moto.url);
    assert!(client
        .endpoint(Service::Sts)
        .url()
        .starts_with("https://sts.us-east-1."));

    // Network: a VPC, two subnets in two AZs (the ALB needs them), a group.
    let vpc = client
        .raw_query(Service::Ec2, "CreateVpc", &[("CidrBlock", "10.0.0.0/16")])
        .unwrap();
    let vpc = tag(&vpc, "vpcId").unwrap().to_owned();
    let mut subnets = Vec::new();
    for (cidr, az) in [("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b")] {
        let s = client
            .raw_query(
                Service::Ec2,
                "CreateSubnet",
                &[
                    ("VpcId", &vpc),
                    ("CidrBlock", cidr),
                    ("AvailabilityZone", az),
                ],
            )
            .unwrap();
        subnets.push(tag(&s, "subnetId").unwrap().to_owned());
    }
    let sg = client
        .raw_query(
            Service::Ec2,
            "CreateSecurityGroup",
            &[
                ("GroupName", "web"),
                ("GroupDescription", "web"),
                ("VpcId", &vpc),
            ],
        )
        .unwrap();
    let sg = tag(&sg, "groupId").unwrap().to_owned();

    // ELBv2: a target group of IP targets behind an ALB listener.
    let tg = client
        .raw_query(
            Service::Elbv2,
            "CreateTargetGroup",
            &[
                ("Name", "web"),
                ("Protocol", "HTTP"),
                ("Port", "80"),
                ("VpcId", &vpc),
                ("TargetType", "ip"),
            ],
        )
        .unwrap();
    let tg = tag(&tg, "TargetGroupArn").unwrap().to_owned();
    assert!(tg.starts_with("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/"));
    let lb = client
        .raw_query(
            Service::Elbv2,
            "CreateLoadBalancer",
            &[
                ("Name", "web"),
                ("Subnets.member.1", &subnets[0]),
                ("Subnets.member.2", &subnets[1]),
                ("SecurityGroups.member.1", &sg),
            ],
        )
        .unwrap();
    let lb = tag(&lb, "LoadBalancerArn").unwrap().to_owned();
    client
        .raw_query(
            Service::Elbv2,
            "CreateListener",
            &[
                ("LoadBalancerArn", &lb),
                ("Protocol", "HTTP"),
                ("Port", "80"),
                ("DefaultActions.member.1.Type", "forward"),
                ("DefaultActions.member.1.TargetGroupArn", &tg),
            ],
        )
        .unwrap();

    // ECS: cluster, two revisions of a Fargate task definition, another family.
    let cluster = client
        .raw_json(
            Service::Ecs,
            "CreateCluster",
            &json!({"clusterName": "prod"}),
        )
        .unwrap();
    assert_eq!(cluster["cluster"]["clusterName"], "prod");
    let web = json!({
        "family": "web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{
            "name": "app",
            "image": "public.ecr.aws/nginx/nginx:latest",
            "essential": true,
            "portMappings": [{"containerPort": 80, "protocol": "tcp"}]
        }]
    });
    for want in [1, 2] {
        let r = client
            .raw_json(Service::Ecs, "RegisterTaskDefinition", &web)
            .unwrap();
        assert_eq!(r["taskDefinition"]["revision"], want);
    }
    client
        .raw_json(
            Service::Ecs,
            "RegisterTaskDefinition",
            &json!({"family": "webhook", "containerDefinitions": [{"name": "x", "image": "busybox", "memory": 128}]}),
        )
        .unwrap();
    let created = client
        .raw_json(
            Service::Ecs,
            "CreateService",
            &json!({
                "cluster": "prod",
                "serviceName": "web",
                "taskDefinition": "web",
                "desiredCount": 1,
                "launchType": "FARGATE",
                "loadBalancers": [{"targetGroupArn": tg, "containerName": "app", "containerPort": 80}],
                // moto 5.1 needs securityGroups here (KeyError without it).
                "networkConfiguration": {"awsvpcConfiguration": {
                    "subnets": [subnets[0]], "securityGroups": [sg], "assignPublicIp": "DISABLED"}}
            }),
        )
        .unwrap();
    assert_eq!(created["service"]["serviceName"], "web");

    // ---- ecs_describe_services
    let v = client
        .ecs_describe_services("prod", &["web", "missing"])
        .unwrap();
    let services = v["services"].as_array().unwrap();
    assert_eq!(services.len(), 1, "{v}");
    let svc = &services[0];
    assert_eq!(svc["serviceName"], "web");
    assert_eq!(
        svc["serviceArn"],
        "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
    );
    assert_eq!(svc["status"], "ACTIVE");
    assert_eq!(svc["desiredCount"], 1);
    assert_eq!(svc["launchType"], "FARGATE");
    let td2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
    assert_eq!(svc["taskDefinition"], td2);
    assert_eq!(svc["loadBalancers"][0]["targetGroupArn"], tg.as_str());
    let deployments = svc["deployments"].as_array().unwrap();
    assert_eq!(deployments.len(), 1, "{svc}");
    assert_eq!(deployments[0]["status"], "PRIMARY");
    assert_eq!(deployments[0]["taskDefinition"], td2);
    assert_eq!(deployments[0]["desiredCount"], 1);
    // moto never starts a service's tasks: the deployment stays pending.
    assert_eq!(deployments[0]["runningCount"], 0);
    assert_eq!(deployments[0]["rolloutState"], "IN_PROGRESS");
    assert_eq!(svc["runningCount"], 0);
    assert_eq!(v["failures"][0]["reason"], "MISSING");
    assert!(v["failures"][0]["arn"]
        .as_str()
        .unwrap()
        .ends_with("service/missing"));

    // ---- ecs_list_tasks: moto does not launch tasks for services.
    assert!(client
        .ecs_list_tasks("prod", "web", None)
        .unwrap()
        .is_empty());
    assert!(client
        .ecs_list_tasks("prod", "web", Some("STOPPED"))
        .unwrap()
        .is_empty());

    // Standalone tasks (RunTask), one of them stopped. moto 5.1 cannot run
    // the awsvpc task definition: with a network configuration its RunTask
    // fails with HTTP 500 (an AttributeError on the ENI's private DNS name;
    // without a container-level memory limit it is a TypeError first), and
    // without one it refuses as AWS does. So the tasks come from the
    // bridge-mode `webhook` family, which moto runs "on Fargate" without
    // complaint.
    let e = client
        .raw_json(
            Service::Ecs,
            "RunTask",
            &json!({
                "cluster": "prod", "taskDefinition": "web:1", "launchType": "FARGATE",
                "networkConfiguration": {"awsvpcConfiguration": {"subnets": [subnets[0]], "securityGroups": [sg]}}
            }),
        )
        .unwrap_err();
    assert_eq!(e.status(), Some(500), "moto can run awsvpc tasks now? {e}");
    let run = client
        .raw_json(
            Service::Ecs,
            "RunTask",
            &json!({
                "cluster": "prod", "taskDefinition": "webhook", "count": 2, "launchType": "FARGATE",
                "startedBy": "awsapi-test"
            }),
        )
        .unwrap();
    let run_arns: Vec<String> = run["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["taskArn"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(run_arns.len(), 2, "{run}");
    client
        .raw_json(
            Service::Ecs,
            "StopTask",
            &json!({"cluster": "prod", "task": run_arns[0], "reason": "Essential container in task exited"}),
        )
        .unwrap();

    let mut all = client.ecs_list_tasks("prod", "", None).unwrap();
    all.sort();
    let mut want = run_arns.clone();
    want.sort();
    // With no desiredStatus AWS lists RUNNING tasks only; moto lists every
    // task whatever its status.
    assert_eq!(all, want);
    assert_eq!(
        client.ecs_list_tasks("prod", "", Some("STOPPED")).unwrap(),
        [run_arns[0].clone()]
    );
    assert_eq!(
        client.ecs_list_tasks("prod", "", Some("RUNNING")).unwrap(),
        [run_arns[1].clone()]
    );
    // moto ignores the serviceName filter (a TODO in moto's backend): the
    // standalone tasks show up under the service too.
    assert_eq!(
        client
            .ecs_list_tasks("prod", "web", Some("STOPPED"))
            .unwrap(),
        [run_arns[0].clone()]
    );

    // ---- ecs_describe_tasks of the listed tasks
    let stopped = client.ecs_list_tasks("prod", "", Some("STOPPED")).unwrap();
    let running = client.ecs_list_tasks("prod", "", Some("RUNNING")).unwrap();
    let bogus = "arn:aws:ecs:us-east-1:123456789012:task/prod/00000000000000000000000000000000";
    let v = client
        .ecs_describe_tasks("prod", &[&stopped[0], &running[0], bogus])
        .unwrap();
    let tasks = v["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 2, "{v}");
    let by_arn = |arn: &str| {
        tasks
            .iter()
            .find(|t| t["taskArn"] == arn)
            .unwrap_or_else(|| panic!("{arn} not in {v}"))
    };
    let s = by_arn(&stopped[0]);
    assert_eq!(s["desiredStatus"], "STOPPED");
    assert_eq!(s["lastStatus"], "STOPPED");
    assert_eq!(s["stoppedReason"], "Essential container in task exited");
    assert_eq!(
        s["taskDefinitionArn"],
        "arn:aws:ecs:us-east-1:123456789012:task-definition/webhook:1"
    );
    assert_eq!(s["startedBy"], "awsapi-test");
    let r = by_arn(&running[0]);
    assert_eq!(r["desiredStatus"], "RUNNING");
    // moto does not report unknown task ARNs as failures (AWS says MISSING).
    assert_eq!(v["failures"], json!([]));

    // ---- ecs_describe_task_definition
    let v = client.ecs_describe_task_definition("web").unwrap();
    let td = &v["taskDefinition"];
    assert_eq!(td["family"], "web");
    assert_eq!(
        td["revision"], 2,
        "the family alone means the latest revision"
    );
    assert_eq!(td["taskDefinitionArn"], td2);
    assert_eq!(td["networkMode"], "awsvpc");
    assert_eq!(td["cpu"], "256");
    assert_eq!(td["memory"], "512");
    assert_eq!(strs(&td["requiresCompatibilities"]), ["FARGATE"]);
    assert_eq!(
        td["containerDefinitions"][0]["portMappings"][0]["containerPort"],
        80
    );
    let v = client.ecs_describe_task_definition("web:1").unwrap();
    assert_eq!(v["taskDefinition"]["revision"], 1);
    let e = client.ecs_describe_task_definition("nope").unwrap_err();
    assert_eq!(e.phase(), Phase::Api, "{e}");
    assert_eq!(e.code(), Some("ClientException"), "{e}");
    assert_eq!(e.status(), Some(400));
    assert!(
        e.to_string().contains("Unable to describe task definition"),
        "{e}"
    );

    // ---- ecs_list_task_definitions
    let td1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
    let asc = client
        .ecs_list_task_definitions("web", None, false)
        .unwrap();
    // moto matches familyPrefix as an exact family (AWS: a prefix, which
    // would include `webhook`).
    assert_eq!(asc, [td1, td2]);
    // moto ignores `sort`: DESC comes back ascending too (AWS: web:2 first).
    let desc = client.ecs_list_task_definitions("web", None, true).unwrap();
    assert_eq!(desc, [td1, td2]);
    let all = client.ecs_list_task_definitions("", None, false).unwrap();
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all.iter().any(|a| a.ends_with("/webhook:1")));
    // moto does not paginate ECS lists: maxResults is ignored and no
    // nextToken comes back (paging is covered by tests/canned.rs).
    let page = client
        .raw_json(
            Service::Ecs,
            "ListTaskDefinitions",
            &json!({"maxResults": 1}),
        )
        .unwrap();
    assert_eq!(page["taskDefinitionArns"].as_array().unwrap().len(), 3);
    assert!(page.get("nextToken").is_none(), "{page}");
    assert!(client
        .ecs_list_task_definitions("web", Some("INACTIVE"), false)
        .unwrap()
        .is_empty());

    // An unknown cluster.
    let e = client.ecs_list_tasks("nope", "", None).unwrap_err();
    assert_eq!(e.code(), Some("ClusterNotFoundException"), "{e}");
    let e = client.ecs_describe_services("nope", &["web"]).unwrap_err();
    assert_eq!(e.code(), Some("ClusterNotFoundException"), "{e}");

    // ---- elbv2_describe_target_health
    // moto does not register a service's tasks with its target group.
    assert!(client.elbv2_describe_target_health(&tg).unwrap().is_empty());
    client
        .raw_query(
            Service::Elbv2,
            "RegisterTargets",
            &[
                ("TargetGroupArn", &tg),
                ("Targets.member.1.Id", "10.0.1.10"),
                ("Targets.member.1.Port", "8080"),
                ("Targets.member.2.Id", "10.0.1.11"),
            ],
        )
        .unwrap();
    let mut health = client.elbv2_describe_target_health(&tg).unwrap();
    health.sort_by(|a, b| a.target_id.cmp(&b.target_id));
    assert_eq!(health.len(), 2, "{health:?}");
    assert_eq!(health[0].target_id, "10.0.1.10");
    assert_eq!(health[0].port, Some(8080));
    assert_eq!(health[1].port, Some(80), "the target group's port");
    for h in &health {
        assert_eq!(h.health_check_port.as_deref(), Some("traffic-port"));
        // moto runs no health checks: every registered target is `healthy`
        // at once (AWS starts at `initial`, reason Elb.RegistrationInProgress).
        assert_eq!(h.state, "healthy");
        assert_eq!(
            (h.reason.as_deref(), h.description.as_deref()),
            (None, None)
        );
    }
    let e = client
        .elbv2_describe_target_health(&format!("{tg}0"))
        .unwrap_err();
    assert_eq!(e.code(), Some("TargetGroupNotFound"), "{e}");
    assert_eq!(e.status(), Some(400));
}
