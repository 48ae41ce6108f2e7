variable "aws_region" {
  description = "AWS region for every resource (Terragrunt passes AWS_REGION, default us-east-1)."
  type        = string
  default     = "us-east-1"
}

variable "project" {
  description = "Name prefix of every resource and the instance's Name tag; the runbook's commands find the instance by Name = ttb-verifier."
  type        = string
  default     = "ttb-verifier"
}

variable "instance_type" {
  description = "EC2 instance type. llama3.2-vision (11B) needs about 12 GiB of memory on a CPU: t3.xlarge (16 GiB) is the smallest that holds it; Tesseract alone runs on a t3.medium."
  type        = string
  default     = "t3.xlarge"
}

variable "ollama_model" {
  description = "Ollama vision model the instance downloads and the verifier uses (OLLAMA_MODEL)."
  type        = string
  default     = "llama3.2-vision"
}

variable "compose_version" {
  description = "Docker Compose release the boot script installs as docker-compose (checked against the release's SHA-256 file)."
  type        = string
  default     = "v2.32.4"
}

# From the persistent unit (Terragrunt passes its outputs; see terragrunt.hcl).

variable "certificate_arn" {
  description = "ARN of the service's ACM certificate (persistent unit)."
  type        = string
}

variable "load_balancer_security_group_id" {
  description = "Security group of the load balancer, the only source the instance admits (persistent unit)."
  type        = string
}

variable "target_group_arn" {
  description = "Target group the instance registers in (persistent unit)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the service (persistent unit)."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the service; the instance goes in the first whose zone offers instance_type (persistent unit)."
  type        = list(string)
}

variable "model_cache_bucket" {
  description = "Name of the S3 model cache bucket (persistent unit)."
  type        = string
}

variable "model_cache_bucket_arn" {
  description = "ARN of the S3 model cache bucket (persistent unit)."
  type        = string
}

variable "image_repository_url" {
  description = "ECR repository URL of the verifier image (persistent unit)."
  type        = string
}

variable "image_repository_arn" {
  description = "ARN of the ECR repository (persistent unit)."
  type        = string
}

variable "service_url" {
  description = "Public URL of the service (persistent unit)."
  type        = string
}
