#!/usr/bin/env bash
# End-to-end: starts the portal (unless one already answers on :3000 and :7007),
# checks the backend serves the catalog to the static script token, then drives
# Debian's headless Chromium with Playwright. Screenshots: e2e-test-report/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '\033[36m[itsm e2e]\033[0m %s\n' "$*" >&2; }

export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's chromium (Playwright never downloads a browser here)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    log "no Chromium at $CHROMIUM_PATH: install Debian's chromium package, set CHROMIUM_PATH, or run with ITSM_SKIP_E2E=1"
    exit 1
  fi
fi

token="${ITSM_STATIC_TOKEN:-itsm-local-development-token}"
answers() { curl -fs -o /dev/null --max-time 2 "$1"; }
pgid=""
cleanup() {
  if [ -n "$pgid" ]; then
    log "stopping the portal"
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pgid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

if answers http://localhost:3000 && answers http://localhost:7007/.backstage/health/v1/readiness; then
  log "reusing the portal already running on :3000 and :7007"
else
  mkdir -p e2e-test-report
  log "starting the portal (log: e2e-test-report/portal.log)"
  setsid yarn dev >e2e-test-report/portal.log 2>&1 &
  pgid=$!
  for _ in $(seq 1 240); do
    if answers http://localhost:7007/.backstage/health/v1/readiness && answers http://localhost:3000; then break; fi
    if ! kill -0 "$pgid" 2>/dev/null; then log "the portal exited:"; tail -40 e2e-test-report/portal.log; exit 1; fi
    sleep 1
  done
  answers http://localhost:3000 || { log "the portal did not come up in 240 s"; tail -40 e2e-test-report/portal.log; exit 1; }
fi

backend_failed() {
  [ -n "$pgid" ] && grep -q 'Backend startup failed' e2e-test-report/portal.log 2>/dev/null
}

log "smoke: the backend serves the demo catalog to the static token"
found=""
for _ in $(seq 1 60); do
  if curl -fs --max-time 5 -H "Authorization: Bearer $token" \
    'http://localhost:7007/api/catalog/entities/by-name/component/default/payments-api' -o /dev/null; then
    found=1
    break
  fi
  if backend_failed; then break; fi
  sleep 1
done
if [ -z "$found" ]; then
  log "the catalog does not serve component:default/payments-api"
  grep -m 5 -i 'error' e2e-test-report/portal.log || true
  exit 1
fi
count="$(curl -fsS -H "Authorization: Bearer $token" 'http://localhost:7007/api/catalog/entity-facets?facet=kind' |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const f=JSON.parse(s).facets.kind;console.log(f.map(x=>`${x.value}=${x.count}`).join(" "))})')"
log "catalog: $count"
status="$(curl -s -o /dev/null -w '%{http_code}' 'http://localhost:7007/api/catalog/entities?limit=1')"
[ "$status" = 401 ] || { log "expected 401 without a token, got $status"; exit 1; }

log "smoke: the ITSM backend serves demo records for a demo component"
records=0
for _ in $(seq 1 120); do
  records="$(curl -fs --max-time 5 -H "Authorization: Bearer $token" \
    'http://localhost:7007/api/itsm/records?entityRef=component:default/payments-api&limit=500' |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).items.length)}catch{console.log(0)}})' || echo 0)"
  [ "$records" -gt 0 ] && break
  if backend_failed; then break; fi
  sleep 1
done
[ "$records" -gt 0 ] || { log "no ITSM records for payments-api after 120 s"; curl -s -H "Authorization: Bearer $token" http://localhost:7007/api/itsm/sync; exit 1; }
log "itsm: $records records on the first page for component:default/payments-api"
for _ in $(seq 1 120); do
  pending="$(curl -fs -H "Authorization: Bearer $token" http://localhost:7007/api/itsm/sync |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{console.log(JSON.parse(s).items.filter(p=>p.providerId.startsWith("file:")&&!p.lastSucceededAt).length)})' || echo 1)"
  [ "$pending" = 0 ] && break
  sleep 1
done
[ "$pending" = 0 ] || { log "the demo file providers did not finish their first sync in 120 s"; exit 1; }
curl -fs -H "Authorization: Bearer $token" http://localhost:7007/api/itsm/sync |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const p of JSON.parse(s).items)console.error(`  ${p.providerId}: ${p.totals.records} records, ${p.totals.deadLetters} dead letters, last error ${p.lastError ?? "none"}`)})'

yarn playwright test "$@"
