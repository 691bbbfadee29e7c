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
 * Metrics benchmark: loads incidents, changes and SLAs over many components
 * and two years with bulk SQL (the ingestion path is benchmarked in
 * ingest.ts), then measures GET /metrics and GET /reviews (a quarter's
 * service review) through the HTTP API (the real
 * router, store and engine on a local express server; auth, permissions and
 * catalog mocked to allow everything) and, beside it, the same SQL
 * statements the engine ran, replayed directly on the database with the
 * same concurrency: what the numbers cost in the database alone.
 *
 *   yarn workspace @backstage-itsm/plugin-itsm-backend bench:metrics [--scale 1] [--db pg|sqlite|pg,sqlite] [--bounds]
 *
 * `--bounds` runs the largest requests the API allows instead (the longest
 * windows and the most buckets, over a group's rollup) and reports, beside
 * the times, the longest the event loop was blocked during a request: on
 * SQLite (better-sqlite3 runs on the event loop) what every other request
 * of the backend waits at worst.
 *
 * Scale 1: 1,000,000 incidents, 200,000 changes and 500,000 SLAs over 5,000
 * components (500 systems of 10, groups owning 200 each). PostgreSQL:
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, else
 * postgresql://postgres@127.0.0.1:5432.
 */

import type { Entity } from '@backstage/catalog-model';
import { mockErrorHandler, mockServices } from '@backstage/backend-test-utils';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import type { Knex } from 'knex';
import { openBenchDatabase } from './benchDatabase';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DatabaseItsmStore } from '../src/database/DatabaseItsmStore';
import type { IngestionEngine } from '../src/ingestion/IngestionEngine';
import { MetricsEngine } from '../src/metrics/MetricsEngine';
import {
  MAX_METRICS_WINDOW_DAYS,
  MAX_SERIES_WINDOW_DAYS,
} from '../src/metrics/metricsRouter';
import { MAX_BUCKETS } from '../src/metrics/buckets';
import { MAX_REVIEW_WINDOW_DAYS } from '../src/reviews/period';
import { ImprovementService } from '../src/improvements/ImprovementService';
import { DatabaseImprovementStore } from '../src/improvements/DatabaseImprovementStore';
import { DatabaseReviewStore } from '../src/reviews/DatabaseReviewStore';
import { ReviewService } from '../src/reviews/ReviewService';
import { itsmRecordPermissionRules } from '../src/permissions/rules';
import { createRouter } from '../src/service/createRouter';

type Db = 'pg' | 'sqlite';

const args = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

const DAY = 86_400_000;
const START = Date.parse('2024-11-01T00:00:00Z');
const SPAN = 730 * DAY;
const END = START + SPAN;
const COMPONENTS_PER_SYSTEM = 10;
const COMPONENTS_PER_GROUP = 200;

interface Sizes {
  incidents: number;
  changes: number;
  slas: number;
  components: number;
}

function sizes(scale: number): Sizes {
  const round = (n: number) => Math.max(1, Math.round(n * scale));
  return {
    incidents: round(1_000_000),
    changes: round(200_000),
    slas: round(500_000),
    // Whole groups of 200 (hence whole systems of 10).
    components:
      Math.max(1, Math.round((5000 * scale) / COMPONENTS_PER_GROUP)) *
      COMPONENTS_PER_GROUP,
  };
}

const componentRef = (c: number) => `component:default/svc-${c}`;
const groupRef = (g: number) => `group:default/team-${g}`;

