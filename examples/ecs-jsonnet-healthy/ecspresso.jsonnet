local env = std.extVar('ENV');

{
  region: 'ap-northeast-1',
  cluster: env,
  service: 'api',
  service_definition: 'ecs-service-def.jsonnet',
  task_definition: 'ecs-task-def.jsonnet',
  timeout: '15m',
}
