#!/usr/bin/env bash
# The README's first command: install, build, start a real Docker engine (offline
# recipe), then run the quickstart (examples/quickstart/stagecraft.yml) in the
# foreground: the dev files are generated, the stack starts, logs stream; Ctrl+C
# stops and removes it.
# Extra arguments go to `stagecraft dev` (e.g. --detach, --verbose, plan).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
if [ "$(id -u)" -eq 0 ]; then
  bash scripts/provision-docker.sh up   # idempotent: seconds when already done
elif ! docker info >/dev/null 2>&1; then
  echo "demo: no Docker engine answers; start Docker (or run scripts/provision-docker.sh up as root)" >&2; exit 2
fi
cd examples/quickstart
exec node ../../dist/src/cli.js dev "$@"
