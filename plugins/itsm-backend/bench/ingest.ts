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
 * Ingestion benchmark: streams generated records through the real ingestion
 * engine (validation, entity mapping, version-aware upsert, cursor) into
 * SQLite and PostgreSQL, and compares with a bare knex batch insert of the
 * same rows into the same schema, the physical limit of this design.
 *
 *   yarn workspace @backstage-itsm/plugin-itsm-backend bench [--records 1000000] [--batch 1000] [--db sqlite,pg]
 *
 * PostgreSQL: BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, else
 * postgresql://postgres@127.0.0.1:5432. Each (database, mode) runs in its own
 * process, so peak RSS is its own.
 */

import type { DatabaseService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { ItsmRecordInput } from '@backstage-itsm/plugin-itsm-common';
import { itsmRecordInputSchema } from '@backstage-itsm/plugin-itsm-common';
import type { ItsmProvider } from '@backstage-itsm/plugin-itsm-node';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { Knex } from 'knex';
import { openBenchDatabase } from './benchDatabase';
import { DatabaseItsmStore } from '../src/database/DatabaseItsmStore';
import {
  PreparedRecord,
  prepareRecord,
} from '../src/database/operations/records/prepareRecord';
import { EntityResolver } from '../src/ingestion/EntityResolver';
import { IngestionEngine } from '../src/ingestion/IngestionEngine';

type Db = 'sqlite' | 'pg';
type Mode = 'raw' | 'engine';

const args = process.argv.slice(2);
function arg(name: string, fallback: string) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

const START = Date.parse('2025-01-01T00:00:00Z');
const SYSIDS = Array.from(
  { length: 50 },
  (_, i) => `ci${String(i).padStart(30, '0')}`,
);

/** The i-th generated incident: deterministic, valid, with 2 SLAs and a mapping. */
function record(i: number): ItsmRecordInput {
  const opened = START + i * 7_000;
  const acknowledged = opened + 60_000 + (i % 17) * 30_000;
  const resolved = opened + 3_600_000 + (i % 97) * 120_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const resolution = resolved - opened;
  return {
    externalId: `inc-${i}`,
    kind: 'incident',
    number: `INC${String(i).padStart(9, '0')}`,
    title: `Generated incident ${i}: checkout latency above threshold`,
    url: `https://bench.example.com/incident/${i}`,
    state: 'closed',
    priority: 1 + (i % 5),
    openedAt: iso(opened),
    acknowledgedAt: iso(acknowledged),
    resolvedAt: iso(resolved),
    closedAt: iso(resolved + 600_000),
    reopenCount: 0,
    assignmentGroup: 'Payments',
    assignee: 'priya.raman',
    sourceUpdatedAt: iso(resolved + 600_000),
    mappings: [
      {
        annotation: 'servicenow.com/ci-sysid',
        value: SYSIDS[i % SYSIDS.length],
      },
    ],
    slas: [
      {
        name: 'P3 response',
        kind: 'response',
        targetSeconds: 900,
        stage: acknowledged - opened > 900_000 ? 'breached' : 'completed',
        breached: acknowledged - opened > 900_000,
        startAt: iso(opened),
        endAt: iso(acknowledged),
      },
      {
        name: 'P3 resolution',
        kind: 'resolution',
        targetSeconds: 14_400,
        stage: resolution > 14_400_000 ? 'breached' : 'completed',
        breached: resolution > 14_400_000,
        startAt: iso(opened),
        endAt: iso(resolved),
      },
    ],
    payload: {
      sys_id: `inc-${i}`,
      short_description: `Generated incident ${i}`,
    },
  };
}

const entities: Entity[] = SYSIDS.map((sysid, i) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: `service-${i}`,
    namespace: 'default',
    annotations: { 'servicenow.com/ci-sysid': sysid },
  },
  spec: { owner: `team-${i % 5}` },
}));

function insertChunks<T extends object>(
  trx: Knex.Transaction,
  table: string,
  rows: T[],
  size: number,
) {
  const chunks: Promise<unknown>[] = [];
  for (let i = 0; i < rows.length; i += size) {
    chunks.push(trx.batchInsert(table, rows.slice(i, i + size) as any[], size));
  }
  return chunks;
}

/** The bare insert: the same rows the store writes, no reads, no conflict handling, no validation. */
async function runRaw(
  knex: Knex,
  total: number,
  batch: number,
  onProgress: (n: number) => void,
): Promise<number> {
  let insertNs = 0n;
  const providerId = 'bench:raw';
  const input = {
    providerId,
    department: 'it',
    records: [],
    feedback: [],
    deadLetters: [],
  };
  for (let start = 0; start < total; start += batch) {
    const now = Date.now();
    const prepared: PreparedRecord[] = [];
    for (let i = start; i < Math.min(total, start + batch); i++) {
      // Same normalisation as the engine's input (parse), so the rows are identical.
      const parsed = itsmRecordInputSchema.parse(record(i));
      prepared.push(
        prepareRecord(
          input,
          {
            record: parsed,
            entities: [
              {
                entityRef: 'component:default/x',
                via: 'servicenow.com/ci-sysid',
                ownerRef: 'group:default/team-0',
              },
            ],
          },
          now,
        ),
      );
    }
    const t0 = process.hrtime.bigint();
    await knex.transaction(async trx => {
      await trx.batchInsert(
        'records',
        prepared.map(p => p.row),
        200,
      );
      const withId = <T extends object>(
        key: 'slas' | 'mappings' | 'entities',
      ) =>
        prepared.flatMap(p =>
          (p[key] as T[]).map(r => ({ ...r, record_id: p.row.id })),
        );
      await Promise.all([
        ...insertChunks(trx, 'slas', withId('slas'), 400),
        ...insertChunks(trx, 'record_mappings', withId('mappings'), 400),
        ...insertChunks(trx, 'record_entities', withId('entities'), 400),
      ]);
    });
    insertNs += process.hrtime.bigint() - t0;
    onProgress(Math.min(total, start + batch));
  }
  // Only the database work counts: rows are built outside the clock.
  return Number(insertNs) / 1e9;
}