/** Bulk-loads the data set with INSERT ... SELECT over a generated series. */
async function load(knex: Knex, db: Db, n: Sizes): Promise<void> {
  const seq = (count: number) =>
    db === 'pg'
      ? `select g::bigint as g from generate_series(1, ${count}) as gs(g)`
      : `with recursive s(g) as (select 1 union all select g + 1 from s where g < ${count}) select g from s`;
  const bool = (expr: string) =>
    db === 'pg' ? `(${expr})` : `(case when ${expr} then 1 else 0 end)`;
  const comp = (expr: string) => `'component:default/svc-' || (${expr})`;
  const owner = (expr: string) =>
    `'group:default/team-' || ((${expr}) / ${COMPONENTS_PER_GROUP})`;
  const now = Date.now();

  // Incidents: P1 2%, P2 8%; 2% cancelled; recent ones partly open, plus a
  // few old open ones; 0.5% resolved before opened (data quality); 3%
  // caused by a change; 2.5% reopened.
  await knex.raw(`
    insert into records (id, provider_id, external_id, kind, department, number, title,
      state, priority, opened_at, acknowledged_at, resolved_at, closed_at,
      impact_start, impact_end, caused_by_change, reopen_count, source_updated_at,
      content_hash, created_at, updated_at)
    select 'inc-' || g, 'bench:sn', 'inc-' || g, 'incident', 'it', 'INC' || g,
      'Incident ' || g,
      case when g % 50 = 7 then 'cancelled' when open = 1 then 'in_progress' else 'closed' end,
      case when g % 50 = 0 then 1 when g % 10 = 0 then 2 else 3 + g % 3 end,
      o, o + (60 + (g * 37) % 1800) * 1000, res,
      case when res is null then null else res + 3600000 end,
      case when g % 50 = 0 then o - 300000 else null end,
      case when g % 50 = 0 then res else null end,
      case when g % 33 = 0 then 'chg-' || (1 + (g * 13) % ${
        n.changes
      }) else null end,
      case when g % 40 = 0 then 1 else 0 end,
      o, 'x', ${now}, ${now}
    from (
      select g, o, open,
        case when open = 1 then null when g % 200 = 3 then o - 60000
             else o + (600 + (g * 7919) % 86400) * 1000 end as res
      from (
        select g, ${START} + (g * ${SPAN} / ${n.incidents}) as o,
          case when (g % 4 = 0 and ${START} + (g * ${SPAN} / ${
    n.incidents
  }) > ${END - 3 * DAY})
                 or g % 9973 = 0 then 1 else 0 end as open
        from (${seq(n.incidents)}) as s1
      ) as s2
    ) as s3`);
  await knex.raw(`
    insert into record_entities (record_id, entity_ref, via, owner_ref)
    select 'inc-' || g, ${comp(`g % ${n.components}`)}, 'bench', ${owner(
    `g % ${n.components}`,
  )}
    from (${seq(n.incidents)}) as s`);
  // 10% also map to the next component of the same system.
  const sibling = `(g % ${n.components}) - (g % ${n.components}) % ${COMPONENTS_PER_SYSTEM} + ((g % ${n.components}) % ${COMPONENTS_PER_SYSTEM} + 1) % ${COMPONENTS_PER_SYSTEM}`;
  await knex.raw(`
    insert into record_entities (record_id, entity_ref, via, owner_ref)
    select 'inc-' || g, ${comp(sibling)}, 'bench', ${owner(sibling)}
    from (${seq(n.incidents)}) as s where g % 10 = 1`);

  // Changes: 5% emergency, 40% standard; 3% failed, 2% with issues, 1% cancelled.
  await knex.raw(`
    insert into records (id, provider_id, external_id, kind, department, number, title,
      state, opened_at, actual_start, actual_end, closed_at, change_type, outcome,
      reopen_count, source_updated_at, content_hash, created_at, updated_at)
    select 'chg-' || g, 'bench:sn', 'chg-' || g, 'change', 'it', 'CHG' || g,
      'Change ' || g,
      case when g % 100 = 3 then 'cancelled' else 'closed' end,
      o, o + 3600000, o + 7200000, o + 10800000,
      case when g % 20 = 0 then 'emergency' when g % 5 < 2 then 'standard' else 'normal' end,
      case when g % 33 = 1 then 'failed' when g % 50 = 2 then 'successful_with_issues'
           when g % 100 = 3 then 'cancelled' else 'successful' end,
      0, o, 'x', ${now}, ${now}
    from (select g, ${START} + (g * ${SPAN} / ${n.changes}) as o from (${seq(
    n.changes,
  )}) as s1) as s2`);
  await knex.raw(`
    insert into record_entities (record_id, entity_ref, via, owner_ref)
    select 'chg-' || g, ${comp(`(g * 7) % ${n.components}`)}, 'bench', ${owner(
    `(g * 7) % ${n.components}`,
  )}
    from (${seq(n.changes)}) as s`);

  // SLAs on incidents: 10% breached, 1% running, 2% paused.
  await knex.raw(`
    insert into slas (record_id, name, kind, target_seconds, stage, breached, start_at, end_at, breach_at)
    select 'inc-' || i, 'SLA', case when g % 2 = 0 then 'response' else 'resolution' end, 3600,
      case when g % 100 = 5 then 'in_progress' when g % 50 = 6 then 'paused'
           when g % 10 = 0 then 'breached' else 'completed' end,
      ${bool('g % 10 = 0')}, o,
      case when g % 100 = 5 or g % 50 = 6 then null else o + ((g * 31) % 7200) * 1000 end,
      case when g % 100 = 5 then o + 3600000 else null end
    from (
      select g, i, ${START} + (i * ${SPAN} / ${n.incidents}) as o
      from (select g, 1 + ((g - 1) * 2) % ${n.incidents} as i from (${seq(
    n.slas,
  )}) as s1) as s2
    ) as s3`);
  // What autovacuum would have done by now: statistics and visibility map.
  await knex.raw(db === 'pg' ? 'vacuum analyze' : 'analyze');
}

