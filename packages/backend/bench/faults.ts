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
 * Sources under faults (a benchmark, not a test; issue 12):
 *
 *   yarn workspace backend faults [options]
 *   (node --require @backstage/cli/config/nodeTransform.cjs bench/faults.ts)
 *
 * Starts a simulated ServiceNow instance (50,000 incidents, 10,000 changes
 * and their task_sla rows) and a simulated PagerDuty account (10,000
 * incidents with their log entries, 2,000 change events, PagerDuty's 960
 * requests a minute) as HTTP servers on 127.0.0.1 in child processes, both
 * answering 429 (`Retry-After: 1`) on every 5th request and 500 on every
 * 7th. Starts the real backend (packages/backend with app-config.yaml,
 * bench/faults.app-config.yaml and a per-run overlay naming the simulators
 * as providers `servicenow:bench` and `pagerduty:bench`), triggers both
 * syncs through `POST /api/itsm/sync/:id` with the static token and polls
 * `GET /api/itsm/sync` until both finished. Then reads the database
 * directly and compares ids with the sources: every external id the
 * simulators hold must be stored exactly once. Prints requests, 429s, 500s,
 * retries, waits, records, elapsed time, records/s and the backend's peak
 * RSS, and exits non-zero when anything is lost, duplicated or differs.
 *
 * Options:
 *   --pg                 PostgreSQL on 127.0.0.1:5432 (--pg-url to change;
 *                        a fresh database per run, dropped at the end)
 *                        instead of SQLite files in a temporary directory
 *   --kill N             SIGKILL the backend N times during the sync, at
 *                        random points after it committed something, and
 *                        start it again; the next runs must finish the job
 *   --replicas N         N backends on one PostgreSQL database (needs --pg):
 *                        each provider runs once at a time, every replica
 *                        serves the same metrics, no record is duplicated
 *   --compare-clean      afterwards, sync the same data without faults on a
 *                        fresh database and compare metrics and records
 *   --no-faults          the fault-free figures (no injected 429/500; the
 *                        PagerDuty rate limit stays)
 *   --incidents N --changes N         ServiceNow size (50,000 / 10,000)
 *   --pd-incidents N --pd-changes N   PagerDuty size (10,000 / 2,000)
 *   --seed N             data and kill points (default 42)
 *   --run-timeout MIN    the providers' schedule timeout (120; 4 with --kill:
 *                        a killed backend's run holds the scheduler's lock
 *                        until it expires)
 *   --timeout MIN        give up a phase after this long (180)
 *   --keep               keep the run directory (logs, SQLite files)
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readDemoComponents } from './lib/demoCatalog';
import { Backend, freePort, killAll, Simulator, sleep } from './lib/processes';
import { SimulatorStats } from './lib/simulator';
// The seeded generator of the generated instances (not part of the module's API).
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { random } from '@backstage-itsm/plugin-itsm-backend-module-servicenow/src/__testUtils__/random';
import {
  createPgDatabase,
  DatabaseTarget,
  dropPgDatabase,
  openStoredRecords,
  StoredProvider,
} from './lib/storedRecords';

// ---------------------------------------------------------------- options

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

function numberOption(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`--${name} must be a number, got '${raw}'`);
  }
  return value;
}

const KILLS = numberOption('kill', 0);
const REPLICAS = Math.max(1, numberOption('replicas', 1));
const OPTIONS = {
  pg: flag('pg') || option('pg-url') !== undefined,
  pgUrl: option('pg-url') ?? 'postgresql://postgres@127.0.0.1:5432',
  kills: KILLS,
  replicas: REPLICAS,
  faults: !flag('no-faults'),
  compareClean: flag('compare-clean'),
  snIncidents: numberOption('incidents', 50_000),
  snChanges: numberOption('changes', 10_000),
  pdIncidents: numberOption('pd-incidents', 10_000),
  pdChanges: numberOption('pd-changes', 2_000),
  seed: numberOption('seed', 42),
  runTimeoutMin: numberOption('run-timeout', KILLS > 0 ? 4 : 120),
  phaseTimeoutMin: numberOption('timeout', 180),
  keep: flag('keep'),
  token: process.env.ITSM_STATIC_TOKEN ?? 'itsm-local-development-token',
};

const SN = 'servicenow:bench';
const PD = 'pagerduty:bench';
const PROVIDERS = [SN, PD];
const POLL_MS = 2000;
/** Metrics printed per entity (all are compared). */
const SUMMARY_METRICS = [
  'incident_count',
  'mttr',
  'change_count',
  'change_failure_rate',
  'sla_attainment',
];
const DAY = 86_400_000;

// ---------------------------------------------------------------- output

const started = Date.now();
const say = (line: string) =>
  process.stdout.write(
    `[faults ${((Date.now() - started) / 1000)
      .toFixed(0)
      .padStart(5)} s] ${line}\n`,
  );
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) =>
    Math.max(...rows.map(row => (row[i] ?? '').length)),
  );
  return rows
    .map(row =>
      row
        .map((cell, i) =>
          i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
        )
        .join('  '),
    )
    .join('\n');
}

// ---------------------------------------------------------------- cleanup

const cleanups: Array<() => Promise<void> | void> = [];

