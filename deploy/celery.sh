#!/usr/bin/env bash
# Production Celery: one worker process group and exactly one beat (run beat on one host only).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-worker}" in
  worker) exec .venv/bin/celery -A pingcheng worker --loglevel=INFO --concurrency="${CELERY_CONCURRENCY:-2}" ;;
  beat) exec .venv/bin/celery -A pingcheng beat --loglevel=INFO --schedule "${VAR_DIR:-var}/celerybeat-schedule" ;;
  *) echo "usage: $0 worker|beat" >&2; exit 2 ;;
esac
