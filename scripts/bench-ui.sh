#!/usr/bin/env bash
# Frontend benchmark (issue 6): builds the app for production, starts the
# portal with the built app served by the backend on :7007, pushes 10,000
# open incidents to component:default/ci-runners through the push API, then
# runs scripts/bench-ui.mjs in Debian's headless chromium.
#
#   bash scripts/run.sh yarn bench:ui
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '\033[36m[bench ui]\033[0m %s\n' "$*" >&2; }
token="${ITSM_STATIC_TOKEN:-itsm-local-development-token}"

log "building the app for production"
yarn workspace app build >/tmp/itsm-bench-ui-build.log 2>&1 || { tail -30 /tmp/itsm-bench-ui-build.log; exit 1; }
node scripts/demo-data/generate.js --out examples/itsm-data >/dev/null

log "starting the backend, serving the built app on :7007"
export APP_CONFIG_app_baseUrl=http://localhost:7007
setsid yarn workspace backend start >/tmp/itsm-bench-ui-backend.log 2>&1 &
pgid=$!
trap 'kill -TERM -- "-$pgid" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs -o /dev/null http://localhost:7007/.backstage/health/v1/readiness && break
  sleep 1
done
for _ in $(seq 1 120); do
  curl -fs -H "Authorization: Bearer $token" \
    'http://localhost:7007/api/catalog/entities/by-name/component/default/ci-runners' -o /dev/null && break
  sleep 1
done

log "pushing 10,000 open incidents for component:default/ci-runners"
node -e '
const now = Date.now();
const batch = (start) => Array.from({ length: 5000 }, (_, j) => {
  const i = start + j;
  const opened = new Date(now - (i % 80) * 86400000 - (i % 1440) * 60000).toISOString();
  return { externalId: `bench-${i}`, kind: "incident", number: `BEN${String(i).padStart(6, "0")}`,
    title: `Runner pool degraded (${i})`, state: i % 3 ? "in_progress" : "new", priority: 3 + (i % 2),
    openedAt: opened, sourceUpdatedAt: opened, entityRefs: ["component:default/ci-runners"] };
});
(async () => {
  for (const start of [0, 5000]) {
    const res = await fetch("http://localhost:7007/api/itsm/ingest/push:scripts", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${process.argv[1]}` },
      body: JSON.stringify({ records: batch(start) }),
    });
    if (!res.ok) throw new Error(`push failed: ${res.status} ${await res.text()}`);
    console.error(JSON.stringify(await res.json()));
  }
})().catch(e => { console.error(e); process.exit(1); });
' "$token"
# Let the demo providers finish their first sync so the metrics have data.
sleep 20

node scripts/bench-ui.mjs
