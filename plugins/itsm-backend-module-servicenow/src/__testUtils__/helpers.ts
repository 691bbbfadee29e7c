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

import { mockServices } from '@backstage/backend-test-utils';
import type {
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderDeletion,
  ItsmProviderSyncContext,
  ItsmSyncReporter,
} from '@backstage-itsm/plugin-itsm-node';
import incidentFixture from '../__fixtures__/servicenow-table-api-incident-get.json';
import changeFixture from '../__fixtures__/servicenow-change-management-api-change-get.json';
import problemFixture from '../__fixtures__/servicenow-table-api-problem-list.json';
import taskSlaFixture from '../__fixtures__/servicenow-task_sla.json';
import { FakeRow, FakeServiceNow } from './FakeServiceNow';

export const BASE_URL = 'https://example.service-now.com';

/** A fixture row flattened to raw values, as the fake stores it. */
function flatten(row: Record<string, unknown>): FakeRow {
  const out: FakeRow = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('_')) continue;
    if (value !== null && typeof value === 'object') {
      const v = (value as { value?: unknown }).value;
      out[key] = v === undefined || v === null ? '' : String(v);
    } else {
      out[key] = value === null || value === undefined ? '' : String(value);
    }
  }
  return out;
}

/** Row templates from the official example payloads (see `_source` in each fixture). */
export const TEMPLATES = {
  incident: flatten(incidentFixture.result),
  change_request: flatten(changeFixture.result),
  problem: flatten(problemFixture.result[0]),
  task_sla: flatten(taskSlaFixture.result[1]),
};

export const GROUP_ID = '8a4dde73c6112278017a6a4baf547aa7';
export const CI_ID = 'a9c0c8d2c6112276018f7705562f9cb0';
export const RESPONSE_SLA_ID = '0000000000000000000000000000c002';
export const RESOLUTION_SLA_ID = '0000000000000000000000000000c001';

/** A 32-character sys_id made from a prefix and a number. */
export function sysId(prefix: string, n: number): string {
  const digits = String(n);
  return `${prefix}${'0'.repeat(32 - prefix.length - digits.length)}${digits}`;
}

/** `2024-06-01 00:00:00` plus `seconds`. */
export function at(seconds: number): string {
  return new Date(Date.parse('2024-06-01T00:00:00Z') + seconds * 1000)
    .toISOString()
    .slice(0, 19)
    .replace('T', ' ');
}

export function incidentRow(n: number, overrides: FakeRow = {}): FakeRow {
  return {
    ...TEMPLATES.incident,
    sys_id: sysId('a1', n),
    number: `INC${String(n).padStart(7, '0')}`,
    short_description: `Incident ${n}`,
    sys_updated_on: at(n * 60),
    opened_at: at(n * 60 - 600),
    assignment_group: GROUP_ID,
    cmdb_ci: CI_ID,
    ...overrides,
  };
}

export function changeRow(n: number, overrides: FakeRow = {}): FakeRow {
  return {
    ...TEMPLATES.change_request,
    sys_id: sysId('c1', n),
    number: `CHG${String(n).padStart(7, '0')}`,
    sys_updated_on: at(n * 60),
    ...overrides,
  };
}

export function problemRow(n: number, overrides: FakeRow = {}): FakeRow {
  return {
    ...TEMPLATES.problem,
    sys_id: sysId('b1', n),
    number: `PRB${String(n).padStart(7, '0')}`,
    state: '102',
    sys_updated_on: at(n * 60),
    ...overrides,
  };
}

export function slaRow(
  n: number,
  task: string,
  overrides: FakeRow = {},
): FakeRow {
  return {
    ...TEMPLATES.task_sla,
    sys_id: sysId('5a', n),
    task,
    sla: RESOLUTION_SLA_ID,
    sys_updated_on: at(n * 60),
    ...overrides,
  };
}

/** An instance with the reference tables the provider dot-walks into. */
export function createFake(
  options: ConstructorParameters<typeof FakeServiceNow>[0] = {},
): FakeServiceNow {
  const fake = new FakeServiceNow({ baseUrl: BASE_URL, ...options });
  fake.put('sys_user_group', [
    { sys_id: GROUP_ID, name: 'Network', email: 'network@example.com' },
  ]);
  fake.put('sys_user', [
    {
      sys_id: '46c6f9efa9fe198101ddf5eed9adf6e7',
      name: 'Beth Anglin',
      email: 'beth.anglin@example.com',
    },
  ]);
  fake.put('contract_sla', [
    {
      sys_id: RESOLUTION_SLA_ID,
      name: 'P1 resolution (8 hour)',
      target: 'resolution',
      duration: '1970-01-01 08:00:00',
    },
    {
      sys_id: RESPONSE_SLA_ID,
      name: 'P1 response (1 hour)',
      target: 'response',
      duration: '1970-01-01 01:00:00',
    },
  ]);
  fake.declare('incident', Object.keys(TEMPLATES.incident));
  fake.declare('change_request', Object.keys(TEMPLATES.change_request));
  fake.declare('problem', Object.keys(TEMPLATES.problem));
  fake.declare('task_sla', Object.keys(TEMPLATES.task_sla));
  return fake;
}

/**
 * A virtual clock for the HTTP layer: its waits take no time, but count in
 * its clock (so retry budgets run out) and are listed.
 */
