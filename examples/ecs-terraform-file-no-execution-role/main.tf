locals {
  family = "worker"
}

resource "aws_ecs_task_definition" "worker" {
  family                   = local.family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  task_role_arn            = "arn:aws:iam::123456789012:role/worker-task"
  container_definitions    = file("${path.module}/containers.json")
}
