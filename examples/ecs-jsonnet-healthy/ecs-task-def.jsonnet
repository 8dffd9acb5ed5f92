local must_env = std.native('must_env');
local env = std.extVar('ENV');
local container = import 'libs/container.libsonnet';

{
  family: 'api',
  requiresCompatibilities: ['FARGATE'],
  networkMode: 'awsvpc',
  cpu: '512',
  memory: '1 GB',
  runtimePlatform: {
    cpuArchitecture: 'X86_64',
    operatingSystemFamily: 'LINUX',
  },
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  taskRoleArn: 'arn:aws:iam::123456789012:role/api-task-role',
  containerDefinitions: [
    container {
      image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:' + must_env('IMAGE_TAG'),
      environment: [
        { name: 'APP_ENV', value: env },
        { name: 'PORT', value: '8080' },
      ],
    },
  ],
  tags: [
    { key: 'service', value: 'api' },
    { key: 'env', value: env },
  ],
}
