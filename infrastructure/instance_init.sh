#!/bin/bash
# Boot script of the ttb-verifier instance (Amazon Linux 2023), run once as EC2 user data.
#
#   instance_init.sh [boot]         install Docker and docker-compose, lay out /app, start the
#                                   verifier at once (degraded: Tesseract only), then start the
#                                   model download in the background and return
#   instance_init.sh download-model the background part: bring the Ollama model from the S3 cache,
#                                   or pull it from the Ollama registry and export it to the cache
#
# instance.tf puts the settings in front of this script as exports: AWS_REGION, MODEL_BUCKET,
# IMAGE_REPOSITORY, OLLAMA_MODEL, COMPOSE_VERSION, and the compose file and deploy.sh as
# COMPOSE_FILE_B64 and DEPLOY_SCRIPT_B64. The boot writes them to /app/instance.env for the
# download and for deploy.sh.
#
# /health says "degraded" until the model is in Ollama and "healthy" within the verifier's next
# availability check after (TTB_OLLAMA_CHECK_SECONDS, 10 s). Progress goes to MODEL_LOG.
set -euo pipefail

# Where things are (the operations runbook names each of these). Overridable for tests.
APP_DIR=${APP_DIR:-/app}
MODEL_LOG=${MODEL_LOG:-/var/log/ollama-model-download.log}
# Large files go under /home: /tmp is a RAM-backed tmpfs on Amazon Linux 2023, too small for the
# ~8 GB model archive.
WORK_DIR=${WORK_DIR:-/home}
OLLAMA_CONTAINER=ttb-ollama
OLLAMA_SERVICE=ollama
MODEL_UNIT=ollama-model-download

log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
}

# ---- boot ------------------------------------------------------------------------------------

boot() {
  : "${AWS_REGION:?}" "${MODEL_BUCKET:?}" "${IMAGE_REPOSITORY:?}" "${OLLAMA_MODEL:?}"
  : "${COMPOSE_VERSION:?}" "${COMPOSE_FILE_B64:?}" "${DEPLOY_SCRIPT_B64:?}"
  log "boot: installing Docker and docker-compose ${COMPOSE_VERSION}"
  install_docker
  install_compose
  lay_out_app
  # Ollama first, so the download can start whether or not the verifier image exists yet.
  (cd "$APP_DIR" && docker-compose up -d "$OLLAMA_SERVICE")
  start_model_download
  log "boot: starting the verifier (degraded until the model is in Ollama)"
  if "$APP_DIR/deploy.sh"; then
    log "boot: verifier started"
  else
    log "boot: the verifier did not start; the first deploy from GitHub Actions (or /app/deploy.sh) starts it"
  fi
}

install_docker() {
  dnf install -y -q docker
  systemctl enable --now docker
}

install_compose() {
  local plugins=/usr/local/lib/docker/cli-plugins
  local asset url
  asset="docker-compose-linux-$(uname -m)"
  url="https://github.com/docker/compose/releases/download/${COMPOSE_VERSION}/${asset}"
  mkdir -p "$plugins"
  (
    cd "$plugins"
    curl -fsSL --retry 5 -o "$asset" "$url"
    curl -fsSL --retry 5 -o "$asset.sha256" "$url.sha256"
    sha256sum -c "$asset.sha256"
    mv "$asset" docker-compose
    rm -f "$asset.sha256"
    chmod 755 docker-compose
  )
  # The runbook calls the standalone form, `docker-compose`; the plugin binary answers to both.
  ln -sf "$plugins/docker-compose" /usr/local/bin/docker-compose
}

lay_out_app() {
  mkdir -p "$APP_DIR"
  printf '%s' "$COMPOSE_FILE_B64" | base64 -d >"$APP_DIR/docker-compose.yml"
  printf '%s' "$DEPLOY_SCRIPT_B64" | base64 -d >"$APP_DIR/deploy.sh"
  chmod 755 "$APP_DIR/deploy.sh"
  cat >"$APP_DIR/instance.env" <<EOF
AWS_REGION=${AWS_REGION}
MODEL_BUCKET=${MODEL_BUCKET}
IMAGE_REPOSITORY=${IMAGE_REPOSITORY}
OLLAMA_MODEL=${OLLAMA_MODEL}
EOF
  # Compose reads .env beside the compose file: the model name here, the image from deploy.sh.
  printf 'OLLAMA_MODEL=%s\n' "$OLLAMA_MODEL" >"$APP_DIR/.env"
  install -m 755 "$0" "$APP_DIR/instance_init.sh"
}