export function instantTime() {
  let offset = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => Date.now() + offset,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      waits.push(ms);
      offset += ms;
      await Promise.resolve();
    },
  };
}

/** A sync reporter that keeps what it is told. */
export function recordingReporter() {
  const events = {
    requests: 0,
    retries: [] as Array<{ status?: number; waitMs: number; message: string }>,
    parts: new Map<string, unknown>(),
  };
  const reporter: ItsmSyncReporter = {
    request: () => {
      events.requests++;
    },
    retry: event => {
      events.retries.push(event);
    },
    partFailed: (part, error) => {
      events.parts.set(part, error);
    },
  };
  return { events, reporter };
}

/** Runs one sync to its end (or `limit` batches), collecting the batches. */
export async function collect(
  provider: ItsmProvider,
  cursor: string | null,
  options: {
    limit?: number;
    signal?: AbortSignal;
    reporter?: ItsmSyncReporter;
  } = {},
): Promise<ItsmProviderBatch[]> {
  const batches: ItsmProviderBatch[] = [];
  for await (const batch of provider.sync({
    cursor,
    signal: options.signal ?? new AbortController().signal,
    logger: mockServices.logger.mock(),
    reporter: options.reporter,
  })) {
    batches.push(batch);
    if (options.limit !== undefined && batches.length >= options.limit) {
      break;
    }
  }
  return batches;
}

/**
 * Runs a sync the way the engine does: each batch "commits" (its records
 * land in `store`, its cursor becomes the saved one) before the next is
 * asked for. Returns the saved cursor and the error that ended the run.
 */
export async function runLikeEngine(
  provider: ItsmProvider,
  cursor: string | null,
  store: Array<Record<string, unknown>>,
): Promise<{ cursor: string | null; error?: unknown }> {
  let saved = cursor;
  try {
    for await (const batch of provider.sync({
      cursor: saved,
      signal: new AbortController().signal,
      logger: mockServices.logger.mock(),
    })) {
      store.push(...((batch.records ?? []) as Array<Record<string, unknown>>));
      if (batch.cursor !== undefined) saved = batch.cursor;
    }
    return { cursor: saved };
  } catch (error) {
    return { cursor: saved, error };
  }
}

/**
 * What the ingestion engine keeps of a provider's batches, in memory: the
 * newest version of each record, tombstones (a deletion buries a stored
 * version not newer than it, and keeps out such versions later), the cursor
 * of the last batch, and the stored ids the engine lists for reconciliation.
 */
export class EngineLikeStore {
  readonly records = new Map<string, Record<string, any>>();
  readonly tombstones = new Map<string, ItsmProviderDeletion>();
  /** Every deletion yielded, in order. */
  readonly deletions: ItsmProviderDeletion[] = [];
  /** Every record yielded, in order. */
  readonly yielded: Array<Record<string, any>> = [];
  cursor: string | null = null;

  /** Runs a sync the way the engine does, batch by batch; returns the error that ended it. */
  async sync(
    provider: ItsmProvider,
    options: {
      reporter?: ItsmSyncReporter;
      listStoredIds?: boolean;
    } = {},
  ): Promise<{ error?: unknown }> {
    const context: ItsmProviderSyncContext = {
      cursor: this.cursor,
      signal: new AbortController().signal,
      logger: mockServices.logger.mock(),
      reporter: options.reporter,
    };
    if (options.listStoredIds !== false) {
      context.listStoredExternalIds = async o => this.listIds(o);
    }
    try {
      for await (const batch of provider.sync(context)) {
        this.#apply(batch);
      }
      return {};
    } catch (error) {
      return { error };
    }
  }

  /** Stored ids of a kind, ascending, after `after`, at most `limit`. */
  listIds({
    kind,
    after,
    limit,
  }: {
    kind?: string;
    after?: string;
    limit: number;
  }): string[] {
    return [...this.records.values()]
      .filter(r => !kind || r.kind === kind)
      .map(r => r.externalId as string)
      .filter(id => after === undefined || id > after)
      .sort()
      .slice(0, Math.min(limit, 10_000));
  }

  /** Stored external ids of a kind, sorted. */
  ids(kind: string): string[] {
    return this.listIds({ kind, limit: Infinity });
  }

  #apply(batch: ItsmProviderBatch) {
    for (const item of (batch.records ?? []) as Array<Record<string, any>>) {
      this.yielded.push(item);
      const id = item.externalId as string;
      const buried = this.tombstones.get(id);
      if (buried && item.sourceUpdatedAt <= (buried.deletedAt ?? '')) continue;
      this.tombstones.delete(id);
      const stored = this.records.get(id);
      if (!stored || stored.sourceUpdatedAt <= item.sourceUpdatedAt) {
        this.records.set(id, item);
      }
    }
    for (const deletion of batch.deletions ?? []) {
      this.deletions.push(deletion);
      const stored = this.records.get(deletion.externalId);
      if (stored && stored.sourceUpdatedAt > (deletion.deletedAt ?? '')) {
        continue;
      }
      this.records.delete(deletion.externalId);
      this.tombstones.set(deletion.externalId, deletion);
    }
    if (batch.cursor !== undefined) this.cursor = batch.cursor;
  }
}

/** The records of a list of batches. */
export function recordsOf(
  batches: ItsmProviderBatch[],
): Array<Record<string, any>> {
  return batches.flatMap(b => (b.records ?? []) as Array<Record<string, any>>);
}
