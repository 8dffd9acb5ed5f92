size = {
  cpu    = 1024
  memory = 2048
}
