variable "aws_region" {
  description = "AWS region for every resource (Terragrunt passes AWS_REGION, default us-east-1)."
  type        = string
  default     = "us-east-1"
}

variable "project" {
  description = "Name prefix of every resource; the runbook's commands assume ttb-verifier."
  type        = string
  default     = "ttb-verifier"
}

variable "domain_name" {
  description = "Public host name of the service (the certificate's name), e.g. ttb-verifier.example.gov."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of domain_name. When set, the certificate's validation records and an alias to the load balancer are created there; when null, add them in your DNS by hand (see DEPLOYMENT_GUIDE.md)."
  type        = string
  default     = null
}

variable "allowed_cidr_blocks" {
  description = "Client networks allowed to reach the load balancer on ports 80 and 443 (the agency's egress ranges, or 0.0.0.0/0 for anyone)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "vpc_id" {
  description = "VPC to run in; null uses the account's default VPC."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Public subnets (two or more, in different availability zones) for the load balancer and the instance; null uses the VPC's default subnets."
  type        = list(string)
  default     = null
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose workflow may deploy, through OIDC."
  type        = string
}

variable "github_deploy_branch" {
  description = "Branch whose pushes deploy; tokens from other branches, tags and pull requests cannot assume the deploy role."
  type        = string
  default     = "master"
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC identity provider; false when the account already has one (there can be only one per URL)."
  type        = bool
  default     = true
}

variable "load_balancer_deletion_protection" {
  description = "Protect the load balancer from deletion; turn off only to tear the whole service down."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Days the load balancer's and the model bucket's access logs are kept."
  type        = number
  default     = 90
}
