#!/bin/bash
# Deploys the verifier on the instance: /app/deploy.sh [IMAGE]
#
# IMAGE is a tag of the verifier repository (the deploy workflow passes the commit's SHA) or a
# whole image reference in it. Without one, the newest image pushed to the repository is used
# (what the runbook's "Redeploy application" does). Logs in to ECR, pulls, runs
# `docker-compose up -d` in /app and waits until the container reports healthy (/health answers
# 200: healthy, or degraded while the model downloads). Exit status 0 when it does.
set -euo pipefail

APP_DIR=${APP_DIR:-/app}
VERIFIER_CONTAINER=ttb-verifier
HEALTH_WAIT_SECONDS=${HEALTH_WAIT_SECONDS:-180}

log() {
  printf '%s deploy: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
}

set -a
# shellcheck source=/dev/null
. "$APP_DIR/instance.env"
set +a
: "${AWS_REGION:?}" "${IMAGE_REPOSITORY:?}"
registry=${IMAGE_REPOSITORY%%/*}
repository=${IMAGE_REPOSITORY#*/}

requested=${1:-}
case "$requested" in
  "")
    # shellcheck disable=SC2016 # the backquotes are a JMESPath literal, not a command
    tag=$(aws ecr describe-images --region "$AWS_REGION" --repository-name "$repository" \
      --query 'sort_by(imageDetails[?imageTags != `null`], &imagePushedAt)[-1].imageTags[0]' --output text)
    if [ -z "$tag" ] || [ "$tag" = "None" ]; then
      log "no image in ${IMAGE_REPOSITORY} yet; the deploy workflow pushes one on every merge to master"
      exit 1
    fi
    image="${IMAGE_REPOSITORY}:${tag}"
    ;;
  "${IMAGE_REPOSITORY}:"*) image=$requested ;;
  */* | *:*)
    log "refusing ${requested}: not an image of ${IMAGE_REPOSITORY}"
    exit 2
    ;;
  *) image="${IMAGE_REPOSITORY}:${requested}" ;;
esac

log "deploying ${image}"
aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$registry" >/dev/null

cd "$APP_DIR"
# Compose reads .env: keep the other settings, replace the image.
touch .env
grep -v '^VERIFIER_IMAGE=' .env >.env.next || true
printf 'VERIFIER_IMAGE=%s\n' "$image" >>.env.next
mv .env.next .env

docker-compose pull verifier
docker-compose up -d

log "waiting for ${VERIFIER_CONTAINER} to report healthy (at most ${HEALTH_WAIT_SECONDS} s)"
deadline=$((SECONDS + HEALTH_WAIT_SECONDS))
status=starting
while [ "$SECONDS" -lt "$deadline" ]; do
  status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$VERIFIER_CONTAINER" 2>/dev/null || echo missing)
  [ "$status" = healthy ] && break
  sleep 3
done

if [ "$status" != healthy ]; then
  log "${VERIFIER_CONTAINER} is ${status}; last log lines:"
  docker logs --tail 50 "$VERIFIER_CONTAINER" || true
  exit 1
fi
log "${image} is up; /health says:"
curl -fsS http://127.0.0.1:8000/health
echo
docker image prune -f >/dev/null || true
