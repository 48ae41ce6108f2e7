output "certificate_arn" {
  description = "ARN of the service's ACM certificate (the runbook's certificate check)."
  value       = aws_acm_certificate_validation.service.certificate_arn
}

output "certificate_validation_records" {
  description = "DNS records that validate the certificate; add them by hand when route53_zone_id is null."
  value = [for option in aws_acm_certificate.service.domain_validation_options : {
    name  = option.resource_record_name
    type  = option.resource_record_type
    value = option.resource_record_value
  }]
}

output "load_balancer_dns_name" {
  description = "Point domain_name at this (CNAME, or alias in Route 53) when route53_zone_id is null."
  value       = aws_lb.service.dns_name
}

output "load_balancer_security_group_id" {
  description = "Security group of the load balancer; the instance admits only it."
  value       = aws_security_group.load_balancer.id
}

output "target_group_arn" {
  description = "Target group the instance registers in (health check: GET /health)."
  value       = aws_lb_target_group.service.arn
}

output "vpc_id" {
  description = "VPC of the service."
  value       = data.aws_vpc.selected.id
}

output "subnet_ids" {
  description = "Subnets of the service."
  value       = local.subnet_ids
}

output "model_cache_bucket" {
  description = "Name of the S3 model cache bucket."
  value       = aws_s3_bucket.model_cache.id
}

output "model_cache_bucket_arn" {
  description = "ARN of the S3 model cache bucket."
  value       = aws_s3_bucket.model_cache.arn
}

output "image_repository_url" {
  description = "ECR repository of the verifier image (the deploy workflow pushes here)."
  value       = aws_ecr_repository.verifier.repository_url
}

output "image_repository_arn" {
  description = "ARN of the ECR repository."
  value       = aws_ecr_repository.verifier.arn
}

output "github_deploy_role_arn" {
  description = "Role the GitHub workflow assumes: set it as the repository variable AWS_DEPLOY_ROLE_ARN."
  value       = aws_iam_role.github_deploy.arn
}

output "service_url" {
  description = "Public URL of the service."
  value       = "https://${var.domain_name}"
}
