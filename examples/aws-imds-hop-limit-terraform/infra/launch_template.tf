variable "instance_type" {
  type    = string
  default = "t3.medium"
}

resource "aws_launch_template" "docker_host" {
  name_prefix   = "docker-host-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = var.instance_type

  iam_instance_profile {
    name = "reports-host"
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}
