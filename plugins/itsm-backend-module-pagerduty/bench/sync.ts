/*
 * Copyright 2026 The Backstage ITSM Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/*
 * Benchmark of one full PagerDuty sync (not a test):
 *
 *   yarn bench      (node --require @backstage/cli/config/nodeTransform.cjs bench/sync.ts)
 *
 * Starts a local node:http server on 127.0.0.1 that plays a PagerDuty account
 * with 50,000 incidents (each with its log entries) and 10,000 change events,
 * generated on demand from their index (the server holds nothing), with
 * PagerDuty's paging (limit/offset/more/total), its 10,000-result offset cap
 * (400, code 2002) and token auth. Then runs the provider's first sync,
 * consuming every batch like the engine and validating every record with
 * itsmRecordInputSchema, and prints records/s, requests and peak RSS.
 *
 * The client is the module's (PagerDutyClient on the ITSM HTTP layer) with
 * no request rate, since the simulator has no limit: the figures are the
 * connector's own cost. BENCH_RATE sets `maxRequestsPerSecond` (PagerDuty's
 * 960 a minute is 16, the module's default) to see a sync at the real limit.
 *
 * Environment: BENCH_INCIDENTS, BENCH_CHANGES, BENCH_CONCURRENCY, BENCH_RATE.
 */

import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  describeValidationError,
  itsmRecordInputSchema,
} from '@backstage-itsm/plugin-itsm-common';
import { PagerDutyClient } from '../src/client';
import { PagerDutyItsmProvider } from '../src/provider';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 50_000);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RATE = Number(process.env.BENCH_RATE ?? Infinity);
const TOKEN = 'bench-token';
const SERVICES = 200;
const MAX_OFFSET = 10_000;

const SECOND = 1000;
const NOW = Date.parse('2026-03-01T00:00:00Z');
const SINCE = NOW - 365 * 24 * 3600 * SECOND;
// Incidents crowd the last ~120 days: ~420 a day, so time windows must shrink
// to stay under the offset cap.
const INCIDENT_STEP = 207 * SECOND;
const INCIDENT_BASE = NOW - INCIDENTS * INCIDENT_STEP - 3600 * SECOND;
const CHANGE_STEP =
  Math.floor((NOW - INCIDENT_BASE) / CHANGES / SECOND) * SECOND;
const CHANGE_BASE = INCIDENT_BASE;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const ref = (type: string, id: string, summary: string, path: string) => ({
  id,
  type: `${type}_reference`,
  summary,
  self: `https://api.pagerduty.com/${path}/${id}`,
  html_url: `https://bench.pagerduty.com/${path}/${id}`,
});

function serviceOf(i: number) {
  const s = `PSVC${String(i % SERVICES).padStart(3, '0')}`;
  return ref('service', s, `Service ${i % SERVICES}`, 'service-directory');
}

function statusOf(i: number) {
  if (i % 10 === 0) return 'triggered';
  if (i % 10 === 1) return 'acknowledged';
  return 'resolved';
}

function incident(i: number) {
  const created = INCIDENT_BASE + i * INCIDENT_STEP;
  const status = statusOf(i);
  const acked = created + (2 + (i % 28)) * 60 * SECOND;
  const resolved = created + (30 + (i % 240)) * 60 * SECOND;
  let last = created;
  if (status === 'acknowledged') last = acked;
  if (status === 'resolved') last = resolved;
  const id = `PI${i}`;
  return {
    id,
    type: 'incident',
    summary: `[#${i + 1}] Incident ${i}`,
    self: `https://api.pagerduty.com/incidents/${id}`,
    html_url: `https://bench.pagerduty.com/incidents/${id}`,
    incident_number: i + 1,
    title: `Incident ${i}: latency above threshold`,
    created_at: iso(created),
    updated_at: iso(last),
    status,
    incident_key: `key-${i}`,
    service: serviceOf(i),
    assignments:
      status === 'resolved'
        ? []
        : [
            {
              at: iso(created),
              assignee: ref('user', `PU${i % 50}`, `User ${i % 50}`, 'users'),
            },
          ],
    acknowledgements:
      status === 'acknowledged'
        ? [
            {
              at: iso(acked),
              acknowledger: ref(
                'user',
                `PU${i % 50}`,
                `User ${i % 50}`,
                'users',
              ),
            },
          ]
        : [],
    last_status_change_at: iso(last),
    resolved_at: status === 'resolved' ? iso(resolved) : null,
    escalation_policy: ref(
      'escalation_policy',
      `PEP${i % 20}`,
      `Policy ${i % 20}`,
      'escalation_policies',
    ),
    teams: [ref('team', `PT${i % 10}`, `Team ${i % 10}`, 'teams')],
    priority:
      i % 4 === 0
        ? {
            id: `PP${(i % 5) + 1}`,
            type: 'priority_reference',
            summary: `P${(i % 5) + 1}`,
          }
        : null,
    urgency: i % 2 === 0 ? 'high' : 'low',
    alert_counts: {
      all: 1,
      triggered: status === 'triggered' ? 1 : 0,
      resolved: status === 'resolved' ? 1 : 0,
    },
  };
}