async function cleanup() {
  killAll('SIGKILL');
  for (const task of cleanups.splice(0).reverse()) {
    try {
      await task();
    } catch (error) {
      process.stderr.write(`cleanup: ${error}\n`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping every process started\n`);
    cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', () => killAll('SIGKILL'));

// ---------------------------------------------------------------- sync status

interface SyncItem {
  providerId: string;
  lastStartedAt: string | null;
  lastSucceededAt: string | null;
  lastFinishedAt: string | null;
  lastError: string | null;
  lastRun?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Retries and waits as `GET /sync` reports them for a run, wherever the
 * status keeps them (`lastRun`, or beside it); undefined when it does not.
 */
function retryFigures(item: SyncItem): {
  requests?: number;
  retries?: number;
  waitMs?: number;
} {
  const places = [item.lastRun ?? {}, item];
  const find = (pattern: RegExp): number | undefined => {
    for (const place of places) {
      for (const [key, value] of Object.entries(place)) {
        if (pattern.test(key) && typeof value === 'number') return value;
        if (
          pattern.test(key) &&
          value &&
          typeof value === 'object' &&
          typeof (value as { count?: unknown }).count === 'number'
        ) {
          return (value as { count: number }).count;
        }
      }
    }
    return undefined;
  };
  const requests = find(/^requests$/i);
  const retries = find(/^retries$/i);
  let waitMs = find(/^(waitMs|waitedMs|waitsMs|totalWaitMs)$/i);
  const waitSeconds = find(/^(waitSeconds|waitedSeconds|waits)$/i);
  if (waitMs === undefined && waitSeconds !== undefined) {
    waitMs = waitSeconds * 1000;
  }
  return { requests, retries, waitMs };
}

// ---------------------------------------------------------------- a phase

interface PhaseSpec {
  name: string;
  faults: boolean;
  kills: number;
  replicas: number;
  /** Sync rounds: 1, or 2 with replicas (the second one incremental). */
  rounds: number;
}

interface ProviderState {
  id: string;
  expected: number;
  state: 'pending' | 'done' | 'failed';
  seenStartedAt: string | null;
  handledFinishAt: string | null;
  runs: number;
  /** When it succeeded, or failed for good. */
  endedAt?: number;
  /** Records stored when the current run started. */
  storedAtRunStart?: number;
  /**
   * Runs ended by a kill, or by the scheduler's timeout after storing
   * something (then triggered again; a run that stored nothing fails).
   */
  interrupted: number;
  errors: string[];
  needTrigger: boolean;
  lastTriggerAt: number;
  awaitingStartSince?: number;
  triggers: { accepted: number; conflicts: number };
  /** This round's first trigger went out (to every replica at once). */
  roundTriggered: boolean;
  firstTriggerAt?: number;
  /** Runs whose end the sync status recorded (a killed run records none). */
  finishedRuns: number;
  /** Requests, retries and waits the backend reported, summed over those runs. */
  clientRequests?: number;
  retries?: number;
  waitMs?: number;
  /** Time from a restart to the next run's start: the killed run's lock. */
  lockWaitMs: number;
  restartedAt?: number;
}

interface KillEvent {
  at: number;
  target: string;
  fraction: number;
  stored: Record<string, number>;
  restartMs: number;
}

interface IdCheck {
  provider: string;
  source: number;
  stored: number;
  lost: number;
  duplicated: number;
  extra: number;
  tombstoned: number;
  samples: string[];
}

interface PhaseResult {
  spec: PhaseSpec;
  ok: boolean;
  problems: string[];
  providers: ProviderState[];
  elapsedMs: number;
  records: Record<string, StoredProvider>;
  idChecks: IdCheck[];
  simulators: Record<string, SimulatorStats>;
  kills: KillEvent[];
  peakRssKb: number[];
  metrics: Array<Record<string, unknown>>;
  syncStatus: SyncItem[];
}

interface World {
  runDir: string;
  anchor: number;
  simulators: Record<string, Simulator>;
  sourceIds: Record<string, Record<string, string[]>>;
  metricEntities: string[];
  pgPrefix: string;
}

function databaseConfig(target: DatabaseTarget) {
  if (target.client === 'sqlite') {
    return {
      client: 'better-sqlite3',
      connection: { directory: target.directory },
    };
  }
  const url = new URL(target.url);
  return {
    client: 'pg',
    // One database per run, one schema per plugin in it.
    pluginDivisionMode: 'schema',
    connection: {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username || 'postgres'),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      database: target.database,
    },
  };
}

async function runPhase(world: World, spec: PhaseSpec): Promise<PhaseResult> {
  const problems: string[] = [];
  const tag = spec.name.replace(/\W+/g, '-');
  let target: DatabaseTarget;
  if (OPTIONS.pg) {
    const database = `${world.pgPrefix}_${tag.replace(/-/g, '_')}`;
    await createPgDatabase(OPTIONS.pgUrl, database);
    if (!OPTIONS.keep) {
      cleanups.push(() => dropPgDatabase(OPTIONS.pgUrl, database));
    }
    target = { client: 'pg', url: OPTIONS.pgUrl, database };
    say(`${spec.name}: PostgreSQL database ${database}`);
  } else {
    target = { client: 'sqlite', directory: join(world.runDir, `${tag}-db`) };
    say(`${spec.name}: SQLite files in ${target.directory}`);
  }
  const stored = openStoredRecords(target);
  cleanups.push(() => stored.close());

  // The backends: one, or several replicas on one database.
  const backends: Backend[] = [];
  for (let r = 1; r <= spec.replicas; r++) {
    const port = await freePort();
    const overlay = join(world.runDir, `${tag}-replica-${r}.app-config.yaml`);
    const credential = `r${r}`;
    // JSON is YAML: the per-run overlay.
    writeFileSync(
      overlay,
      JSON.stringify(
        {
          backend: {
            baseUrl: `http://127.0.0.1:${port}`,
            listen: { port, host: '127.0.0.1' },
            database: databaseConfig(target),
          },
          itsm: {
            providers: {
              servicenow: {
                bench: {
                  baseUrl: world.simulators[SN].baseUrl,
                  auth: {
                    type: 'basic',
                    username: `bench-${credential}`,
                    password: 'bench-password',
                  },
                  schedule: { timeout: { minutes: OPTIONS.runTimeoutMin } },
                },
              },
              pagerduty: {
                bench: {
                  baseUrl: world.simulators[PD].baseUrl,
                  token: `bench-${credential}`,
                  since: new Date(world.anchor - 31 * DAY).toISOString(),
                  schedule: { timeout: { minutes: OPTIONS.runTimeoutMin } },
                },
              },
            },
          },
        },
        null,
        2,
      ),
    );
    backends.push(
      new Backend({
        name: `backend ${r}`,
        port,
        configs: [
          '../../app-config.yaml',
          'bench/faults.app-config.yaml',
          overlay,
        ],
        logFile: join(world.runDir, `${tag}-replica-${r}.log`),
        token: OPTIONS.token,
      }),
    );
  }
  cleanups.push(async () => {
    for (const backend of backends) await backend.stop();
  });

  // Replicas start one after the other, as a rolling deployment would.
  for (const backend of backends) {
    const ms = await backend.start(180_000);
    say(
      `${spec.name}: ${backend.options.name} ready on ${backend.baseUrl} in ${(
        ms / 1000
      ).toFixed(1)} s (log ${backend.options.logFile})`,
    );
  }
  // Records map to entities when stored: wait for the catalog to hold them.
  const [entityKind, entityName] = world.metricEntities[0].split(':');
  const entityPath = `/api/catalog/entities/by-name/${entityKind}/${entityName}`;
  for (const backend of backends) {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const { status } = await backend
        .request(entityPath)
        .catch(() => ({ status: 0 }));
      if (status === 200) break;
      if (Date.now() > deadline) {
        throw new Error(
          `${backend.options.name}: catalog never served ${world.metricEntities[0]}`,
        );
      }
      await sleep(1000);
    }
  }

  for (const simulator of Object.values(world.simulators)) {
    await simulator.configure(spec.faults);
    await simulator.stats(true);
  }

  const expected = (id: string) =>
    Object.values(world.sourceIds[id]).reduce((n, ids) => n + ids.length, 0);
  const providers: ProviderState[] = PROVIDERS.map(id => ({
    id,
    expected: expected(id),
    state: 'pending',
    seenStartedAt: null,
    handledFinishAt: null,
    runs: 0,
    interrupted: 0,
    errors: [],
    needTrigger: true,
    lastTriggerAt: 0,
    triggers: { accepted: 0, conflicts: 0 },
    roundTriggered: false,
    finishedRuns: 0,
    lockWaitMs: 0,
  }));
  const byId = new Map(providers.map(p => [p.id, p]));

  const readStatus = async (): Promise<SyncItem[] | undefined> => {
    for (const backend of backends) {
      try {
        const { status, body } = await backend.request('/api/itsm/sync');
        if (status === 200) return body.items as SyncItem[];
      } catch {
        // down (killed, restarting): ask the next replica
      }
    }
    return undefined;
  };
  const initial = await readStatus();
  for (const item of initial ?? []) {
    const p = byId.get(item.providerId);
    if (p) {
      p.seenStartedAt = item.lastStartedAt;
      p.handledFinishAt = item.lastFinishedAt;
    }
  }
  if (!initial?.some(item => item.providerId === SN)) {
    throw new Error(
      `the backend does not know provider ${SN}: see ${backends[0].options.logFile}`,
    );
  }

  // Kill points: alternately mid-ServiceNow and mid-PagerDuty, at a random
  // share of the provider's records, once the current backend committed
  // something.
  const rnd = random(OPTIONS.seed + 7);
  const killPlan = Array.from({ length: spec.kills }, (_, k) => ({
    target: k % 2 === 0 ? SN : PD,
    fraction: 0.15 + rnd() * 0.6,
  }));
  const kills: KillEvent[] = [];
  let lastKillAt = 0;
  let lifeStartTotal = 0;

  const phaseStarted = Date.now();
  const deadline = phaseStarted + OPTIONS.phaseTimeoutMin * 60_000;
  let firstTriggerAt: number | undefined;
  let lastProgressAt = 0;
  const runTimeoutMs = OPTIONS.runTimeoutMin * 60_000;

  let round = 1;
  for (;;) {
    if (!providers.some(p => p.state === 'pending')) {
      // Replicas: a second round, triggered at every replica again, syncs
      // incrementally; whichever replica claims a run, runs must not overlap.
      if (round >= spec.rounds || providers.some(p => p.state === 'failed')) {
        break;
      }
      round += 1;
      say(`${spec.name}: round ${round}, triggered at every replica`);
      for (const p of providers) {
        p.state = 'pending';
        p.needTrigger = true;
        p.roundTriggered = false;
      }
    }
    if (Date.now() > deadline) {
      problems.push(
        `gave up after ${OPTIONS.phaseTimeoutMin} min with ${providers
          .filter(p => p.state === 'pending')
          .map(p => p.id)
          .join(', ')} unfinished`,
      );
      break;
    }
    // Anything that ends on its own (or is ended by someone else) ends the
    // measurement: it would only wait for its timeout.
    const gone = [...backends, ...Object.values(world.simulators)]
      .map(p => p.exited)
      .find(Boolean);
    if (gone) {
      problems.push(gone);
      say(`ABORTED: ${gone}`);
      break;
    }
    backends.forEach(b => b.sample());
    const now = Date.now();
    const items = await readStatus();
    const counts = await stored.count(PROVIDERS).catch(() => undefined);
    for (const p of providers) {
      if (p.state !== 'pending' || !items) continue;
      const item = items.find(i => i.providerId === p.id);
      if (!item) continue;
      if (item.lastStartedAt && item.lastStartedAt !== p.seenStartedAt) {
        p.seenStartedAt = item.lastStartedAt;
        p.runs += 1;
        p.storedAtRunStart = counts?.[p.id] ?? p.storedAtRunStart;
        if (p.restartedAt !== undefined) {
          // The killed backend's run held the scheduler's lock until now.
          p.lockWaitMs += Math.max(
            0,
            Date.parse(item.lastStartedAt) - p.restartedAt,
          );
          p.restartedAt = undefined;
        }
        p.needTrigger = false;
        p.awaitingStartSince = undefined;
      }
      const finished =
        p.runs > 0 &&
        item.lastFinishedAt &&
        item.lastStartedAt &&
        item.lastFinishedAt !== p.handledFinishAt &&
        Date.parse(item.lastFinishedAt) >= Date.parse(item.lastStartedAt);
      if (finished) {
        p.handledFinishAt = item.lastFinishedAt;
        p.finishedRuns += 1;
        const figures = retryFigures(item);
        if (figures.requests !== undefined) {
          p.clientRequests = (p.clientRequests ?? 0) + figures.requests;
        }
        if (figures.retries !== undefined) {
          p.retries = (p.retries ?? 0) + figures.retries;
        }
        if (figures.waitMs !== undefined) {
          p.waitMs = (p.waitMs ?? 0) + figures.waitMs;
        }
        const startedAt = Date.parse(item.lastStartedAt!);
        const succeeded =
          item.lastSucceededAt !== null &&
          Date.parse(item.lastSucceededAt) >= startedAt;
        const tookMs = Date.parse(item.lastFinishedAt!) - startedAt;
        if (succeeded && startedAt >= lastKillAt) {
          p.state = 'done';
          p.endedAt = Date.now();
          say(
            `${p.id}: run ${p.runs} succeeded after ${(tookMs / 1000).toFixed(
              1,
            )} s`,
          );
        } else if (
          !succeeded &&
          (tookMs >= runTimeoutMs - 5000 ||
            /abort/i.test(item.lastError ?? '')) &&
          (counts?.[p.id] ?? 0) > (p.storedAtRunStart ?? 0)
        ) {
          // The scheduler's timeout ended it: the next run resumes.
          p.interrupted += 1;
          p.needTrigger = true;
          say(
            `${p.id}: run ${p.runs} ended by the run timeout; triggering the next`,
          );
        } else if (!succeeded) {
          p.errors.push(item.lastError ?? 'failed without an error');
          p.state = 'failed';
          p.endedAt = Date.now();
          say(
            `${p.id}: run ${p.runs} FAILED after ${(tookMs / 1000).toFixed(
              1,
            )} s: ${item.lastError}`,
          );
        }
      }
      if (
        p.awaitingStartSince !== undefined &&
        now - p.awaitingStartSince > 120_000
      ) {
        p.needTrigger = true;
        p.awaitingStartSince = undefined;
      }
      if (p.needTrigger && now - p.lastTriggerAt >= 5000) {
        p.lastTriggerAt = now;
        // The first trigger goes to every replica at once: one run must come of it.
        const targets = p.roundTriggered ? [backends[0]] : backends;
        const answers = await Promise.all(
          targets.map(backend =>
            backend
              .request(`/api/itsm/sync/${encodeURIComponent(p.id)}`, {
                method: 'POST',
              })
              .catch(error => ({ status: 0, body: String(error) })),
          ),
        );
        for (const answer of answers) {
          if (answer.status === 202) p.triggers.accepted += 1;
          else if (answer.status === 409) p.triggers.conflicts += 1;
          else {
            say(
              `${p.id}: trigger answered ${answer.status}: ${JSON.stringify(
                answer.body,
              ).slice(0, 300)}`,
            );
          }
        }
        if (answers.some(a => a.status === 202)) {
          p.roundTriggered = true;
          p.needTrigger = false;
          p.awaitingStartSince = now;
          p.firstTriggerAt ??= now;
          firstTriggerAt ??= now;
        }
      }
    }

    // Progress, and the next kill.
    if (counts && now - lastProgressAt >= 30_000) {
      lastProgressAt = now;
      say(
        `${spec.name}: stored ${providers
          .map(
            p =>
              `${p.id} ${fmt(counts[p.id])}/${fmt(p.expected)} (run ${
                p.runs
              }, ${p.state})`,
          )
          .join(', ')}`,
      );
    }
    const plan = killPlan[kills.length];
    if (plan && counts) {
      const total = counts[SN] + counts[PD];
      let targetId = plan.target;
      let fraction = plan.fraction;
      if (byId.get(targetId)!.state !== 'pending') {
        const other = providers.find(p => p.state === 'pending');
        if (other) {
          targetId = other.id;
          fraction = Math.min(
            0.95,
            Math.max(fraction, counts[other.id] / other.expected + 0.02),
          );
          plan.target = targetId;
          plan.fraction = fraction;
        }
      }
      const targetState = byId.get(targetId)!;
      if (
        targetState.state === 'pending' &&
        targetState.runs > 0 &&
        total > lifeStartTotal &&
        counts[targetId] >= fraction * targetState.expected
      ) {
        const backend = backends[0];
        const at = Date.now();
        await backend.kill9();
        const after = await stored.count(PROVIDERS);
        say(
          `KILL ${kills.length + 1}: SIGKILL to ${backend.options.name} (pid ${
            backend.pid
          }) at ${((at - (firstTriggerAt ?? at)) / 1000).toFixed(
            1,
          )} s into the sync, aimed at ${targetId} past ${Math.round(
            fraction * 100,
          )}%; stored then: ${PROVIDERS.map(
            id => `${id} ${fmt(after[id])}/${fmt(byId.get(id)!.expected)}`,
          ).join(', ')}`,
        );
        const restartMs = await backend.start(180_000);
        say(
          `${backend.options.name} started again in ${(
            restartMs / 1000
          ).toFixed(1)} s`,
        );
        kills.push({
          at: at - (firstTriggerAt ?? at),
          target: targetId,
          fraction,
          stored: after,
          restartMs,
        });
        lastKillAt = at;
        lifeStartTotal = after[SN] + after[PD];
        for (const p of providers) {
          if (p.state === 'pending') {
            p.needTrigger = true;
            p.interrupted += 1;
            p.restartedAt = Date.now();
          }
        }
      }
    }
    await sleep(POLL_MS);
  }
  const finishedAt = Math.max(...providers.map(p => p.endedAt ?? Date.now()));
  const elapsedMs = finishedAt - (firstTriggerAt ?? phaseStarted);
  if (kills.length < spec.kills) {
    problems.push(
      `${kills.length} of ${spec.kills} kills happened (the sync ended or failed first)`,
    );
  }

  // What the sources hold against what was stored, read from the database.
  const records: Record<string, StoredProvider> = {};
  const idChecks: IdCheck[] = [];
  for (const id of PROVIDERS) {
    const provider = await stored.list(id);
    records[id] = provider;
    const rows = provider.records;
    const source = new Set(Object.values(world.sourceIds[id]).flat());
    const check: IdCheck = {
      provider: id,
      source: source.size,
      stored: 0,
      lost: 0,
      duplicated: 0,
      extra: 0,
      tombstoned: 0,
      samples: [],
    };
    for (const externalId of source) {
      const row = rows.get(externalId);
      // A live source record in record_tombstones was wrongly deleted: lost too.
      if (provider.tombstones.has(externalId)) check.tombstoned += 1;
      if (!row) {
        check.lost += 1;
        if (check.samples.length < 5) {
          check.samples.push(
            `lost ${externalId}${
              provider.tombstones.has(externalId) ? ' (tombstoned)' : ''
            }`,
          );
        }
      } else {
        check.stored += 1;
        if (row.rows > 1) {
          check.duplicated += row.rows - 1;
          if (check.samples.length < 5) {
            check.samples.push(`${row.rows} × ${externalId}`);
          }
        }
      }
    }
    for (const externalId of rows.keys()) {
      if (!source.has(externalId)) {
        check.extra += 1;
        if (check.samples.length < 5) check.samples.push(`extra ${externalId}`);
      }
    }
    idChecks.push(check);
  }

  const simulators: Record<string, SimulatorStats> = {};
  for (const [id, simulator] of Object.entries(world.simulators)) {
    simulators[id] = simulator.exited
      ? {
          name: simulator.ready.name,
          requests: 0,
          byStatus: {},
          byCredential: {},
          segments: [],
          segmentsLeftOut: 0,
        }
      : await simulator.stats();
  }

  // Metrics of the mapped entities, from every replica.
  const window = `from=${encodeURIComponent(
    new Date(world.anchor - 35 * DAY).toISOString(),
  )}&to=${encodeURIComponent(new Date(world.anchor).toISOString())}`;
  const metrics: Array<Record<string, unknown>> = [];
  for (const backend of backends) {
    const answers: Record<string, unknown> = {};
    for (const entityRef of world.metricEntities) {
      const { status, body } = await backend
        .request(
          `/api/itsm/metrics?entityRef=${encodeURIComponent(
            entityRef,
          )}&${window}&bucket=week`,
          { timeoutMs: 120_000 },
        )
        .catch(error => ({ status: 0, body: String(error) }));
      answers[entityRef] =
        status === 200 ? body : { failedWithStatus: status, body };
    }
    metrics.push(answers);
    writeFileSync(
      join(
        world.runDir,
        `${tag}-metrics-${backend.options.name.replace(/\W+/g, '-')}.json`,
      ),
      JSON.stringify(answers, null, 2),
    );
  }
  const syncStatus = (await readStatus()) ?? [];
  const peakRssKb = backends.map(b => b.peakRssKb);
  for (const backend of backends) await backend.stop();
  await stored.close();

  for (const p of providers) {
    if (p.state !== 'done')
      problems.push(`${p.id} did not finish (${p.state})`);
  }
  for (const check of idChecks) {
    if (check.lost || check.duplicated || check.extra) {
      problems.push(
        `${check.provider}: ${check.lost} lost (${check.tombstoned} of them tombstoned), ${check.duplicated} duplicated, ${check.extra} not in the source`,
      );
    }
  }
  for (const [entityRef, answer] of Object.entries(metrics[0] ?? {})) {
    if (
      (answer as { failedWithStatus?: number }).failedWithStatus !== undefined
    ) {
      problems.push(
        `metrics of ${entityRef}: ${JSON.stringify(answer).slice(0, 200)}`,
      );
    }
  }
  if (spec.replicas > 1) {
    // Each provider ran once at a time: the requests of one run all come
    // from one replica, so a simulator sees at most one stretch per run.
    const pairs: Array<[string, string]> = [
      [SN, SN],
      [PD, PD],
    ];
    for (const [simulatorId, providerId] of pairs) {
      const stats = simulators[simulatorId];
      const p = byId.get(providerId)!;
      const stretches = stats.segments.length + stats.segmentsLeftOut;
      if (stretches > p.runs) {
        problems.push(
          `${providerId}: requests came in ${stretches} alternating stretches from ${Object.keys(
            stats.byCredential,
          ).join(', ')} over ${p.runs} runs: runs overlapped`,
        );
      }
    }
    for (let r = 1; r < metrics.length; r++) {
      for (const entityRef of world.metricEntities) {
        if (!isDeepStrictEqual(metrics[0][entityRef], metrics[r][entityRef])) {
          problems.push(
            `metrics of ${entityRef} differ between replica 1 and replica ${
              r + 1
            }: ${differences(metrics[0][entityRef], metrics[r][entityRef])
              .slice(0, 3)
              .join('; ')}`,
          );
        }
      }
    }
  }

  return {
    spec,
    ok: problems.length === 0,
    problems,
    providers,
    elapsedMs,
    records,
    idChecks,
    simulators,
    kills,
    peakRssKb,
    metrics,
    syncStatus,
  };
}

