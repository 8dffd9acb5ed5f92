module "docker_hosts" {
  source  = "terraform-aws-modules/autoscaling/aws"
  version = "~> 9.0"

  name          = "docker-hosts"
  instance_type = "t3.medium"
}
