// The `app` container shared by every environment.
{
  name: 'app',
  essential: true,
  portMappings: [
    {
      containerPort: 8080,
      hostPort: 8080,
      protocol: 'tcp',
    },
  ],
  secrets: [
    {
      name: 'DB_PASSWORD',
      valueFrom: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/api/db-AbCdEf:password::',
    },
  ],
  logConfiguration: {
    logDriver: 'awslogs',
    options: {
      'awslogs-group': '/ecs/api',
      'awslogs-region': 'ap-northeast-1',
      'awslogs-stream-prefix': 'api',
    },
  },
  healthCheck: {
    command: [
      'CMD-SHELL',
      "python -c \"import urllib.request,sys; urllib.request.urlopen('http://localhost:8080/health')\" || exit 1",
    ],
    interval: 30,
    timeout: 5,
    retries: 3,
    startPeriod: 30,
  },
}