/** Paths where two JSON values differ, with both values. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  if (
    a &&
    b &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    Array.isArray(a) === Array.isArray(b)
  ) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap(key =>
      differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${path}.${key}`,
      ),
    );
  }
  return [
    `${path || '.'}: ${JSON.stringify(a)?.slice(0, 80)} ≠ ${JSON.stringify(
      b,
    )?.slice(0, 80)}`,
  ];
}

// ---------------------------------------------------------------- report

function report(world: World, result: PhaseResult) {
  const { spec } = result;
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `== ${spec.name}: ${OPTIONS.pg ? 'PostgreSQL 15' : 'SQLite'}, ${
      spec.faults
        ? 'faults on (429 every 5th request, 500 every 7th)'
        : 'no injected faults'
    }, ${spec.replicas} backend${spec.replicas > 1 ? 's' : ''}${
      spec.kills ? `, ${spec.kills} × kill -9` : ''
    }, run timeout ${OPTIONS.runTimeoutMin} min`,
  );
  const rows: string[][] = [
    [
      'provider',
      'source',
      'stored',
      'lost',
      'dup',
      'extra',
      'runs',
      'elapsed s',
      'records/s',
      'requests',
      '429s',
      '500s',
      'retries',
      'waits s',
    ],
  ];
  const simulatorOf: Record<string, SimulatorStats> = {
    [SN]: result.simulators[SN],
    [PD]: result.simulators[PD],
  };
  let totalRecords = 0;
  for (const p of result.providers) {
    const check = result.idChecks.find(c => c.provider === p.id)!;
    const stats = simulatorOf[p.id];
    const elapsed =
      ((p.endedAt ?? Date.now()) - (p.firstTriggerAt ?? Date.now())) / 1000;
    const count429 =
      (stats.byStatus['429 fault'] ?? 0) +
      (stats.byStatus['429 rate limit'] ?? 0);
    totalRecords += check.stored;
    rows.push([
      p.id,
      fmt(check.source),
      fmt(check.stored),
      fmt(check.lost),
      fmt(check.duplicated),
      fmt(check.extra),
      `${p.runs}${p.state === 'done' ? '' : ` ${p.state}`}`,
      elapsed.toFixed(1),
      fmt(check.stored / Math.max(elapsed, 0.001)),
      fmt(stats.requests),
      fmt(count429),
      fmt(stats.byStatus['500 fault'] ?? 0),
      p.retries === undefined ? 'n/a' : fmt(p.retries),
      p.waitMs === undefined ? 'n/a' : (p.waitMs / 1000).toFixed(1),
    ]);
  }
  const all = Object.values(result.simulators);
  const sum = (f: (s: SimulatorStats) => number) =>
    all.reduce((n, s) => n + f(s), 0);
  const known = (values: Array<number | undefined>) =>
    values.every(v => v === undefined)
      ? undefined
      : values.reduce<number>((n, v) => n + (v ?? 0), 0);
  const retries = known(result.providers.map(p => p.retries));
  const waits = known(result.providers.map(p => p.waitMs));
  rows.push([
    'both',
    fmt(result.idChecks.reduce((n, c) => n + c.source, 0)),
    fmt(totalRecords),
    fmt(result.idChecks.reduce((n, c) => n + c.lost, 0)),
    fmt(result.idChecks.reduce((n, c) => n + c.duplicated, 0)),
    fmt(result.idChecks.reduce((n, c) => n + c.extra, 0)),
    String(result.providers.reduce((n, p) => n + p.runs, 0)),
    (result.elapsedMs / 1000).toFixed(1),
    fmt(totalRecords / Math.max(result.elapsedMs / 1000, 0.001)),
    fmt(sum(s => s.requests)),
    fmt(
      sum(
        s =>
          (s.byStatus['429 fault'] ?? 0) + (s.byStatus['429 rate limit'] ?? 0),
      ),
    ),
    fmt(sum(s => s.byStatus['500 fault'] ?? 0)),
    retries === undefined ? 'n/a' : fmt(retries),
    waits === undefined ? 'n/a' : (waits / 1000).toFixed(1),
  ]);
  lines.push(table(rows));
  for (const [name, stats] of Object.entries(result.simulators)) {
    lines.push(
      `${name} answers: ${Object.entries(stats.byStatus)
        .sort()
        .map(([status, n]) => `${status} ${fmt(n)}`)
        .join(', ')}${
        stats.peakRequestsPerWindow
          ? `; busiest minute ${fmt(stats.peakRequestsPerWindow)} requests`
          : ''
      }; by replica: ${Object.entries(stats.byCredential)
        .map(([credential, n]) => `${credential} ${fmt(n)}`)
        .join(', ')} in ${
        stats.segments.length + stats.segmentsLeftOut
      } stretch(es)`,
    );
  }
  for (const [entityRef, answer] of Object.entries(result.metrics[0] ?? {})) {
    const values = (
      answer as { metrics?: Record<string, { value?: unknown; n?: number }> }
    ).metrics;
    if (!values) continue;
    lines.push(
      `metrics ${entityRef}: ${SUMMARY_METRICS.filter(id => values[id])
        .map(id => {
          const { value, n } = values[id];
          let shown = String(value);
          if (typeof value === 'number' && !Number.isInteger(value)) {
            shown = value.toFixed(3);
          }
          return `${id} ${shown} (n ${n})`;
        })
        .join(', ')}`,
    );
  }
  lines.push(
    `backend peak RSS: ${result.peakRssKb.map(mb).join(', ')}${
      result.spec.kills ? ' (highest of every start)' : ''
    }`,
  );
  if (result.providers.some(p => p.retries === undefined)) {
    lines.push(
      'retries, waits: n/a where GET /api/itsm/sync does not report them (yet)',
    );
  }
  if (result.providers.some(p => p.finishedRuns < p.runs)) {
    lines.push(
      `retries, waits, backend requests: summed over the runs that finished (${result.providers
        .map(p => `${p.id} ${p.finishedRuns} of ${p.runs}`)
        .join(', ')}); a killed run takes its own with it`,
    );
  }
  for (const p of result.providers) {
    const extras = [
      p.interrupted
        ? `${p.interrupted} run${
            p.interrupted === 1 ? '' : 's'
          } interrupted (kill or run timeout)`
        : '',
      p.lockWaitMs
        ? `${Math.round(
            p.lockWaitMs / 1000,
          )} s from restarts to the next run (the killed run's scheduler lock)`
        : '',
      p.clientRequests !== undefined
        ? `the backend counted ${fmt(p.clientRequests)} requests`
        : '',
      `triggers ${p.triggers.accepted} accepted, ${p.triggers.conflicts} refused (409)`,
      ...p.errors.map(e => `error: ${e.slice(0, 300)}`),
    ].filter(Boolean);
    lines.push(`${p.id}: ${extras.join('; ')}`);
  }
  for (const [i, kill] of result.kills.entries()) {
    lines.push(
      `kill ${i + 1}: ${(kill.at / 1000).toFixed(
        1,
      )} s into the sync (aimed at ${kill.target} past ${Math.round(
        kill.fraction * 100,
      )}%), stored then ${PROVIDERS.map(
        id => `${id} ${fmt(kill.stored[id])}`,
      ).join(', ')}; restarted in ${(kill.restartMs / 1000).toFixed(1)} s`,
    );
  }
  for (const check of result.idChecks) {
    if (check.samples.length) {
      lines.push(`${check.provider} samples: ${check.samples.join(', ')}`);
    }
  }
  for (const item of result.syncStatus.filter(i =>
    PROVIDERS.includes(i.providerId),
  )) {
    lines.push(
      `GET /sync ${item.providerId}: ${JSON.stringify({
        ...item,
        cursor: undefined,
      })}`,
    );
  }
  lines.push(
    result.ok
      ? `${spec.name}: OK (metrics of ${world.metricEntities.length} entities read)`
      : `${spec.name}: FAILED\n  - ${result.problems.join('\n  - ')}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Faulty against clean: the same metrics, the same stored records. */
