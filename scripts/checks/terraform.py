#!/usr/bin/env python3
"""Parses every Terraform and Terragrunt file under infrastructure/ with python-hcl2 and checks
what the operations runbook and the deployment rely on, with no cloud access.

Every .tf, .hcl and .tfvars file must parse. Then, in the Terraform units:
- every variable has a description; the example tfvars sets only declared variables;
- the instance is tagged Name = ttb-verifier, its type is a variable, its root volume is set in
  instance.tf (the runbook: "Increase root volume size in infrastructure/instance.tf");
- the target group checks /health; the HTTPS listener uses the validated certificate;
- the model cache bucket is ttb-verifier-ollama-models-<ACCOUNT_ID>, encrypted, versioned and
  private; both units output certificate_arn (the runbook's `terragrunt output`).

Usage: terraform.py [INFRASTRUCTURE_DIR]   (default: infrastructure/ beside this repository)
"""

import re
import sys
from pathlib import Path

import hcl2


def plain(value):
    """python-hcl2 keeps the quotes of string literals and block labels: drop them."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items() if k not in ("__is_block__", "__comments__")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def blocks(doc, kind):
    """(type, name, body) of `kind` blocks (resource, data) or (name, body) of variable/output."""
    for entry in doc.get(kind, []):
        for first, rest in entry.items():
            if kind in ("resource", "data"):
                for name, body in rest.items():
                    yield first, name, body
            else:
                yield first, rest


def one(body, key):
    """A nested block written once comes back as a one-element list."""
    value = body.get(key)
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else value


class Checks:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)


def load_unit(directory, checks):
    docs = {}
    for path in sorted(directory.glob("*.tf")):
        docs[path.name] = load(path, checks)
    return docs


def load(path, checks):
    try:
        with path.open() as f:
            doc = plain(hcl2.load(f))
        checks.check(True, f"{path} parses")
        return doc
    except Exception as error:  # python-hcl2 raises lark's errors, several kinds
        checks.check(False, f"{path} does not parse: {error}")
        return {}


def merged(docs, kind):
    for doc in docs.values():
        yield from blocks(doc, kind)


def variable_defaults(docs):
    return {name: body.get("default") for name, body in merged(docs, "variable")}


def resolve(text, defaults):
    """Substitutes ${var.NAME} with NAME's default, where it has one."""
    return re.sub(r"\$\{var\.(\w+)\}", lambda m: str(defaults.get(m.group(1), m.group(0))), text)


def check_unit(name, docs, checks):
    variables = dict(merged(docs, "variable"))
    for var, body in variables.items():
        description = body.get("description", "")
        checks.check(bool(description and description.strip()), f"{name}: variable {var} has a description")
    outputs = dict(merged(docs, "output"))
    for out, body in outputs.items():
        checks.check(bool(body.get("description")), f"{name}: output {out} has a description")
    checks.check("certificate_arn" in outputs, f"{name}: outputs certificate_arn")
    return variables


def check_service(docs, checks):
    defaults = variable_defaults(docs)
    instances = [(n, b) for t, n, b in blocks(docs.get("instance.tf", {}), "resource") if t == "aws_instance"]
    checks.check(len(instances) == 1, "service: instance.tf declares one aws_instance")
    if not instances:
        return
    _, instance = instances[0]
    tags = instance.get("tags", {})
    checks.check(resolve(str(tags.get("Name")), defaults) == "ttb-verifier", "service: instance tagged Name = ttb-verifier")
    checks.check(instance.get("instance_type") == "${var.instance_type}", "service: instance type is var.instance_type")
    root = one(instance, "root_block_device") or {}
    size = root.get("volume_size")
    checks.check(isinstance(size, int) and size >= 30, f"service: root volume size set in instance.tf ({size} GB)")
    checks.check(root.get("encrypted") is True, "service: root volume encrypted")
    metadata = one(instance, "metadata_options") or {}
    checks.check(metadata.get("http_tokens") == "required", "service: IMDSv2 only")
    user_data = str(docs.get("instance.tf", {}).get("locals", [{}])[0].get("user_data", ""))
    checks.check("instance_init.sh" in user_data, "service: user data runs instance_init.sh")
    checks.check("ttb-verifier" == defaults.get("project"), "service: project defaults to ttb-verifier")

    ingress = [b for t, _, b in merged(docs, "resource") if t == "aws_vpc_security_group_ingress_rule"]
    checks.check(
        len(ingress) == 1 and "load_balancer_security_group_id" in str(ingress[0].get("referenced_security_group_id"))
        and ingress[0].get("from_port") == 8000 and "cidr_ipv4" not in ingress[0],
        "service: the instance admits the load balancer only, on port 8000",
    )
    roles = [b for t, _, b in merged(docs, "resource") if t == "aws_iam_role_policy_attachment"]
    checks.check(any("AmazonSSMManagedInstanceCore" in str(b.get("policy_arn")) for b in roles), "service: instance role has SSM")
    policy = str([b for t, n, b in merged(docs, "data") if t == "aws_iam_policy_document" and n == "instance"])
    checks.check("model_cache_bucket_arn" in policy and "s3:PutObject" in policy, "service: instance role reads and writes the model cache")


