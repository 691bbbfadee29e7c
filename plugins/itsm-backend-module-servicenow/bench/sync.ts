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

/**
 * Benchmark of one full sync (not a test): a local node:http server,
 * started in a child process so its data does not count in our memory,
 * simulates a ServiceNow instance with 50,000 incidents, 10,000 changes and
 * their task_sla rows; the provider reads all of it page by page while this
 * process validates every yielded record with the ingestion schema and, at
 * the end, compares the ids it got with the instance's.
 *
 *   yarn bench   # node --require @backstage/cli/config/nodeTransform.cjs bench/sync.ts
 *
 * Options: --incidents N --changes N --page-size N
 *   --max-requests-per-second N   the client's pace; 0 (default) for none
 *   --every-429 N                 a 429 (Retry-After: 1) on every Nth request
 *   --every-500 N                 a 500 "Transaction cancelled" on every Nth
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  describeValidationError,
  itsmRecordInputSchema,
} from '@backstage-itsm/plugin-itsm-common';
import type { FakeFault } from '../src/__testUtils__/FakeServiceNow';
import { generateServiceNowInstance } from '../src/__testUtils__/generateServiceNowInstance';
import { ServiceNowClient } from '../src/client';
import { ServiceNowItsmProvider } from '../src/provider';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const INCIDENTS = option('incidents', 50_000);
const CHANGES = option('changes', 10_000);
const PAGE_SIZE = option('page-size', 500);
const MAX_REQUESTS_PER_SECOND = option('max-requests-per-second', 0);
const EVERY_429 = option('every-429', 0);
const EVERY_500 = option('every-500', 0);
const FAULTS: FakeFault[] = [
  ...(EVERY_429 > 0
    ? [{ every: EVERY_429, status: 429, headers: { 'Retry-After': '1' } }]
    : []),
  ...(EVERY_500 > 0
    ? [
        {
          every: EVERY_500,
          status: 500,
          body: '{"error":{"message":"Transaction cancelled: maximum execution time exceeded","detail":null},"status":"failure"}',
        },
      ]
    : []),
];
/** Every record of the instance lies in the 30 days before this. */
const ANCHOR = Date.parse('2025-02-01T00:00:00Z');

/** A logger that prints warnings and errors only. */
const logger: LoggerService = {
  debug: () => {},
  info: () => {},
  warn: message => process.stderr.write(`warn: ${message}\n`),
  error: message => process.stderr.write(`error: ${message}\n`),
  child: () => logger,
};

function serve() {
  const started = Date.now();
  const fake = generateServiceNowInstance({
    incidents: INCIDENTS,
    changes: CHANGES,
    seed: 42,
    anchor: ANCHOR,
    faults: FAULTS,
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      const response = fake.handle({
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: {
          get: (name: string) =>
            (req.headers[name.toLowerCase()] as string | undefined) ?? null,
        },
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.send!({
      type: 'ready',
      port: (server.address() as AddressInfo).port,
      rows: {
        incident: fake.rows('incident').length,
        change_request: fake.rows('change_request').length,
        task_sla: fake.rows('task_sla').length,
      },
      setupMs: Date.now() - started,
    });
  });
  // Never outlive the benchmark, however it ends.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stats') {
      const byKind: Record<string, number> = {};
      for (const { url } of fake.requests) {
        const table = url.pathname.replace('/api/now/table/', '');
        const query = url.searchParams.get('sysparm_query') ?? '';
        let kind = 'pages';
        if (url.searchParams.get('sysparm_limit') === '1')
          kind = 'field checks';
        else if (url.pathname === '/oauth_token.do') kind = 'tokens';
        else if (query.startsWith('taskIN')) kind = 'SLA lookups';
        else if (query.startsWith('sys_idIN')) kind = 'tasks by id';
        byKind[`${table} ${kind}`] = (byKind[`${table} ${kind}`] ?? 0) + 1;
      }
      process.send!({
        type: 'stats',
        total: fake.requests.length,
        byKind,
        faults: Object.fromEntries(fake.faultsSent),
        ids: [
          ...fake.rows('incident').map(r => r.sys_id),
          ...fake.rows('change_request').map(r => r.sys_id),
        ],
      });
    }
  });
}

interface Ready {
  type: 'ready';
  port: number;
  rows: Record<string, number>;
  setupMs: number;
}

async function main() {
  const child = fork(__filename, ['--server', ...process.argv.slice(2)], {
    execArgv: process.execArgv,
    stdio: 'inherit',
  });
  const next = <T extends { type: string }>(type: string) =>
    new Promise<T>(resolve => {
      const listener = (message: T) => {
        if (message?.type === type) {
          child.off('message', listener);
          resolve(message);
        }
      };
      child.on('message', listener);
    });
  try {
    await measure(child, next, await next<Ready>('ready'));
  } finally {
    child.kill();
  }
}

