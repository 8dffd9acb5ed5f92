//! Checks of one family: ECS task definitions, services and deployments (ecspresso and others).

pub mod ecs_awslogs_options_missing;
pub mod ecs_container_exited;
pub mod ecs_container_health_check_failed;
pub mod ecs_container_oom;
pub mod ecs_definition_drift;
pub mod ecs_deploy_timeout;
pub mod ecs_deployment_percent_deadlock;
pub mod ecs_elb_health_check_failed;
pub mod ecs_fargate_invalid_parameter;
pub mod ecs_grace_period_ineffective;
pub mod ecs_image_arch_mismatch;
pub mod ecs_image_pull_failed;
pub mod ecs_invalid_cpu_memory;
pub mod ecs_lb_container_mismatch;
pub mod ecs_missing_execution_role;
pub mod ecs_network_config;
pub mod ecs_no_capacity;
pub mod ecs_no_essential_container;
pub mod ecs_port_mapping_invalid;
pub mod ecs_rollback_failed;
pub mod ecs_secret_reference_invalid;
pub mod ecs_secrets_pull_failed;
pub mod ecspresso_config_invalid;
pub mod ecspresso_deploy_failed;
pub mod ecspresso_unresolved_value;
pub mod support;