def check_persistent(docs, checks):
    defaults = variable_defaults(docs)
    resources = {(t, n): b for t, n, b in merged(docs, "resource")}
    bucket = resources.get(("aws_s3_bucket", "model_cache"), {})
    name = resolve(str(bucket.get("bucket")), defaults)
    checks.check(
        name == "ttb-verifier-ollama-models-${data.aws_caller_identity.current.account_id}",
        f"persistent: model cache bucket is ttb-verifier-ollama-models-<ACCOUNT_ID> ({name})",
    )
    encryption = resources.get(("aws_s3_bucket_server_side_encryption_configuration", "model_cache"), {})
    checks.check("sse_algorithm" in str(encryption), "persistent: model cache encrypted")
    versioning = resources.get(("aws_s3_bucket_versioning", "model_cache"), {})
    checks.check("'status': 'Enabled'" in str(versioning), "persistent: model cache versioned")
    public = resources.get(("aws_s3_bucket_public_access_block", "model_cache"), {})
    checks.check(
        all(public.get(k) is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")),
        "persistent: model cache private (public access blocked)",
    )
    target_group = resources.get(("aws_lb_target_group", "service"), {})
    health = one(target_group, "health_check") or {}
    checks.check(health.get("path") == "/health" and health.get("matcher") == "200", "persistent: target group checks GET /health for 200")
    https = resources.get(("aws_lb_listener", "https"), {})
    checks.check(
        https.get("protocol") == "HTTPS" and "aws_acm_certificate_validation" in str(https.get("certificate_arn")),
        "persistent: HTTPS listener with the validated certificate",
    )
    certificate = resources.get(("aws_acm_certificate", "service"), {})
    checks.check(certificate.get("validation_method") == "DNS", "persistent: certificate validated through DNS")
    checks.check(("aws_iam_openid_connect_provider", "github") in resources, "persistent: GitHub OIDC provider")
    trust = str([b for t, n, b in merged(docs, "data") if n == "github_assume"])
    checks.check("token.actions.githubusercontent.com:sub" in trust, "persistent: deploy role trusts one repository and branch")


def check_tfvars(path, declared, checks):
    doc = load(path, checks)
    unknown = sorted(set(doc) - declared)
    checks.check(not unknown, f"{path.name}: sets only declared variables (unknown: {unknown})")


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "infrastructure"
    checks = Checks()
    tf_files = sorted(root.rglob("*.tf"))
    for path in sorted(root.rglob("*.hcl")):
        load(path, checks)
    service = load_unit(root, checks)
    persistent = load_unit(root / "persistent", checks)
    declared = set(check_unit("service", service, checks)) | set(check_unit("persistent", persistent, checks))
    check_service(service, checks)
    check_persistent(persistent, checks)
    examples = sorted(root.glob("*.tfvars.example"))
    checks.check(bool(examples), "an example tfvars exists")
    for path in examples:
        check_tfvars(path, declared, checks)
    for failure in checks.failures:
        print(f"FAILED: {failure}")
    print(f"terraform: {len(tf_files)} .tf files parsed; {checks.passed} checks passed, {len(checks.failures)} failed")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
