# The model cache: s3://ttb-verifier-ollama-models-<ACCOUNT_ID>/models/<model>.tar.gz. A new
# instance restores the Ollama model from here in a minute or two instead of pulling ~8 GB from
# the Ollama registry; the first instance to pull the model exports it here
# (../instance_init.sh). Encrypted, private, versioned; old versions expire after a week.
resource "aws_s3_bucket" "model_cache" {
  # checkov:skip=CKV_AWS_145: the objects are a public model (llama3.2-vision from the Ollama registry), no agency data; SSE-S3 encrypts them at rest without a KMS key to run and pay for.
  # checkov:skip=CKV_AWS_144: a cache of a public download; losing the region's copy costs one pull from the registry, not data.
  # checkov:skip=CKV2_AWS_62: nothing reacts to changes in the cache; the instance reads it at boot.
  bucket = "${var.project}-ollama-models-${data.aws_caller_identity.current.account_id}"
}

resource "aws_s3_bucket_public_access_block" "model_cache" {
  bucket                  = aws_s3_bucket.model_cache.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "model_cache" {
  bucket = aws_s3_bucket.model_cache.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "model_cache" {
  bucket = aws_s3_bucket.model_cache.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "model_cache" {
  bucket = aws_s3_bucket.model_cache.id
  versioning_configuration {
    status = "Enabled"
  }
}

# Each version is ~8 GB: keep a replaced or deleted model a week (to undo a bad export), no longer.
resource "aws_s3_bucket_lifecycle_configuration" "model_cache" {
  bucket = aws_s3_bucket.model_cache.id

  rule {
    id     = "expire-old-model-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.model_cache]
}

resource "aws_s3_bucket_logging" "model_cache" {
  bucket        = aws_s3_bucket.model_cache.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/model-cache/"
}

# Only TLS requests.
data "aws_iam_policy_document" "model_cache" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.model_cache.arn,
      "${aws_s3_bucket.model_cache.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "model_cache" {
  bucket     = aws_s3_bucket.model_cache.id
  policy     = data.aws_iam_policy_document.model_cache.json
  depends_on = [aws_s3_bucket_public_access_block.model_cache]
}
