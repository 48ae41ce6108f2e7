# The service runs in an existing VPC (by default the account's default VPC): one instance behind
# one load balancer needs no network of its own.
data "aws_vpc" "selected" {
  id      = var.vpc_id
  default = var.vpc_id == null ? true : null
}

data "aws_subnets" "default_for_az" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.selected.id]
  }
  filter {
    name   = "default-for-az"
    values = ["true"]
  }
}

locals {
  subnet_ids = var.subnet_ids != null ? var.subnet_ids : sort(data.aws_subnets.default_for_az.ids)
}
