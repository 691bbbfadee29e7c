#!/usr/bin/env bash
# Entry point of the README's commands (`npm start`, `npm test`): brings the
# toolchain and the dependencies up to date, then runs the task.
#
#   bash scripts/run.sh start   # portal on :3000 (frontend) and :7007 (backend)
#   bash scripts/run.sh test    # lint, type check, unit + database tests, end-to-end
#   bash scripts/run.sh yarn …  # any yarn command with the project's toolchain
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '\033[36m[itsm]\033[0m %s\n' "$*" >&2; }

# Use Node 22+ and Yarn 4 already on the PATH when present; otherwise fetch them.
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
yarn_major="$( (yarn --version 2>/dev/null || echo 0) | cut -d. -f1)"
if [ "${ITSM_USE_SYSTEM_TOOLCHAIN:-}" = 1 ] || { [ "$node_major" -ge 22 ] && [ "$yarn_major" -ge 4 ]; }; then
  export YARN_ENABLE_TELEMETRY=0 BACKSTAGE_CLI_TELEMETRY=0
else
  # shellcheck source=scripts/toolchain.sh
  source "$root/scripts/toolchain.sh"
fi

# Install dependencies when the manifests changed since the last install.
deps_hash() {
  local manifests
  manifests=(package.json yarn.lock .yarnrc.yml)
  shopt -s nullglob
  manifests+=(packages/*/package.json plugins/*/package.json)
  shopt -u nullglob
  { cat "${manifests[@]}"; node -v; } | sha1sum | cut -d' ' -f1
}
stamp=node_modules/.itsm-install-stamp
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(deps_hash)" ]; then
  log "installing dependencies (yarn install; the first run on a new machine takes a few minutes)"
  yarn install
  deps_hash >"$stamp"
fi

task="${1:-}"
shift || true
case "$task" in
  start)
    log "starting the portal: http://localhost:3000 (backend http://localhost:7007); Ctrl-C stops it"
    exec yarn dev "$@"
    ;;
  test)
    exec bash "$root/scripts/test.sh" "$@"
    ;;
  yarn)
    exec yarn "$@"
    ;;
  *)
    echo "usage: bash scripts/run.sh start|test|yarn …" >&2
    exit 2
    ;;
esac
