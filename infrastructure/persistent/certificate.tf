# The service's TLS certificate, validated through DNS. ACM renews it by itself while the
# validation record stays in DNS (the runbook's "Certificate Renewal").
resource "aws_acm_certificate" "service" {
  domain_name       = var.domain_name
  validation_method = "DNS"

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# Only with a Route 53 zone; otherwise the operator adds the record that the output
# certificate_validation_records names (DEPLOYMENT_GUIDE.md, step 3).
resource "aws_route53_record" "certificate_validation" {
  for_each = var.route53_zone_id == null ? {} : {
    for option in aws_acm_certificate.service.domain_validation_options : option.domain_name => option
  }

  zone_id         = var.route53_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

# Waits until the certificate is issued; the HTTPS listener needs an issued certificate.
resource "aws_acm_certificate_validation" "service" {
  certificate_arn         = aws_acm_certificate.service.arn
  validation_record_fqdns = var.route53_zone_id == null ? null : [for record in aws_route53_record.certificate_validation : record.fqdn]

  timeouts {
    create = "2h"
  }
}

resource "aws_route53_record" "service" {
  count = var.route53_zone_id == null ? 0 : 1

  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = aws_lb.service.dns_name
    zone_id                = aws_lb.service.zone_id
    evaluate_target_health = true
  }
}
