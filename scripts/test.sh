#!/usr/bin/env bash
# Everything CI checks, in order: prettier, lint, type check, the jest suites of
# every package (database suites on SQLite and, when a server answers, on
# PostgreSQL), then the end-to-end test in headless Chromium.
# Called through `npm test` / `bash scripts/run.sh test`, which set up the toolchain.
#
#   ITSM_SKIP_E2E=1   skip the browser test
#   BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=postgresql://user@host:port
#                     the PostgreSQL server for database suites (found on
#                     127.0.0.1:5432 when unset)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '\033[36m[itsm test]\033[0m %s\n' "$*" >&2; }
started=$SECONDS

# TestDatabases: never Docker here; PostgreSQL from the env or the local server.
export BACKSTAGE_TEST_DISABLE_DOCKER=1
pg_var=BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
if [ -z "${!pg_var:-}" ]; then
  candidate="postgresql://${PGUSER:-postgres}@127.0.0.1:5432"
  if node scripts/pg-probe.js "$candidate" >/dev/null 2>&1; then
    export "$pg_var=$candidate"
  fi
fi
if [ -n "${!pg_var:-}" ] && node scripts/pg-probe.js "${!pg_var}"; then
  log "PostgreSQL: database suites run on SQLite and on PostgreSQL 15 (${!pg_var%%@*}@…)"
else
  unset "$pg_var"
  if [ "${ITSM_REQUIRE_POSTGRES:-}" = 1 ]; then
    log "PostgreSQL: required (ITSM_REQUIRE_POSTGRES=1) but no server answers"
    exit 1
  fi
  log "PostgreSQL: no server answers; database suites run on SQLite only and the PostgreSQL cases are SKIPPED."
  log "  Start one, or set $pg_var, to run them (see README, Testing)."
fi

step() { log "── $1"; }
step "prettier"
yarn prettier --check --loglevel warn .
step "generated API contract is current"
# Regenerates from plugins/itsm-backend/src/schema/openapi.yaml in memory and
# fails naming the stale file: run `node scripts/openapi.mjs generate`.
yarn node scripts/openapi.mjs check
step "API spec lint"
# Spectral with Backstage's OpenAPI ruleset over plugins/itsm-backend/src/schema/openapi.yaml.
yarn backstage-repo-tools repo schema openapi lint plugins/itsm-backend
step "lint"
yarn backstage-cli repo lint --max-warnings 0
step "type check"
yarn tsc
step "unit, component and database tests"
CI=true yarn backstage-cli repo test --passWithNoTests
if [ "${ITSM_SKIP_E2E:-}" = 1 ]; then
  log "end-to-end: SKIPPED (ITSM_SKIP_E2E=1)"
else
  step "end-to-end (headless Chromium)"
  bash scripts/e2e.sh
fi
log "all checks passed in $((SECONDS - started)) s"
