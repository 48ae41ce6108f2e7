# Settings both Terragrunt units share (read by ./terragrunt.hcl and ./persistent/terragrunt.hcl).
# Terraform state lives in S3 in the deploying account; Terragrunt creates the bucket on first use.
locals {
  aws_region = get_env("AWS_REGION", "us-east-1")

  state = {
    bucket       = "ttb-verifier-tfstate-${get_aws_account_id()}"
    region       = get_env("AWS_REGION", "us-east-1")
    encrypt      = true
    use_lockfile = true
  }
}
