image_tag = "v42"
memory    = 4096