function logEntries(i: number) {
  const inc = incident(i);
  const created = Date.parse(inc.created_at);
  const entry = (type: string, at: number, extra: object = {}) => ({
    id: `L${type.slice(0, 3)}${i}`,
    type,
    summary: type,
    created_at: iso(at),
    agent: ref('user', `PU${i % 50}`, `User ${i % 50}`, 'users'),
    channel: { type: 'auto' },
    service: inc.service,
    incident: ref('incident', inc.id, inc.summary, 'incidents'),
    teams: inc.teams,
    contexts: [],
    ...extra,
  });
  const entries = [
    entry('trigger_log_entry', created - SECOND),
    entry('assign_log_entry', created, {
      assignees: [ref('user', `PU${i % 50}`, `User ${i % 50}`, 'users')],
    }),
    entry('notify_log_entry', created + 5 * SECOND),
  ];
  if (inc.status !== 'triggered') {
    entries.push(
      entry('acknowledge_log_entry', created + (2 + (i % 28)) * 60 * SECOND),
    );
  }
  if (inc.status === 'resolved') {
    entries.push(entry('resolve_log_entry', Date.parse(inc.resolved_at!)));
  }
  return entries.reverse(); // newest first, as PagerDuty lists them
}

function changeEvent(j: number) {
  const id = `01BENCH${String(j).padStart(19, '0')}`;
  return {
    id,
    summary: `Deploy ${j} of service ${j % SERVICES}`,
    timestamp: iso(CHANGE_BASE + j * CHANGE_STEP),
    type: 'change_event',
    source: 'bench-pipeline',
    integration: { id: 'PINTEG1', type: 'inbound_integration_reference' },
    services:
      j % 7 === 0
        ? [serviceOf(j), serviceOf(j + 1)].map(s => ({
            id: s.id,
            type: s.type,
          }))
        : [{ id: serviceOf(j).id, type: 'service_reference' }],
    custom_details: {
      build_number: String(j),
      change_type: j % 50 === 0 ? 'emergency' : 'normal',
    },
    links: [{ href: `https://ci.example.com/builds/${j}`, text: 'Build' }],
  };
}

/** Indexes of items at `base + k * step` within [since, until). */
function range(url: URL, base: number, step: number, count: number) {
  const since = Date.parse(url.searchParams.get('since') ?? '');
  const until = Date.parse(url.searchParams.get('until') ?? '');
  const first = Math.max(0, Math.ceil((since - base) / step));
  const end = Math.min(count, Math.ceil((until - base) / step));
  return { first, count: Math.max(0, end - first) };
}

let requests = 0;
let refused = 0;
let oversized = 0;

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function page(
  res: ServerResponse,
  url: URL,
  key: string,
  total: number,
  item: (k: number) => unknown,
) {
  const limit = Number(url.searchParams.get('limit') ?? 25);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  if (offset + limit > MAX_OFFSET) {
    refused += 1;
    send(res, 400, {
      error: {
        message: 'Arguments Caused Error',
        code: 2002,
        errors: ['Offset+limit exceeds maximum allowed value of 10000.'],
      },
    });
    return;
  }
  if (url.searchParams.get('total') === 'true' && total > MAX_OFFSET) {
    oversized += 1;
  }
  const items = [];
  for (let k = offset; k < Math.min(total, offset + limit); k++) {
    items.push(item(k));
  }
  send(res, 200, {
    [key]: items,
    limit,
    offset,
    total: url.searchParams.get('total') === 'true' ? total : null,
    more: offset + limit < total,
  });
}

function handle(req: IncomingMessage, res: ServerResponse) {
  requests += 1;
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.headers.authorization !== `Token token=${TOKEN}`) {
    send(res, 401, { error: { message: 'Unauthorized', code: 2006 } });
    return;
  }
  const path = url.pathname;
  if (path === '/incidents') {
    const { first, count } = range(
      url,
      INCIDENT_BASE,
      INCIDENT_STEP,
      INCIDENTS,
    );
    page(res, url, 'incidents', count, k => incident(first + k));
    return;
  }
  if (path === '/change_events') {
    const { first, count } = range(url, CHANGE_BASE, CHANGE_STEP, CHANGES);
    page(res, url, 'change_events', count, k => changeEvent(first + k));
    return;
  }
  if (path === '/log_entries') {
    // Only incremental runs ask; a first run starts its watermark at its start.
    page(res, url, 'log_entries', 0, () => undefined);
    return;
  }
  const match =
    /^\/incidents\/PI(\d+)(\/log_entries|\/related_change_events)?$/.exec(path);
  const i = match ? Number(match[1]) : -1;
  if (!match || i >= INCIDENTS) {
    send(res, 404, { error: { message: 'Not Found', code: 2100 } });
    return;
  }
  if (match[2] === '/log_entries') {
    const entries = logEntries(i);
    page(res, url, 'log_entries', entries.length, k => entries[k]);
  } else if (match[2] === '/related_change_events') {
    const j = Math.min(
      CHANGES - 1,
      Math.floor(
        (INCIDENT_BASE + i * INCIDENT_STEP - CHANGE_BASE) / CHANGE_STEP,
      ),
    );
    send(res, 200, {
      change_events: [
        {
          ...changeEvent(j),
          correlation_reason: {
            reason: i % 3 === 0 ? 'intelligent' : 'most_recent',
          },
        },
        {
          ...changeEvent(Math.max(0, j - 1)),
          correlation_reason: { reason: 'related_service' },
        },
      ],
      limit: null,
      offset: null,
      total: null,
      more: false,
    });
  } else {
    send(res, 200, { incident: incident(i) });
  }
}

