resource "aws_ecs_task_definition" "web" {
  family                   = "web"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "512"
  memory                   = "1024"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

  container_definitions = <<DEFINITION
[
  {
    "name": "app",
    "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2",
    "essential": true,
    "portMappings": [
      {"containerPort": 3000, "hostPort": 3000}
    ],
    "logConfiguration": {
      "logDriver": "awslogs",
      "options": {
        "awslogs-group": "/ecs/web",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "web"
      }
    }
  }
]
DEFINITION
}

resource "aws_ecs_service" "web" {
  name            = "web"
  cluster         = "main"
  task_definition = aws_ecs_task_definition.web.arn
  launch_type     = "FARGATE"
  desired_count   = 2

  network_configuration {
    subnets         = ["subnet-0aa", "subnet-0bb"]
    security_groups = ["sg-0cc"]
  }

  load_balancer {
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"
    container_name   = "web"
    container_port   = 3000
  }
}
