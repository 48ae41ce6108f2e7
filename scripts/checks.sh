#!/usr/bin/env bash
# Checks of the deployment that need no cloud access: every Terraform file parses and the
# infrastructure holds what the runbook names (python-hcl2); checkov over infrastructure/ and
# the workflows; ShellCheck over every shell script in the repository; hadolint on the
# Dockerfile; the boot script's model download against stand-ins; docs/API.md in step with
# server/openapi.json.
#
#   scripts/checks.sh [terraform|checkov|shellcheck|hadolint|boot-script|api-doc]...   (all when none)
#
# The PyPI tools, pinned in scripts/checks/*-requirements.txt, go into virtualenvs under
# target/check-tools/ (made again when a requirements file changes). The runbook's own check
# (names, paths, /health and /verify against the real server) is a server test:
# server/tests/it/runbook.rs.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

tools=target/check-tools

# venv NAME: the virtualenv with scripts/checks/NAME-requirements.txt installed.
venv() {
  local dir="$tools/$1" requirements="scripts/checks/$1-requirements.txt"
  if ! cmp -s "$requirements" "$dir/installed-requirements.txt"; then
    echo "checks: installing $requirements into $dir" >&2
    rm -rf "$dir"
    python3 -m venv "$dir" || return 1
    "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements" || return 1
    cp "$requirements" "$dir/installed-requirements.txt"
  fi
  echo "$dir"
}

# Every shell script the repository has (tracked or new, not ignored): *.sh, and files whose
# first line names sh or bash.
shell_scripts() {
  git ls-files --cached --others --exclude-standard | sort -u | while IFS= read -r file; do
    [ -f "$file" ] || continue
    case "$file" in
      *.sh) echo "$file" ;;
      *) head -n 1 "$file" 2>/dev/null | grep -Eq '^#!.*(/|env )(ba)?sh( |$)' && echo "$file" ;;
    esac
  done
}

check_terraform() {
  local dir
  dir=$(venv lint)
  "$dir/bin/python" scripts/checks/terraform.py infrastructure
}

check_checkov() {
  local dir
  dir=$(venv checkov)
  # --skip-download: no Prisma Cloud look-ups (there is no network here, nor a need for one).
  "$dir/bin/checkov" --directory infrastructure --framework terraform --skip-download --compact --quiet
  echo "checkov: infrastructure/ passed (skipped checks are justified in comments beside their resources)"
  "$dir/bin/checkov" --directory .github/workflows --framework github_actions --skip-download --compact --quiet
  echo "checkov: .github/workflows/ passed"
}

check_shellcheck() {
  local dir scripts
  dir=$(venv lint)
  mapfile -t scripts < <(shell_scripts)
  "$dir/bin/shellcheck" --external-sources "${scripts[@]}"
  echo "shellcheck: ${#scripts[@]} scripts clean: ${scripts[*]}"
}

check_hadolint() {
  local dir
  dir=$(venv lint)
  "$dir/bin/hadolint" --config .hadolint.yaml Dockerfile
  echo "hadolint: Dockerfile clean"
}

check_boot_script() {
  infrastructure/tests/instance_init_test.sh
}

check_api_doc() {
  python3 scripts/checks/api_reference.py
}

all=(terraform checkov shellcheck hadolint boot-script api-doc)
selected=("$@")
[ ${#selected[@]} -gt 0 ] || selected=("${all[@]}")
failed=()
for name in "${selected[@]}"; do
  case "$name" in
    terraform | checkov | shellcheck | hadolint | boot-script | api-doc) ;;
    *)
      echo "usage: $0 [${all[*]}]..." >&2
      exit 2
      ;;
  esac
  echo "== $name" >&2
  # In a subshell run on its own, so that errexit holds inside the check (it is off in
  # functions called from `||` or `if`).
  set +e
  (
    set -e
    "check_${name//-/_}"
  )
  status=$?
  set -e
  [ "$status" -eq 0 ] || failed+=("$name")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "checks failed: ${failed[*]}" >&2
  exit 1
fi
echo "checks: all of ${selected[*]} passed"
