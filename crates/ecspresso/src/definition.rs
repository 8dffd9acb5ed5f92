//! Task and service definitions.

use crate::node::{Key, Node, NodeValue};
use crate::problem::{Problem, ProblemKind};
use std::path::PathBuf;

/// A loaded task or service definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// The file it was read from.
    pub path: PathBuf,
    /// The definition with a describe-output wrapper (`{"taskDefinition": …}`,
    /// `{"services":[…]}` / `{"service": …}`) removed.
    pub root: Node,
    /// True when a describe-output wrapper was removed.
    pub wrapped: bool,
    /// Task or service definition.
    pub kind: DefinitionKind,
}

/// What a [`Definition`] defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefinitionKind {
    /// A task definition (RegisterTaskDefinition input).
    Task,
    /// A service definition (CreateService/UpdateService input).
    Service,
}

/// RegisterTaskDefinitionInput keys.
pub const TASK_DEFINITION_KEYS: &[&str] = &[
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "tags",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
    "enableFaultInjection",
];

/// Task-definition fields that only describe output has; ecspresso warns and ignores them.
pub const TASK_DEFINITION_DESCRIBE_ONLY: &[&str] = &[
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
];

/// ContainerDefinition keys.
pub const CONTAINER_DEFINITION_KEYS: &[&str] = &[
    "name",
    "image",
    "repositoryCredentials",
    "cpu",
    "memory",
    "memoryReservation",
    "links",
    "portMappings",
    "essential",
    "restartPolicy",
    "entryPoint",
    "command",
    "environment",
    "environmentFiles",
    "mountPoints",
    "volumesFrom",
    "linuxParameters",
    "secrets",
    "dependsOn",
    "startTimeout",
    "stopTimeout",
    "versionConsistency",
    "hostname",
    "user",
    "workingDirectory",
    "disableNetworking",
    "privileged",
    "readonlyRootFilesystem",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "dockerSecurityOptions",
    "interactive",
    "pseudoTerminal",
    "dockerLabels",
    "ulimits",
    "logConfiguration",
    "healthCheck",
    "systemControls",
    "resourceRequirements",
    "firelensConfiguration",
    "credentialSpecs",
];

/// Service definition keys (CreateService input as ecspresso reads it).
pub const SERVICE_DEFINITION_KEYS: &[&str] = &[
    "availabilityZoneRebalancing",
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "deploymentController",
    "desiredCount",
    "enableECSManagedTags",
    "enableExecuteCommand",
    "healthCheckGracePeriodSeconds",
    "launchType",
    "loadBalancers",
    "networkConfiguration",
    "placementConstraints",
    "placementStrategy",
    "platformVersion",
    "propagateTags",
    "role",
    "schedulingStrategy",
    "serviceConnectConfiguration",
    "serviceRegistries",
    "tags",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
    "taskDefinition",
    "serviceName",
    "cluster",
    "clientToken",
];

/// describe-services fields that are not service-definition input.
pub const SERVICE_DEFINITION_DESCRIBE_ONLY: &[&str] = &[
    "serviceArn",
    "status",
    "runningCount",
    "pendingCount",
    "events",
    "deployments",
    "createdAt",
    "createdBy",
    "clusterArn",
    "roleArn",
    "taskSets",
    "platformFamily",
    "currentServiceDeployment",
    "currentServiceRevisions",
    "resourceManagementType",
];

fn known(list: &[&str], key: &str) -> bool {
    list.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Removes a describe-output wrapper; returns the inner root and whether one was removed.
pub(crate) fn unwrap(root: Node, kind: DefinitionKind) -> (Node, bool) {
    match kind {
        DefinitionKind::Task => {
            let Some(inner) = root
                .get("taskDefinition")
                .filter(|n| matches!(n.value, NodeValue::Object(_)))
            else {
                return (root, false);
            };
            let mut inner = inner.clone();
            // describe-task-definition --include TAGS puts `tags` beside `taskDefinition`.
            if let (Some((k, v)), NodeValue::Object(entries)) = (
                root.entries().iter().find(|(k, _)| k.name == "tags"),
                &mut inner.value,
            ) {
                if !entries.iter().any(|(k2, _)| k2.name == "tags") {
                    entries.push((k.clone(), v.clone()));
                }
            }
            (inner, true)
        }
        DefinitionKind::Service => {
            if let Some(first) = root
                .get("services")
                .and_then(Node::as_array)
                .and_then(|a| a.first())
                .filter(|n| matches!(n.value, NodeValue::Object(_)))
            {
                return (first.clone(), true);
            }
            if let Some(inner) = root
                .get("service")
                .filter(|n| matches!(n.value, NodeValue::Object(_)))
            {
                return (inner.clone(), true);
            }
            (root, false)
        }
    }
}

/// Guesses the kind of a definition file loaded without a config.
pub(crate) fn guess_kind(root: &Node) -> DefinitionKind {
    if root
        .get("taskDefinition")
        .is_some_and(|n| n.get("containerDefinitions").is_some() || n.get("family").is_some())
        || root.get("containerDefinitions").is_some()
        || root.get("family").is_some()
    {
        DefinitionKind::Task
    } else {
        DefinitionKind::Service
    }
}

fn check_keys(
    entries: &[(Key, Node)],
    keys: &[&str],
    describe_only: &[&str],
    problems: &mut Vec<Problem>,
) {
    for (key, _) in entries {
        if known(keys, &key.name) {
            continue;
        }
        if known(describe_only, &key.name) {
            problems.push(Problem::new(
                ProblemKind::DescribeOnlyField {
                    key: key.name.clone(),
                },
                format!(
                    "json: unknown field \"{}\" (describe output only; ignored)",
                    key.name
                ),
                Some(key.position.clone()),
            ));
        } else {
            problems.push(Problem::new(
                ProblemKind::UnknownKey {
                    key: key.name.clone(),
                },
                format!("json: unknown field \"{}\"", key.name),
                Some(key.position.clone()),
            ));
        }
    }
}

/// Reports unknown and describe-only keys of a (unwrapped) definition.
pub(crate) fn check(def: &Definition, problems: &mut Vec<Problem>) {
    if !matches!(def.root.value, NodeValue::Object(_)) {
        problems.push(Problem::new(
            ProblemKind::NotAnObject,
            format!("{} is not a JSON object", def.path.display()),
            Some(def.root.position.clone()),
        ));
        return;
    }
    match def.kind {
        DefinitionKind::Task => {
            check_keys(
                def.root.entries(),
                TASK_DEFINITION_KEYS,
                TASK_DEFINITION_DESCRIBE_ONLY,
                problems,
            );
            for c in def
                .root
                .get("containerDefinitions")
                .and_then(Node::as_array)
                .unwrap_or(&[])
            {
                check_keys(c.entries(), CONTAINER_DEFINITION_KEYS, &[], problems);
            }
        }
        DefinitionKind::Service => {
            check_keys(
                def.root.entries(),
                SERVICE_DEFINITION_KEYS,
                SERVICE_DEFINITION_DESCRIBE_ONLY,
                problems,
            );
        }
    }
}
