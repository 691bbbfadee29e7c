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

import type {
  ItsmDeadLetter,
  ItsmRecord,
  ItsmSyncStatus,
} from '@backstage-itsm/plugin-itsm-common';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type {
  CommitBatchInput,
  CommitBatchResult,
  ItsmStore,
  ListDeadLettersOptions,
  ListExternalIdsOptions,
  ListRecordMappingsOptions,
  ListRecordsQuery,
  RecordFilter,
  RecordMappings,
  ResolvedEntity,
  SyncRunOutcome,
  SyncRunProvider,
} from './ItsmStore';
import { listDeadLetters } from './operations/deadLetters/listDeadLetters';
import { commitBatch } from './operations/records/commitBatch';
import { getRecord, getRecords } from './operations/records/getRecords';
import { listExternalIds } from './operations/records/listExternalIds';
import { listRecordMappings } from './operations/records/listRecordMappings';
import { listRecords } from './operations/records/listRecords';
import { replaceRecordEntities } from './operations/records/replaceRecordEntities';
import { getCursor } from './operations/syncState/getCursor';
import { listSyncStatus } from './operations/syncState/listSyncStatus';
import { markSyncFinished } from './operations/syncState/markSyncFinished';
import { markSyncStarted } from './operations/syncState/markSyncStarted';

const migrationsDir = resolvePackagePath(
  '@backstage-itsm/plugin-itsm-backend',
  'migrations',
);

/**
 * The ITSM store on knex, for SQLite and PostgreSQL: a facade over the
 * operations in `operations/<area>/<verbNoun>.ts`, each of which takes the
 * knex (or a transaction) and its options.
 *
 * @remarks
 *
 * Instants are bigint epoch milliseconds in the database and ISO strings at
 * the interface.
 */
export class DatabaseItsmStore implements ItsmStore {
  static async create({
    database,
    skipMigrations,
  }: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseItsmStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip && !skipMigrations) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseItsmStore(client);
  }

  private constructor(private readonly db: Knex) {}

  commitBatch(input: CommitBatchInput): Promise<CommitBatchResult> {
    return commitBatch(this.db, input);
  }

  listRecords(
    query: ListRecordsQuery,
  ): Promise<{ items: ItsmRecord[]; nextCursor?: string }> {
    return listRecords(this.db, query);
  }

  getRecord(
    id: string,
    filter?: RecordFilter,
  ): Promise<ItsmRecord | undefined> {
    return getRecord(this.db, { id, filter });
  }

  getRecords(ids: string[], filter?: RecordFilter): Promise<ItsmRecord[]> {
    return getRecords(this.db, { ids, filter });
  }

  listRecordMappings(
    options: ListRecordMappingsOptions,
  ): Promise<RecordMappings[]> {
    return listRecordMappings(this.db, options);
  }

  replaceRecordEntities(
    entities: Map<string, ResolvedEntity[]>,
  ): Promise<number> {
    return replaceRecordEntities(this.db, { entities });
  }

  listExternalIds(options: ListExternalIdsOptions): Promise<string[]> {
    return listExternalIds(this.db, options);
  }

  getCursor(providerId: string): Promise<string | null> {
    return getCursor(this.db, { providerId });
  }

  markSyncStarted(provider: SyncRunProvider): Promise<void> {
    return markSyncStarted(this.db, provider);
  }

  markSyncFinished(providerId: string, outcome: SyncRunOutcome): Promise<void> {
    return markSyncFinished(this.db, { providerId, ...outcome });
  }

  listSyncStatus(): Promise<ItsmSyncStatus[]> {
    return listSyncStatus(this.db);
  }

  listDeadLetters(options: ListDeadLettersOptions): Promise<ItsmDeadLetter[]> {
    return listDeadLetters(this.db, options);
  }
}
