# Terragrunt root of ttb-verifier's infrastructure: the service unit. It holds the instance and
# what is recreated with it (its security group, role and target registration), so the runbook's
# `cd infrastructure && terragrunt destroy && terragrunt apply` recreates the instance while the
# persistent unit (./persistent: load balancer, certificate, model cache, image repository,
# GitHub deploy role) stays. Apply ./persistent first (DEPLOYMENT_GUIDE.md).
locals {
  common = read_terragrunt_config("${get_terragrunt_dir()}/common.hcl")
}

remote_state {
  backend = "s3"
  config  = merge(local.common.locals.state, { key = "service/terraform.tfstate" })
}

# terraform.tfvars beside this file is read by Terraform itself (this unit runs in place).

dependency "persistent" {
  config_path = "${get_terragrunt_dir()}/persistent"

  # Only so that `terragrunt validate` works before ./persistent is applied.
  mock_outputs_allowed_terraform_commands = ["validate"]
  mock_outputs = {
    certificate_arn                 = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    load_balancer_security_group_id = "sg-00000000000000000"
    target_group_arn                = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ttb-verifier/0000000000000000"
    vpc_id                          = "vpc-00000000000000000"
    subnet_ids                      = ["subnet-00000000000000000", "subnet-11111111111111111"]
    model_cache_bucket              = "ttb-verifier-ollama-models-123456789012"
    model_cache_bucket_arn          = "arn:aws:s3:::ttb-verifier-ollama-models-123456789012"
    image_repository_url            = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ttb-verifier"
    image_repository_arn            = "arn:aws:ecr:us-east-1:123456789012:repository/ttb-verifier"
    service_url                     = "https://ttb-verifier.example.gov"
  }
}

inputs = {
  aws_region                      = local.common.locals.aws_region
  certificate_arn                 = dependency.persistent.outputs.certificate_arn
  load_balancer_security_group_id = dependency.persistent.outputs.load_balancer_security_group_id
  target_group_arn                = dependency.persistent.outputs.target_group_arn
  vpc_id                          = dependency.persistent.outputs.vpc_id
  subnet_ids                      = dependency.persistent.outputs.subnet_ids
  model_cache_bucket              = dependency.persistent.outputs.model_cache_bucket
  model_cache_bucket_arn          = dependency.persistent.outputs.model_cache_bucket_arn
  image_repository_url            = dependency.persistent.outputs.image_repository_url
  image_repository_arn            = dependency.persistent.outputs.image_repository_arn
  service_url                     = dependency.persistent.outputs.service_url
}
