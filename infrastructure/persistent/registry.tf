# The verifier's container images, pushed by the deploy workflow (tag: the commit's SHA) and
# pulled by the instance. Tags are immutable: a tag always names the commit it was built from.
resource "aws_ecr_repository" "verifier" {
  name                 = var.project
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_lifecycle_policy" "verifier" {
  repository = aws_ecr_repository.verifier.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the 30 newest images (rollback room), expire older ones"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = 30
      }
      action = { type = "expire" }
    }]
  })
}