async function runEngine(
  knex: Knex,
  total: number,
  batch: number,
  onProgress: (n: number) => void,
): Promise<undefined> {
  const database = {
    getClient: async () => knex,
    migrations: { skip: true },
  } as DatabaseService;
  const store = await DatabaseItsmStore.create({
    database,
    skipMigrations: true,
  });
  const silent = {
    debug() {},
    info() {},
    warn() {},
    error() {},
    child: () => silent,
  } as any;
  const catalog = {
    async *streamEntities() {
      yield entities;
    },
  } as unknown as CatalogService;
  const resolver = new EntityResolver({
    catalog,
    auth: { getOwnServiceCredentials: async () => ({}) } as any,
    logger: silent,
  });
  const auditor = {
    createEvent: async () => ({
      success: async () => {},
      fail: async () => {},
    }),
  } as any;
  const engine = new IngestionEngine({
    store,
    resolver,
    scheduler: {} as any,
    auditor,
    logger: silent,
  });
  const provider: ItsmProvider = {
    id: 'bench:engine',
    department: 'it',
    kinds: ['incident'],
    async *sync({ cursor }) {
      for (
        let start = cursor ? Number(cursor) : 0;
        start < total;
        start += batch
      ) {
        const records = [];
        for (let i = start; i < Math.min(total, start + batch); i++)
          records.push(record(i));
        yield { records, cursor: String(start + records.length) };
        onProgress(start + records.length);
      }
    },
  };
  engine.register(provider);
  const counts = await engine.run(provider.id);
  if (counts.upserted !== total || counts.deadLettered !== 0) {
    throw new Error(
      `engine stored ${counts.upserted} of ${total}, ${counts.deadLettered} dead letters`,
    );
  }
  return undefined;
}

async function child(db: Db, mode: Mode, total: number, batch: number) {
  const { knex, cleanup } = await openBenchDatabase(db, {
    prefix: 'itsm-bench',
    poolMax: 5,
  });
  try {
    await DatabaseItsmStore.create({
      database: { getClient: async () => knex } as DatabaseService,
    });
    const samples: number[] = [];
    let nextSample = total / 10;
    const onProgress = (n: number) => {
      if (n >= nextSample) {
        samples.push(Math.round(process.memoryUsage().rss / 2 ** 20));
        nextSample += total / 10;
      }
    };
    const started = process.hrtime.bigint();
    const measured = await (mode === 'raw' ? runRaw : runEngine)(
      knex,
      total,
      batch,
      onProgress,
    );
    const seconds = measured ?? Number(process.hrtime.bigint() - started) / 1e9;
    const [{ n }] = await knex('records').count({ n: '*' });
    if (Number(n) !== total)
      throw new Error(`expected ${total} rows, found ${n}`);
    process.stdout.write(
      `${JSON.stringify({
        db,
        mode,
        total,
        seconds,
        perSecond: total / seconds,
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        rssSamplesMiB: samples,
      })}\n`,
    );
  } finally {
    await cleanup();
  }
}

async function main() {
  if (args[0] === '--child') {
    await child(
      args[1] as Db,
      args[2] as Mode,
      Number(args[3]),
      Number(args[4]),
    );
    return;
  }
  const total = Number(arg('records', '1000000'));
  const batch = Number(arg('batch', '1000'));
  const dbs = arg('db', 'sqlite,pg').split(',') as Db[];
  console.log(
    `ITSM ingestion benchmark: ${total} records, batches of ${batch}; ${
      cpus().length
    } cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  const results = [];
  for (const db of dbs) {
    for (const mode of ['raw', 'engine'] as Mode[]) {
      const out = execFileSync(
        process.execPath,
        [
          ...process.execArgv,
          __filename,
          '--child',
          db,
          mode,
          String(total),
          String(batch),
        ],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          maxBuffer: 1 << 20,
        },
      );
      const result = JSON.parse(out.trim().split('\n').pop()!);
      results.push(result);
      console.log(
        `${db.padEnd(6)} ${mode.padEnd(6)} ${Math.round(result.perSecond)
          .toLocaleString('en')
          .padStart(9)} records/s  ${result.seconds
          .toFixed(1)
          .padStart(6)} s  peak RSS ${
          result.peakRssMiB
        } MiB  RSS every 10%: ${result.rssSamplesMiB.join(' ')}`,
      );
    }
    const raw = results.find(r => r.db === db && r.mode === 'raw');
    const engine = results.find(r => r.db === db && r.mode === 'engine');
    if (raw && engine) {
      console.log(
        `${db.padEnd(6)} engine / bare insert = ${(
          (engine.perSecond / raw.perSecond) *
          100
        ).toFixed(0)}%`,
      );
    }
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
