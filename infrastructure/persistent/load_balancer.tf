# The HTTPS application load balancer in front of the instance. Its target group checks /health,
# which answers 200 when healthy or degraded (Ollama missing) and 503 when Tesseract cannot run,
# so an instance still downloading its model takes traffic for Tesseract at once.

resource "aws_security_group" "load_balancer" {
  name        = "${var.project}-alb"
  description = "Load balancer of ${var.project}: HTTPS (and HTTP, redirected) from the allowed networks"
  vpc_id      = data.aws_vpc.selected.id

  tags = {
    Name = "${var.project}-alb"
  }
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  for_each = toset(var.allowed_cidr_blocks)

  security_group_id = aws_security_group.load_balancer.id
  description       = "HTTPS from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_ingress_rule" "http_redirect" {
  # checkov:skip=CKV_AWS_260: port 80 only answers a redirect to HTTPS (listener "http" below), so a bare host name typed by a reviewer still lands on the service.
  for_each = toset(var.allowed_cidr_blocks)

  security_group_id = aws_security_group.load_balancer.id
  description       = "HTTP from ${each.value}, redirected to HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = each.value
}

# The rule letting the load balancer reach the instance on port 8000 belongs to the service unit
# (../instance.tf), since it names the instance's security group; none else leaves.

resource "aws_lb" "service" {
  # checkov:skip=CKV2_AWS_28: no WAF. allowed_cidr_blocks limits who reaches the service; the server itself bounds uploads (size, declared pixels), its queue (503 with Retry-After) and, with TTB_API_TOKEN, needs a token. AWS's common rule set blocks request bodies over 8 KB, which is every label upload, and a per-address rate rule would throttle a whole agency behind one NAT address.
  name               = var.project
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.load_balancer.id]
  subnets            = local.subnet_ids

  # A vision-model answer takes 30-60 s on a CPU; the default 60 s idle timeout would cut it.
  idle_timeout               = 120
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "defensive"
  enable_deletion_protection = var.load_balancer_deletion_protection

  access_logs {
    bucket  = aws_s3_bucket.logs.id
    prefix  = "alb"
    enabled = true
  }

  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_lb_target_group" "service" {
  name     = var.project
  port     = 8000
  protocol = "HTTP"
  vpc_id   = data.aws_vpc.selected.id

  # Requests in flight finish after SIGTERM (the compose file's stop_grace_period is 70 s).
  deregistration_delay = 70

  health_check {
    path                = "/health"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.service.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.service.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.service.arn
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.service.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