async function measure(
  child: ReturnType<typeof fork>,
  next: <T extends { type: string }>(type: string) => Promise<T>,
  ready: Ready,
) {
  const rssBefore = process.memoryUsage().rss;

  const client = new ServiceNowClient({
    instance: 'servicenow:bench',
    baseUrl: `http://127.0.0.1:${ready.port}`,
    auth: { type: 'basic', username: 'bench', password: 'bench' },
    timeoutMs: 30_000,
    maxRequestsPerSecond: MAX_REQUESTS_PER_SECOND,
  });
  const provider = new ServiceNowItsmProvider({
    id: 'servicenow:bench',
    client,
    pageSize: PAGE_SIZE,
  });

  let records = 0;
  let batches = 0;
  let failures = 0;
  let slas = 0;
  let peakRss = 0;
  const failureSamples: string[] = [];
  const yielded = new Map<string, number>();
  const started = process.hrtime.bigint();
  for await (const batch of provider.sync({
    cursor: null,
    signal: new AbortController().signal,
    logger,
  })) {
    batches++;
    for (const item of batch.records ?? []) {
      records++;
      const externalId = (item as { externalId?: string }).externalId ?? '';
      yielded.set(externalId, (yielded.get(externalId) ?? 0) + 1);
      const result = itsmRecordInputSchema.safeParse(item);
      if (result.success) {
        slas += result.data.slas.length;
      } else {
        failures++;
        if (failureSamples.length < 5)
          failureSamples.push(describeValidationError(result.error));
      }
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  child.send({ type: 'stats' });
  const stats = await next<{
    type: 'stats';
    total: number;
    byKind: Record<string, number>;
    faults: Record<string, number>;
    ids: string[];
  }>('stats');
  const lost = stats.ids.filter(sysId => !yielded.has(sysId)).length;
  const duplicated = [...yielded.values()].filter(n => n > 1).length;
  const unknown = yielded.size - (stats.ids.length - lost);
  const http = client.stats;

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const lines = [
    `ServiceNow sync benchmark (page size ${PAGE_SIZE}, ${
      MAX_REQUESTS_PER_SECOND > 0
        ? `at most ${MAX_REQUESTS_PER_SECOND} requests/s`
        : 'no request pacing'
    }${
      FAULTS.length > 0
        ? `, faults: ${FAULTS.map(
            f => `${f.status} on every ${f.every}th request`,
          ).join(', ')}`
        : ''
    })`,
    `instance:      ${ready.rows.incident} incidents, ${ready.rows.change_request} changes, ${ready.rows.task_sla} task_sla rows (built in ${ready.setupMs} ms, separate process)`,
    `records:       ${records} yielded in ${batches} batches, ${slas} SLAs attached`,
    `ids:           ${lost} lost, ${duplicated} yielded more than once, ${unknown} not at the source (compared with the instance's ${stats.ids.length})`,
    `validation:    ${failures} failures${
      failureSamples.length ? `: ${failureSamples.join(' | ')}` : ''
    }`,
    `duration:      ${seconds.toFixed(2)} s`,
    `throughput:    ${Math.round(records / seconds)} records/s`,
    `requests:      ${http.requests} (server saw ${stats.total}), ${
      http.retries
    } retries, ${(http.waitMs / 1000).toFixed(1)} s waited${
      Object.keys(stats.faults).length > 0
        ? `; faults sent: ${Object.entries(stats.faults)
            .map(([status, n]) => `${n} x ${status}`)
            .join(', ')}`
        : ''
    }`,
    ...Object.entries(stats.byKind).map(
      ([kind, count]) => `  ${kind}: ${count}`,
    ),
    `pages:         ${
      (stats.byKind['incident pages'] ?? 0) +
      (stats.byKind['change_request pages'] ?? 0) +
      (stats.byKind['problem pages'] ?? 0) +
      (stats.byKind['task_sla pages'] ?? 0)
    } table pages, ${batches} batches`,
    `memory:        peak RSS ${mb(
      process.resourceUsage().maxRSS * 1024,
    )} (maxRSS); RSS before sync ${mb(
      rssBefore,
    )}, highest sampled during sync ${mb(peakRss)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (
    failures > 0 ||
    lost > 0 ||
    duplicated > 0 ||
    unknown > 0 ||
    records !== ready.rows.incident + ready.rows.change_request
  ) {
    process.exitCode = 1;
  }
}

if (process.argv.includes('--server')) {
  serve();
} else {
  main().catch(error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  });
}
