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

import {
  ItsmRecordInput,
  itsmRecordInputSchema,
} from '@backstage-itsm/plugin-itsm-common';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { DatabaseItsmStore } from '../database/DatabaseItsmStore';
import type {
  CommitBatchInput,
  RecordToStore,
  ResolvedEntity,
} from '../database/ItsmStore';

/** The databases every store operation is tested on. */
export const STORE_DATABASE_IDS = ['POSTGRES_15', 'SQLITE_3'] as const;

export const P1 = 'servicenow:corp';
export const P2 = 'hr:main';

/** A validated incident of P1, with what a test overrides. */
export function rec(
  externalId: string,
  overrides: Partial<ItsmRecordInput> = {},
  entities: ResolvedEntity[] = [],
): RecordToStore {
  const record = itsmRecordInputSchema.parse({
    externalId,
    kind: 'incident',
    number: `INC-${externalId}`,
    title: `Record ${externalId}`,
    state: 'new',
    openedAt: '2026-01-01T00:00:00Z',
    sourceUpdatedAt: '2026-01-01T01:00:00Z',
    payload: { sys_id: externalId },
    ...overrides,
  });
  return { record, entities };
}

export function entity(
  ref: string,
  ownerRef: string | null = null,
): ResolvedEntity {
  return { entityRef: ref, via: 'servicenow.com/ci-sysid', ownerRef };
}

/** A batch of P1 in the `it` department. */
export function batch(
  records: RecordToStore[],
  extra: Partial<CommitBatchInput> = {},
): CommitBatchInput {
  return {
    providerId: P1,
    department: 'it',
    records,
    feedback: [],
    deadLetters: [],
    ...extra,
  };
}

/** A migrated database for the store operations. */
export async function createStoreDatabase(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
): Promise<Knex> {
  const knex = await databases.init(databaseId);
  await DatabaseItsmStore.create({
    database: mockServices.database({ knex, migrations: { skip: false } }),
  });
  return knex;
}

/** Empties the tables the record operations write. */
export async function clearStoreTables(knex: Knex): Promise<void> {
  for (const table of [
    'slas',
    'record_mappings',
    'record_entities',
    'records',
    'feedback',
    'dead_letters',
    'sync_state',
    'record_tombstones',
  ]) {
    await knex(table).delete();
  }
}

export async function countRows(knex: Knex, table: string): Promise<number> {
  const [row] = await knex(table).count({ n: '*' });
  return Number(row.n);
}
