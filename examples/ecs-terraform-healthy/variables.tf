variable "image_tag" {
  type    = string
  default = "1.8.0"
}

variable "size" {
  type = object({ cpu = number, memory = number })
  default = {
    cpu    = 512
    memory = 1024
  }
}
