locals {
  name      = "shop"
  container = "app"
  port      = 8080
}

resource "aws_ecs_task_definition" "shop" {
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.size.cpu
  memory                   = var.size.memory
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
  task_role_arn            = "arn:aws:iam::123456789012:role/shop-task"

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name      = local.container
      image     = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop:${var.image_tag}"
      essential = true
      portMappings = [
        { containerPort = local.port, protocol = "tcp" }
      ]
      healthCheck = {
        command     = ["CMD", "/usr/local/bin/shop", "healthcheck", "--port", "${local.port}"]
        interval    = 30
        timeout     = 5
        retries     = 3
        startPeriod = 20
      }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = "/ecs/${local.name}"
          awslogs-region        = "ap-northeast-1"
          awslogs-stream-prefix = local.name
        }
      }
    }
  ])
}

resource "aws_ecs_service" "shop" {
  name                              = local.name
  cluster                           = "prod"
  task_definition                   = aws_ecs_task_definition.shop.arn
  launch_type                       = "FARGATE"
  desired_count                     = 2
  health_check_grace_period_seconds = 60

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
    security_groups  = ["sg-0123456789abcdef0"]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/shop/0123456789abcdef"
    container_name   = local.container
    container_port   = local.port
  }
}

resource "aws_launch_template" "bastion" {
  name_prefix   = "bastion-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}
