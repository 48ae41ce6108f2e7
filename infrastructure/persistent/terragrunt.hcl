# The persistent unit: what outlives an instance recreation. The load balancer (so the DNS name and
# the certificate stay), the model cache bucket (so a new instance restores the model from S3),
# the image repository and the GitHub deploy role. Applied once, before the service unit in
# ../terragrunt.hcl, and rarely after. It reads the same terraform.tfvars as the service unit.
locals {
  common = read_terragrunt_config("${get_terragrunt_dir()}/../common.hcl")
}

remote_state {
  backend = "s3"
  config  = merge(local.common.locals.state, { key = "persistent/terraform.tfstate" })
}

terraform {
  extra_arguments "shared_settings" {
    commands           = get_terraform_commands_that_need_vars()
    optional_var_files = ["${get_terragrunt_dir()}/../terraform.tfvars"]
  }
}

inputs = {
  aws_region = local.common.locals.aws_region
}