function compareWithClean(
  world: World,
  faulty: PhaseResult,
  clean: PhaseResult,
): string[] {
  const problems: string[] = [];
  let compared = 0;
  for (const entityRef of world.metricEntities) {
    const a = faulty.metrics[0]?.[entityRef] as Record<string, unknown>;
    const b = clean.metrics[0]?.[entityRef] as Record<string, unknown>;
    // Metric values and series must be equal; the rest (e.g. when each
    // source last synced) may differ between two runs.
    for (const key of ['metrics', 'series']) {
      compared += 1;
      if (!isDeepStrictEqual(a?.[key], b?.[key])) {
        problems.push(
          `${entityRef} ${key} differ: ${differences(a?.[key], b?.[key])
            .slice(0, 3)
            .join('; ')}`,
        );
      }
    }
  }
  for (const id of PROVIDERS) {
    let differ = 0;
    const samples: string[] = [];
    const a = faulty.records[id].records;
    const b = clean.records[id].records;
    for (const [externalId, row] of b) {
      const other = a.get(externalId);
      if (
        !other ||
        other.contentHash !== row.contentHash ||
        other.slas !== row.slas
      ) {
        differ += 1;
        if (samples.length < 3) samples.push(externalId);
      }
    }
    if (differ > 0 || a.size !== b.size) {
      problems.push(
        `${id}: ${differ} records differ from the clean run (${
          a.size
        } against ${b.size} stored)${
          samples.length ? `, e.g. ${samples.join(', ')}` : ''
        }`,
      );
    }
  }
  process.stdout.write(
    `\n== ${faulty.spec.name} against clean: ${
      problems.length === 0
        ? `metrics of ${world.metricEntities.length} entities equal (${compared} metric sets and series), every record's content and SLAs equal`
        : `DIFFER\n  - ${problems.join('\n  - ')}`
    }\n`,
  );
  return problems;
}

// ---------------------------------------------------------------- main

async function main() {
  if (OPTIONS.replicas > 1 && !OPTIONS.pg) {
    throw new Error(
      '--replicas needs --pg: replicas share one PostgreSQL database',
    );
  }
  if (OPTIONS.replicas > 1 && OPTIONS.kills > 0) {
    throw new Error('--replicas and --kill are measured separately');
  }
  const runDir = mkdtempSync(join(tmpdir(), 'itsm-faults-'));
  if (!OPTIONS.keep) {
    cleanups.push(() => rmSync(runDir, { recursive: true, force: true }));
  }
  // Every record lies before the anchor: a clean run of the same data
  // later gives the same metrics over the same window.
  const anchor = Math.floor(Date.now() / 3600_000) * 3600_000 - 3600_000;
  const demo = readDemoComponents();
  const ciIds = demo.flatMap(c => c.ciSysIds);
  const serviceIds = demo.flatMap(c => c.pagerDutyServiceIds);
  const mapped = demo.filter(
    c => c.ciSysIds.length > 0 && c.pagerDutyServiceIds.length > 0,
  );
  const systems = [...new Set(mapped.map(c => c.system).filter(Boolean))];
  const metricEntities = [
    ...mapped.slice(0, 3).map(c => c.ref),
    ...(systems.slice(0, 2) as string[]),
  ];
  if (metricEntities.length === 0) {
    throw new Error(
      'examples/components.yaml has no component with both vendor annotations',
    );
  }

  say(
    `run directory ${runDir}; sources: ServiceNow ${fmt(
      OPTIONS.snIncidents,
    )} incidents + ${fmt(OPTIONS.snChanges)} changes, PagerDuty ${fmt(
      OPTIONS.pdIncidents,
    )} incidents + ${fmt(OPTIONS.pdChanges)} change events`,
  );
  const common = ['--anchor', String(anchor), '--seed', String(OPTIONS.seed)];
  const [sn, pd] = await Promise.all([
    Simulator.start(
      'serviceNowSimulator.ts',
      [
        ...common,
        '--incidents',
        String(OPTIONS.snIncidents),
        '--changes',
        String(OPTIONS.snChanges),
        '--ci-ids',
        ciIds.join(','),
      ],
      300_000,
    ),
    Simulator.start(
      'pagerDutySimulator.ts',
      [
        ...common,
        '--incidents',
        String(OPTIONS.pdIncidents),
        '--changes',
        String(OPTIONS.pdChanges),
        '--service-ids',
        serviceIds.join(','),
      ],
      300_000,
    ),
  ]);
  cleanups.push(() => sn.stop());
  cleanups.push(() => pd.stop());
  for (const simulator of [sn, pd]) {
    const { name, port, counts, facts, setupMs } = simulator.ready;
    say(
      `${name} simulator on 127.0.0.1:${port}: ${Object.entries({
        ...counts,
        ...facts,
      })
        .map(([k, n]) => `${fmt(n)} ${k}`)
        .join(', ')} (built in ${(setupMs / 1000).toFixed(1)} s)`,
    );
  }
  const world: World = {
    runDir,
    anchor,
    simulators: { [SN]: sn, [PD]: pd },
    sourceIds: { [SN]: await sn.ids(), [PD]: await pd.ids() },
    metricEntities,
    pgPrefix: `itsm_faults_${new Date()
      .toISOString()
      .replace(/\D/g, '')
      .slice(0, 14)}_${Math.floor(Math.random() * 1e4)}`,
  };
  say(`metrics compared for ${metricEntities.join(', ')}`);

  const problems: string[] = [];
  const main_ = await runPhase(world, {
    name: OPTIONS.faults ? 'faults' : 'no faults',
    faults: OPTIONS.faults,
    kills: OPTIONS.kills,
    replicas: OPTIONS.replicas,
    rounds: OPTIONS.replicas > 1 ? 2 : 1,
  });
  report(world, main_);
  problems.push(...main_.problems);
  if (OPTIONS.compareClean) {
    const clean = await runPhase(world, {
      name: 'clean',
      faults: false,
      kills: 0,
      replicas: 1,
      rounds: 1,
    });
    report(world, clean);
    problems.push(...clean.problems);
    problems.push(...compareWithClean(world, main_, clean));
  }
  say(
    problems.length === 0
      ? 'PASSED: nothing lost, duplicated or different'
      : `FAILED (${problems.length} problem${problems.length > 1 ? 's' : ''})`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main()
  .catch(error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(() =>
    cleanup().finally(() => {
      if (OPTIONS.keep) process.stdout.write('kept the run directory\n');
      process.exit();
    }),
  );