/** A catalog of components in systems, owned by groups; lookups by ref only. */
function benchCatalog(n: Sizes): CatalogService {
  const byRef = new Map<string, Entity>();
  const groups = n.components / COMPONENTS_PER_GROUP;
  for (let c = 0; c < n.components; c++) {
    const system = `system:default/sys-${Math.floor(
      c / COMPONENTS_PER_SYSTEM,
    )}`;
    byRef.set(componentRef(c), {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: `svc-${c}`,
        namespace: 'default',
        annotations: {
          'backstage-itsm.io/mttr-target': '12h',
          'backstage-itsm.io/availability-target': '99.5',
          'backstage-itsm.io/sla-attainment-target': '90',
        },
      },
      spec: { owner: groupRef(Math.floor(c / COMPONENTS_PER_GROUP)) },
      relations: [
        { type: 'partOf', targetRef: system },
        {
          type: 'ownedBy',
          targetRef: groupRef(Math.floor(c / COMPONENTS_PER_GROUP)),
        },
      ],
    });
  }
  for (let g = 0; g < groups; g++) {
    byRef.set(groupRef(g), {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: `team-${g}`, namespace: 'default' },
      spec: { type: 'team', children: [] },
      relations: Array.from({ length: COMPONENTS_PER_GROUP }, (_, k) => ({
        type: 'ownerOf',
        targetRef: componentRef(g * COMPONENTS_PER_GROUP + k),
      })),
    });
  }
  return {
    async getEntityByRef(ref: string) {
      return byRef.get(ref);
    },
    async getEntitiesByRefs({ entityRefs }: { entityRefs: string[] }) {
      return { items: entityRefs.map(ref => byRef.get(ref)) };
    },
  } as unknown as CatalogService;
}