const quietLogger: LoggerService = {
  debug() {},
  info(message) {
    process.stdout.write(`  [info] ${message}\n`);
  },
  warn(message) {
    process.stdout.write(`  [warn] ${message}\n`);
  },
  error(message) {
    process.stdout.write(`  [error] ${message}\n`);
  },
  child() {
    return quietLogger;
  },
};

async function main() {
  const server = createServer(handle);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const client = new PagerDutyClient({
    accountId: 'pagerduty:bench',
    configPath: 'itsm.providers.pagerduty.bench',
    baseUrl: `http://127.0.0.1:${port}`,
    token: TOKEN,
    timeoutMs: 30_000,
    maxRequestsPerSecond: RATE,
  });
  const provider = new PagerDutyItsmProvider({
    id: 'pagerduty:bench',
    client,
    since: new Date(SINCE).toISOString(),
    pageSize: 100,
    overlapMs: 120_000,
    concurrency: CONCURRENCY,
    causedByChange: { maxPriority: 2, reasons: ['intelligent'] },
    now: () => NOW,
  });

  console.log(
    `PagerDuty bench: ${INCIDENTS} incidents, ${CHANGES} change events, concurrency ${CONCURRENCY}, ${
      Number.isFinite(RATE) ? `${RATE} requests/s at most` : 'no request rate'
    }, simulator on 127.0.0.1:${port}`,
  );
  const rssBefore = process.memoryUsage().rss;
  const counts = { incident: 0, change: 0, failed: 0, batches: 0, caused: 0 };
  // One byte per incident (ids are PI<index>): duplicates are counted
  // without holding the records.
  const seen = new Uint8Array(INCIDENTS);
  let distinct = 0;
  let rssSamplePeak = 0;
  const rssTrail: number[] = [];
  const started = process.hrtime.bigint();
  const controller = new AbortController();
  for await (const batch of provider.sync({
    cursor: null,
    signal: controller.signal,
    logger: quietLogger,
  })) {
    counts.batches += 1;
    for (const item of batch.records ?? []) {
      const parsed = itsmRecordInputSchema.safeParse(item);
      if (!parsed.success) {
        counts.failed += 1;
        if (counts.failed <= 5) {
          console.log(`  invalid: ${describeValidationError(parsed.error)}`);
        }
        continue;
      }
      counts[parsed.data.kind as 'incident' | 'change'] += 1;
      if (parsed.data.causedByChange) counts.caused += 1;
      if (parsed.data.kind === 'incident') {
        const index = Number(parsed.data.externalId.slice(2));
        if (!seen[index]) distinct += 1;
        seen[index] = 1;
      }
    }
    if (counts.batches % 50 === 0) {
      const rss = process.memoryUsage().rss;
      rssSamplePeak = Math.max(rssSamplePeak, rss);
      if (counts.batches % 100 === 0) rssTrail.push(Math.round(rss / 1048576));
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  server.close();
  server.closeAllConnections();

  const records = counts.incident + counts.change;
  const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
  // maxRSS is in kilobytes.
  const peakRss = mb(process.resourceUsage().maxRSS * 1024);
  const rate = (n: number) => Math.round(n / seconds);
  const lines = [
    `records:         ${records} (${counts.incident} incidents, ${counts.change} changes)`,
    `                 ${distinct} distinct incidents, ${counts.caused} with causedByChange`,
    `schema failures: ${counts.failed}`,
    `batches:         ${counts.batches}`,
    `time:            ${seconds.toFixed(1)} s`,
    `records/s:       ${rate(records)}`,
    `requests:        ${requests} served, ${client.requestCount} sent (${rate(
      requests,
    )}/s), ${client.stats.retries} retried, ${Math.round(
      client.stats.waitMs / 1000,
    )} s waited`,
    `offset cap:      ${oversized} windows over it shrunk, ${refused} requests refused`,
    `peak RSS:        ${peakRss} (maxRSS, simulator included)`,
    `RSS:             ${mb(rssBefore)} before the sync, sampled peak ${mb(
      rssSamplePeak,
    )}`,
    `RSS per 100 batches: ${rssTrail.join(' ')} MB`,
  ];
  console.log(lines.join('\n'));
  if (
    counts.failed > 0 ||
    counts.incident !== INCIDENTS ||
    counts.change !== CHANGES
  ) {
    process.exitCode = 1;
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
