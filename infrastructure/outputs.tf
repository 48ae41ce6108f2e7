output "certificate_arn" {
  description = "ARN of the service's ACM certificate (from the persistent unit), for the runbook's `terragrunt output -raw certificate_arn`."
  value       = var.certificate_arn
}

output "instance_id" {
  description = "ID of the instance (tag Name = ttb-verifier)."
  value       = aws_instance.verifier.id
}

output "service_url" {
  description = "Public URL of the service; GET /health on it tells healthy or degraded."
  value       = var.service_url
}

output "model_cache_uri" {
  description = "Where the instance keeps the model archive."
  value       = "s3://${var.model_cache_bucket}/models/${var.ollama_model}.tar.gz"
}