interface Captured {
  sql: string;
  bindings: unknown[];
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function run(db: Db, scale: number) {
  const n = sizes(scale);
  const { knex, cleanup } = await openBenchDatabase(db, {
    prefix: 'itsm-metrics-bench',
    poolMax: 10,
  });
  try {
    const store = await DatabaseItsmStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    let started = Date.now();
    await load(knex, db, n);
    const loadSeconds = (Date.now() - started) / 1000;
    console.log(
      `[${db}] loaded ${n.incidents.toLocaleString(
        'en',
      )} incidents, ${n.changes.toLocaleString(
        'en',
      )} changes, ${n.slas.toLocaleString('en')} SLAs over ${
        n.components
      } components in ${loadSeconds.toFixed(1)} s`,
    );

    // Plain stubs (the jest mocks need jest): allow everything.
    const permissions = {
      authorizeConditional: async () => [{ result: AuthorizeResult.ALLOW }],
    } as any;
    const permissionsRegistry = {
      getPermissionRuleset: () => ({
        getRuleByName: (name: string) =>
          Object.values(itsmRecordPermissionRules).find(r => r.name === name)!,
      }),
    } as any;
    const silent: any = {
      debug() {},
      info() {},
      warn() {},
      error() {},
      child: () => silent,
    };
    const metrics = new MetricsEngine({ db: knex });
    const improvementStore = new DatabaseImprovementStore(knex);
    const improvements = new ImprovementService({
      store: improvementStore,
      records: store,
      metrics,
      catalog: benchCatalog(n),
      userInfo: mockServices.userInfo(),
    });
    const router = await createRouter({
      store,
      engine: {} as IngestionEngine,
      httpAuth: mockServices.httpAuth(),
      permissions,
      permissionsRegistry,
      auditor: {} as any,
      catalog: benchCatalog(n),
      logger: silent,
      metrics,
      improvements,
      reviews: new ReviewService({
        store: new DatabaseReviewStore(knex),
        records: store,
        metrics,
        improvements,
        improvementStore,
        permissions,
      }),
    });
    const app = express().use('/api/itsm', router).use(mockErrorHandler());
    const server = app.listen(0);
    // Idle keep-alive sockets outlive the bare replays between scenarios.
    server.keepAliveTimeout = 600_000;
    await new Promise(resolve => server.once('listening', resolve));
    const base = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/itsm`;

    // Every statement the engine runs, to replay them bare.
    let capture: Captured[] | undefined;
    knex.on('query', (data: { sql: string; bindings?: unknown[] }) => {
      capture?.push({ sql: data.sql, bindings: data.bindings ?? [] });
    });

    const iso = (ms: number) => new Date(ms).toISOString();
    type Scenario = {
      name: string;
      requests: number;
      path?: string;
      query: (k: number) => string;
    };
    const group = (k: number) =>
      groupRef(k % (n.components / COMPONENTS_PER_GROUP));
    // The largest requests the API accepts, over a group's rollup.
    const boundsScenarios: Scenario[] = [
      {
        name: `group, all metrics, ${MAX_METRICS_WINDOW_DAYS} days, no series`,
        requests: 5,
        query: k =>
          `entityRef=${group(k)}&from=${iso(
            END - MAX_METRICS_WINDOW_DAYS * DAY,
          )}&to=${iso(END)}`,
      },
      {
        name: `group, all metrics, ${MAX_SERIES_WINDOW_DAYS} days, weekly series`,
        requests: 5,
        query: k =>
          `entityRef=${group(k)}&from=${iso(
            END - MAX_SERIES_WINDOW_DAYS * DAY,
          )}&to=${iso(END)}&bucket=week`,
      },
      {
        name: `group, all metrics, ${MAX_BUCKETS} daily buckets`,
        requests: 5,
        query: k =>
          `entityRef=${group(k)}&from=${iso(END - MAX_BUCKETS * DAY)}&to=${iso(
            END,
          )}&bucket=day`,
      },
      {
        name: `group review, ${MAX_REVIEW_WINDOW_DAYS}-day window`,
        requests: 5,
        path: 'reviews',
        query: k =>
          `entityRef=${group(k)}&from=${iso(
            END - MAX_REVIEW_WINDOW_DAYS * DAY,
          )}&to=${iso(END)}`,
      },
      {
        name: 'component, all metrics, 90 days (for scale)',
        requests: 20,
        query: k =>
          `entityRef=${componentRef((k * 37) % n.components)}&from=${iso(
            END - 90 * DAY,
          )}&to=${iso(END)}`,
      },
    ];
    const defaultScenarios: Scenario[] = [
      {
        name: 'component, all metrics, 90 days',
        requests: 200,
        query: (k: number) =>
          `entityRef=${componentRef((k * 37) % n.components)}&from=${iso(
            END - 90 * DAY,
          )}&to=${iso(END)}`,
      },
      {
        name: `group rollup (${COMPONENTS_PER_GROUP} components), 90 days`,
        requests: 20,
        query: (k: number) =>
          `entityRef=${groupRef(
            k % (n.components / COMPONENTS_PER_GROUP),
          )}&from=${iso(END - 90 * DAY)}&to=${iso(END)}`,
      },
      {
        name: 'component, 12-month weekly series',
        requests: 50,
        query: (k: number) =>
          `entityRef=${componentRef((k * 53) % n.components)}&from=${iso(
            END - 365 * DAY,
          )}&to=${iso(END)}&bucket=week`,
      },
      {
        name: 'component, quarterly service review',
        requests: 50,
        path: 'reviews',
        query: (k: number) =>
          `entityRef=${componentRef((k * 41) % n.components)}&period=2026-Q3`,
      },
      {
        name: `group (${COMPONENTS_PER_GROUP} components), quarterly service review`,
        requests: 10,
        path: 'reviews',
        query: (k: number) =>
          `entityRef=${groupRef(
            k % (n.components / COMPONENTS_PER_GROUP),
          )}&period=2026-Q3`,
      },
    ];
    const scenarios = args.includes('--bounds')
      ? boundsScenarios
      : defaultScenarios;
    // How long the event loop was blocked: the timer's worst lateness.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();

    // The HTTP floor of this client and server: a request that does nothing.
    const floor: number[] = [];
    for (let k = 0; k < 300; k++) {
      started = performance.now();
      await (await fetch(`${base}/health`)).json();
      floor.push(performance.now() - started);
    }
    console.log(
      `[${db}] HTTP floor (GET /health): p50 ${percentile(floor, 0.5).toFixed(
        2,
      )} ms, p95 ${percentile(floor, 0.95).toFixed(2)} ms`,
    );

    const rows: string[][] = [];
    for (const scenario of scenarios) {
      const statements: Captured[][] = [];
      const call = async (k: number) => {
        const res = await fetch(
          `${base}/${scenario.path ?? 'metrics'}?${scenario.query(k)}`,
        );
        if (!res.ok) {
          throw new Error(`${res.status} ${await res.text()}`);
        }
        return res.json();
      };
      // Warm-up: every request once, capturing its statements.
      for (let k = 0; k < scenario.requests; k++) {
        capture = [];
        await call(k);
        statements.push(capture);
        capture = undefined;
      }
      if (args.includes('--explain')) {
        await explainStatements(knex, db, scenario.name, statements[0]);
      }
      const api: number[] = [];
      const blocked: number[] = [];
      for (let k = 0; k < scenario.requests; k++) {
        loop.reset();
        started = performance.now();
        await call(k);
        api.push(performance.now() - started);
        blocked.push(loop.max / 1e6);
      }
      const bare: number[] = [];
      for (const captured of statements) {
        started = performance.now();
        await Promise.all(
          captured.map(s => knex.raw(toPositional(s.sql), s.bindings as any)),
        );
        bare.push(performance.now() - started);
      }
      const [ap50, ap95, bp50, bp95] = [
        percentile(api, 0.5),
        percentile(api, 0.95),
        percentile(bare, 0.5),
        percentile(bare, 0.95),
      ];
      console.log(
        `[${db}] ${scenario.name}: API p95 ${percentile(api, 0.95).toFixed(
          1,
        )} ms, SQL p95 ${percentile(bare, 0.95).toFixed(
          1,
        )} ms, event loop blocked up to ${Math.max(...blocked).toFixed(0)} ms`,
      );
      rows.push([
        db,
        scenario.name,
        String(scenario.requests),
        String(statements[0].length),
        ap50.toFixed(1),
        ap95.toFixed(1),
        bp50.toFixed(1),
        bp95.toFixed(1),
        (ap95 / bp95).toFixed(2),
        Math.max(...blocked).toFixed(0),
      ]);
    }
    loop.disable();
    server.close();
    return rows;
  } finally {
    await cleanup();
  }
}

/** Prints each statement's plan and time (`--explain`), slowest first. */
async function explainStatements(
  knex: Knex,
  db: Db,
  scenario: string,
  statements: Captured[],
): Promise<void> {
  const plans: Array<{ ms: number; text: string }> = [];
  for (const statement of statements) {
    const sql = toPositional(statement.sql);
    if (db === 'pg') {
      const result = await knex.raw(
        `explain (analyze, buffers, format text) ${sql}`,
        statement.bindings as any,
      );
      const lines: string[] = result.rows.map((r: any) => r['QUERY PLAN']);
      const ms = Number(
        /Execution Time: ([\d.]+)/.exec(lines.join('\n'))?.[1] ?? 0,
      );
      plans.push({ ms, text: `${sql.slice(0, 160)}\n${lines.join('\n')}` });
    } else {
      const plan = await knex.raw(
        `explain query plan ${sql}`,
        statement.bindings as any,
      );
      const started = performance.now();
      await knex.raw(sql, statement.bindings as any);
      plans.push({
        ms: performance.now() - started,
        text: `${sql.slice(0, 160)}\n${plan
          .map((r: any) => `  ${r.detail}`)
          .join('\n')}`,
      });
    }
  }
  plans.sort((a, b) => b.ms - a.ms);
  console.log(`--- ${db}: ${scenario}: statements, slowest first`);
  for (const plan of plans) {
    console.log(`[${plan.ms.toFixed(2)} ms] ${plan.text}\n`);
  }
}

/** knex reports pg statements with $n placeholders; knex.raw wants `?`. */
function toPositional(sql: string): string {
  return sql.replace(/\$\d+/g, '?');
}

async function main() {
  const scale = Number(arg('scale', '1'));
  const dbs = arg('db', 'pg').split(',') as Db[];
  console.log(
    `ITSM metrics benchmark, scale ${scale}: ${
      cpus().length
    } cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  const header = [
    'db',
    'scenario',
    'requests',
    'statements',
    'API p50 ms',
    'API p95 ms',
    'SQL p50 ms',
    'SQL p95 ms',
    'API/SQL p95',
    'loop block max ms',
  ];
  const rows: string[][] = [];
  for (const db of dbs) {
    rows.push(...(await run(db, scale)));
  }
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ');
  console.log(line(header));
  console.log(widths.map(w => '-'.repeat(w)).join('  '));
  rows.forEach(r => console.log(line(r)));
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
