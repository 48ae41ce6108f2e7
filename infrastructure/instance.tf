# The instance: Amazon Linux 2023 running the verifier and Ollama with docker-compose from /app.
# instance_init.sh (its boot script) starts the verifier at once, in degraded mode, and brings the
# vision model from the S3 cache (or the Ollama registry) in the background.

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-kernel-*-x86_64"]
  }
  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

# Not every zone offers every type (us-east-1e has no t3): the instance goes in the first subnet
# whose zone does.
data "aws_ec2_instance_type_offerings" "available" {
  location_type = "availability-zone"
  filter {
    name   = "instance-type"
    values = [var.instance_type]
  }
}

data "aws_subnet" "candidate" {
  for_each = toset(var.subnet_ids)
  id       = each.value
}

locals {
  instance_subnet_id = [
    for subnet in data.aws_subnet.candidate : subnet.id
    if contains(data.aws_ec2_instance_type_offerings.available.locations, subnet.availability_zone)
  ][0]

  # The boot script's settings, exported in front of it. The compose file and deploy.sh travel
  # base64-encoded; the script writes them to /app.
  instance_settings = {
    AWS_REGION        = var.aws_region
    MODEL_BUCKET      = var.model_cache_bucket
    IMAGE_REPOSITORY  = var.image_repository_url
    OLLAMA_MODEL      = var.ollama_model
    COMPOSE_VERSION   = var.compose_version
    COMPOSE_FILE_B64  = base64encode(file("${path.module}/../docker-compose.yml"))
    DEPLOY_SCRIPT_B64 = base64encode(file("${path.module}/deploy.sh"))
  }

  user_data = join("\n", concat(
    ["#!/bin/bash", "# Settings for the boot script below (infrastructure/instance.tf)."],
    [for name, value in local.instance_settings : "export ${name}='${value}'"],
    [file("${path.module}/instance_init.sh")],
  ))
}

resource "aws_instance" "verifier" {
  # checkov:skip=CKV_AWS_88: the public address is for outbound traffic only (image and model downloads, SSM) without a NAT gateway; the security group admits nothing but the load balancer, on port 8000.
  ami                         = data.aws_ami.al2023.id
  instance_type               = var.instance_type
  subnet_id                   = local.instance_subnet_id
  vpc_security_group_ids      = [aws_security_group.instance.id]
  iam_instance_profile        = aws_iam_instance_profile.verifier.name
  associate_public_ip_address = true
  monitoring                  = true
  ebs_optimized               = true

  # Gzipped: the compose file and deploy.sh ride along, past user data's 16 KB.
  user_data_base64 = base64gzip(local.user_data)
  # A changed boot script takes effect on a new instance (the runbook's "Instance Recreation").
  user_data_replace_on_change = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  # The model takes ~8 GB in Ollama's volume and ~8 GB again as /home/model.tar.gz while it is
  # restored or exported; the images ~4 GB; Amazon Linux ~2 GB. Increase here if the disk fills.
  root_block_device {
    volume_size           = 40
    volume_type           = "gp3"
    encrypted             = true
    delete_on_termination = true
  }

  tags = {
    Name = var.project
  }

  lifecycle {
    # A newer Amazon Linux image is taken up at the next recreation, not by surprise at an apply.
    ignore_changes = [ami]
  }
}

resource "aws_lb_target_group_attachment" "verifier" {
  target_group_arn = var.target_group_arn
  target_id        = aws_instance.verifier.id
  port             = 8000
}

resource "aws_security_group" "instance" {
  name        = "${var.project}-instance"
  description = "Instance of ${var.project}: port 8000 from the load balancer only; HTTPS out"
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.project}-instance"
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_load_balancer" {
  security_group_id            = aws_security_group.instance.id
  description                  = "The verifier (port 8000) from the load balancer only"
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
  referenced_security_group_id = var.load_balancer_security_group_id
}

resource "aws_vpc_security_group_egress_rule" "https_out" {
  security_group_id = aws_security_group.instance.id
  description       = "HTTPS out: package repositories, Docker Hub, ECR, the Ollama registry, S3 and SSM"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# The load balancer's only way out: to this instance's port 8000.
resource "aws_vpc_security_group_egress_rule" "load_balancer_to_instance" {
  security_group_id            = var.load_balancer_security_group_id
  description                  = "Requests and health checks to the verifier on port 8000"
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
  referenced_security_group_id = aws_security_group.instance.id
}
