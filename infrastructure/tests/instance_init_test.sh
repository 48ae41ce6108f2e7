#!/bin/bash
# Runs instance_init.sh's background model download against stand-ins for `docker` (an Ollama
# container whose models are a marker file) and `aws` (S3 as a folder), through its three paths:
# cache miss (pull, then export to S3), cache hit (restore, no pull), model already there.
# Checks the log, the S3 object, and that the large archive was made under WORK_DIR and removed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
script="$here/../instance_init.sh"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/app" "$root/work" "$root/s3" "$root/ollama"
export STATE=$root

cat >"$root/bin/docker" <<'EOF'
#!/bin/bash
# docker exec [-i] ttb-ollama COMMAND...: an Ollama container whose model is $STATE/ollama/model.
set -euo pipefail
echo "docker $* TMPDIR=${TMPDIR:-}" >>"$STATE/calls"
[ "$1" = exec ] || exit 1
shift
[ "$1" = -i ] && shift
[ "$1" = ttb-ollama ] || { echo "no such container: $1" >&2; exit 1; }
shift
case "$*" in
  "ollama list")
    echo "NAME                      ID              SIZE      MODIFIED"
    if [ -f "$STATE/ollama/model" ]; then echo "llama3.2-vision:latest    085a1fdae525    7.9 GB    1 second ago"; fi
    ;;
  "ollama pull llama3.2-vision") echo "pulling manifest"; echo "success"; touch "$STATE/ollama/model" ;;
  "tar -C /root/.ollama -cf - models") [ -f "$STATE/ollama/model" ] && echo "models/manifests/llama3.2-vision" ;;
  "tar -C /root/.ollama -xf -") grep -q "models/manifests/llama3.2-vision" && touch "$STATE/ollama/model" ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
EOF

cat >"$root/bin/aws" <<'EOF'
#!/bin/bash
# aws s3api head-object / aws s3 cp, with S3 as the folder $STATE/s3/BUCKET/KEY.
set -euo pipefail
echo "aws $*" >>"$STATE/calls"
case "$1 $2" in
  "s3api head-object") [ -f "$STATE/s3/$4/$6" ] ;;
  "s3 cp")
    from=$4 to=$5
    case "$from" in s3://*) from="$STATE/s3/${from#s3://}" ;; esac
    case "$to" in s3://*) to="$STATE/s3/${to#s3://}"; mkdir -p "$(dirname "$to")" ;; esac
    cp "$from" "$to"
    ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
EOF
chmod +x "$root/bin/docker" "$root/bin/aws"
printf 'MODEL_BUCKET=ttb-verifier-ollama-models-123456789012\nOLLAMA_MODEL=llama3.2-vision\n' >"$root/app/instance.env"

failures=0
check() { # check DESCRIPTION COMMAND...
  if "${@:2}"; then echo "ok: $1"; else echo "FAILED: $1"; failures=$((failures + 1)); fi
}
run_download() {
  : >"$root/calls"
  : >"$root/log"
  PATH="$root/bin:$PATH" APP_DIR="$root/app" WORK_DIR="$root/work" MODEL_LOG="$root/log" \
    bash "$script" download-model
}
object="$root/s3/ttb-verifier-ollama-models-123456789012/models/llama3.2-vision.tar.gz"

run_download
check "miss: logged as a cache miss" grep -q "cache miss: s3://ttb-verifier-ollama-models-123456789012/models/llama3.2-vision.tar.gz does not exist" "$root/log"
check "miss: pulled from the registry" grep -q "ollama pull llama3.2-vision" "$root/calls"
check "miss: exported the archive to S3" grep -q "models/manifests/llama3.2-vision" <(gzip -dc "$object")
check "miss: archive made under WORK_DIR" grep -q "aws s3 cp --no-progress $root/work/model.tar.gz s3://" "$root/calls"
check "miss: archive removed afterwards" test ! -e "$root/work/model.tar.gz"
check "miss: TMPDIR is WORK_DIR" grep -q "TMPDIR=$root/work" "$root/calls"
check "miss: model in Ollama" test -f "$root/ollama/model"

rm "$root/ollama/model"
run_download
check "hit: logged as a cache hit" grep -q "cache hit: downloading" "$root/log"
check "hit: restored, no pull" bash -c "! grep -q 'ollama pull' '$root/calls'"
check "hit: model in Ollama" test -f "$root/ollama/model"
check "hit: says how long it took" grep -Eq "restored from the cache in [0-9]+ s" "$root/log"
check "hit: archive removed afterwards" test ! -e "$root/work/model.tar.gz"

run_download
check "present: nothing to do" grep -q "already in Ollama; nothing to do" "$root/log"
check "present: S3 not asked" bash -c "! grep -q '^aws' '$root/calls'"

echo "instance_init_test: $((14 - failures)) of 14 checks passed"
[ "$failures" -eq 0 ]
