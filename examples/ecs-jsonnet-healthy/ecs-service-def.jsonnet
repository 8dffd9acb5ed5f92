local env = std.extVar('ENV');

local network = {
  prod: {
    subnets: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
    securityGroups: ['sg-0123456789abcdef0'],
    targetGroupArn: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api/0123456789abcdef',
  },
};

{
  launchType: 'FARGATE',
  platformVersion: 'LATEST',
  desiredCount: 2,
  schedulingStrategy: 'REPLICA',
  deploymentController: { type: 'ECS' },
  deploymentConfiguration: {
    deploymentCircuitBreaker: {
      enable: true,
      rollback: true,
    },
    maximumPercent: 200,
    minimumHealthyPercent: 100,
  },
  healthCheckGracePeriodSeconds: 60,
  loadBalancers: [
    {
      containerName: 'app',
      containerPort: 8080,
      targetGroupArn: network[env].targetGroupArn,
    },
  ],
  networkConfiguration: {
    awsvpcConfiguration: {
      assignPublicIp: 'ENABLED',
      securityGroups: network[env].securityGroups,
      subnets: network[env].subnets,
    },
  },
  enableECSManagedTags: true,
  enableExecuteCommand: false,
  propagateTags: 'SERVICE',
  tags: [
    { key: 'service', value: 'api' },
    { key: 'env', value: env },
  ],
}