# A transient systemd service, so the download outlives cloud-init and shows in systemctl.
start_model_download() {
  systemd-run --unit="$MODEL_UNIT" --description="Ollama model download for ttb-verifier" \
    --collect "$APP_DIR/instance_init.sh" download-model
  log "boot: model download started in the background; progress in $MODEL_LOG"
}

# ---- download-model --------------------------------------------------------------------------

download_model() {
  if [ -f "$APP_DIR/instance.env" ]; then
    set -a
    # shellcheck source=/dev/null
    . "$APP_DIR/instance.env"
    set +a
  fi
  : "${MODEL_BUCKET:?}" "${OLLAMA_MODEL:?}"
  local model_key="models/${OLLAMA_MODEL}.tar.gz"
  local model_uri="s3://${MODEL_BUCKET}/${model_key}"
  local archive="${WORK_DIR}/model.tar.gz"
  local started
  started=$(date +%s)
  exec >>"$MODEL_LOG" 2>&1
  # aws and tar spool here too, not in the small /tmp.
  export TMPDIR="$WORK_DIR"

  log "model ${OLLAMA_MODEL}: starting (cache ${model_uri}, work directory ${WORK_DIR})"
  wait_for_ollama
  if model_listed; then
    log "model ${OLLAMA_MODEL}: already in Ollama; nothing to do"
    return 0
  fi
  df -h "$WORK_DIR" | sed 's/^/  /'

  if aws s3api head-object --bucket "$MODEL_BUCKET" --key "$model_key" >/dev/null 2>&1; then
    log "cache hit: downloading ${model_uri} to ${archive}"
    if aws s3 cp --no-progress "$model_uri" "$archive" && restore_archive "$archive" && model_listed; then
      rm -f "$archive"
      log "model ${OLLAMA_MODEL}: restored from the cache in $(($(date +%s) - started)) s; /health turns healthy at the verifier's next check"
      return 0
    fi
    rm -f "$archive"
    log "cache restore failed; pulling from the Ollama registry instead"
  else
    log "cache miss: ${model_uri} does not exist; pulling from the Ollama registry"
  fi

  pull_model
  log "model ${OLLAMA_MODEL}: pulled in $(($(date +%s) - started)) s; /health turns healthy at the verifier's next check"
  if export_archive "$archive" && aws s3 cp --no-progress "$archive" "$model_uri"; then
    log "exported to ${model_uri}: the next instance restores from the cache"
  else
    log "warning: export to ${model_uri} failed; the next instance pulls from the registry again"
  fi
  rm -f "$archive"
}

wait_for_ollama() {
  local tries=0
  until docker exec "$OLLAMA_CONTAINER" ollama list >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
      log "error: Ollama (container ${OLLAMA_CONTAINER}) did not answer within 5 minutes"
      exit 1
    fi
    sleep 5
  done
}

# Whether Ollama lists the model: "llama3.2-vision" matches any of its tags, as in the verifier.
model_listed() {
  local listing
  listing=$(docker exec "$OLLAMA_CONTAINER" ollama list) || return 1
  awk -v model="$OLLAMA_MODEL" '
    NR > 1 { split($1, name, ":"); if ($1 == model || name[1] == model) found = 1 }
    END { exit !found }' <<<"$listing"
}

# The archive holds Ollama's models directory (manifests and blobs); Ollama lists a model as soon
# as its files are there.
restore_archive() {
  log "restoring $1 into Ollama"
  gzip -dc "$1" | docker exec -i "$OLLAMA_CONTAINER" tar -C /root/.ollama -xf -
}

export_archive() {
  log "exporting the model to $1"
  docker exec "$OLLAMA_CONTAINER" tar -C /root/.ollama -cf - models | gzip -1 >"$1"
}

pull_model() {
  local attempt
  for attempt in 1 2 3; do
    log "ollama pull ${OLLAMA_MODEL} (attempt ${attempt} of 3)"
    if docker exec "$OLLAMA_CONTAINER" ollama pull "$OLLAMA_MODEL"; then
      return 0
    fi
    sleep 30
  done
  log "error: could not pull ${OLLAMA_MODEL}; the service stays degraded (Tesseract only)"
  exit 1
}

case "${1:-boot}" in
  boot) boot ;;
  download-model) download_model ;;
  *)
    echo "usage: $0 [boot|download-model]" >&2
    exit 2
    ;;
esac
