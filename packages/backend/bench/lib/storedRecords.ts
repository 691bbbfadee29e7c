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
 * Reads what the backend stored straight from its database (the ITSM
 * plugin's `records` table), never through its API: SQLite (the plugin's
 * file in the backend's database directory) or PostgreSQL (the plugin's
 * schema in the run's database).
 */

import BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/** Where a run's backends keep their data. */
export type DatabaseTarget =
  | { client: 'sqlite'; directory: string }
  | { client: 'pg'; url: string; database: string };

/** A stored record's key facts. */
export interface StoredRecord {
  externalId: string;
  kind: string;
  /** Rows with this (provider, external id): more than 1 is a duplicate. */
  rows: number;
  /** Tombstoned (deleted at the source), when the schema has tombstones. */
  deleted: boolean;
  contentHash: string;
  slas: number;
}

/** Columns that mark a tombstone in later schemas, if present. */
const TOMBSTONE_COLUMNS = ['deleted_at', 'tombstoned_at'];

export interface StoredRecords {
  /** Live (not tombstoned) records per provider. */
  count(providerIds: string[]): Promise<Record<string, number>>;
  /** Every stored record of a provider, by external id. */
  list(providerId: string): Promise<Map<string, StoredRecord>>;
  close(): Promise<void>;
}

function listQuery(tombstone: string | undefined, param: string) {
  // GROUP BY external_id counts rows per source id: the unique key should
  // make 1 the only answer, which is what this checks.
  return `select r.external_id as external_id, min(r.kind) as kind,
      count(distinct r.id) as row_count,
      ${
        tombstone
          ? `max(case when r.${tombstone} is null then 0 else 1 end)`
          : '0'
      } as deleted,
      min(r.content_hash) as content_hash,
      count(s.record_id) as sla_count
    from records r left join slas s on s.record_id = r.id
    where r.provider_id = ${param}
    group by r.external_id`;
}

function countQuery(tombstone: string | undefined, params: string) {
  return `select provider_id, count(*) as n from records
    where provider_id in (${params})${
    tombstone ? ` and ${tombstone} is null` : ''
  }
    group by provider_id`;
}

function toRecords(
  rows: Array<Record<string, unknown>>,
): Map<string, StoredRecord> {
  const result = new Map<string, StoredRecord>();
  for (const row of rows) {
    result.set(String(row.external_id), {
      externalId: String(row.external_id),
      kind: String(row.kind),
      rows: Number(row.row_count),
      deleted: Number(row.deleted) === 1,
      contentHash: String(row.content_hash),
      slas: Number(row.sla_count),
    });
  }
  return result;
}

class SqliteStoredRecords implements StoredRecords {
  #db?: BetterSqlite3.Database;
  #tombstone?: string;

  constructor(private readonly file: string) {}

  #open(): BetterSqlite3.Database | undefined {
    if (!this.#db) {
      if (!existsSync(this.file)) return undefined;
      const db = new BetterSqlite3(this.file, {
        readonly: true,
        fileMustExist: true,
        timeout: 15_000,
      });
      const columns = db
        .prepare(`select name from pragma_table_info('records')`)
        .all() as Array<{ name: string }>;
      if (columns.length === 0) {
        db.close();
        return undefined;
      }
      this.#tombstone = TOMBSTONE_COLUMNS.find(c =>
        columns.some(column => column.name === c),
      );
      this.#db = db;
    }
    return this.#db;
  }

  async count(providerIds: string[]) {
    const result = Object.fromEntries(providerIds.map(id => [id, 0]));
    const db = this.#open();
    if (!db) return result;
    const rows = db
      .prepare(
        countQuery(this.#tombstone, providerIds.map(() => '?').join(', ')),
      )
      .all(...providerIds) as Array<{ provider_id: string; n: number }>;
    for (const row of rows) result[row.provider_id] = Number(row.n);
    return result;
  }

  async list(providerId: string) {
    const db = this.#open();
    if (!db) return new Map<string, StoredRecord>();
    return toRecords(
      db.prepare(listQuery(this.#tombstone, '?')).all(providerId) as Array<
        Record<string, unknown>
      >,
    );
  }

  async close() {
    this.#db?.close();
    this.#db = undefined;
  }
}

class PgStoredRecords implements StoredRecords {
  #client?: Client;
  #tombstone?: string;
  #ready = false;

  constructor(private readonly target: { url: string; database: string }) {}

  async #open(): Promise<Client | undefined> {
    if (!this.#client) {
      const client = new Client({
        connectionString: withDatabase(this.target.url, this.target.database),
        connectionTimeoutMillis: 10_000,
        statement_timeout: 60_000,
      });
      await client.connect();
      // The backend runs with pluginDivisionMode schema: the ITSM plugin's
      // tables live in schema `itsm` of the run's database.
      await client.query('set search_path to itsm');
      this.#client = client;
    }
    if (!this.#ready) {
      const { rows } = await this.#client.query(
        `select column_name from information_schema.columns
         where table_schema = 'itsm' and table_name = 'records'`,
      );
      if (rows.length === 0) return undefined;
      this.#tombstone = TOMBSTONE_COLUMNS.find(c =>
        rows.some(row => row.column_name === c),
      );
      this.#ready = true;
    }
    return this.#client;
  }

  async count(providerIds: string[]) {
    const result = Object.fromEntries(providerIds.map(id => [id, 0]));
    const client = await this.#open();
    if (!client) return result;
    const { rows } = await client.query(
      countQuery(
        this.#tombstone,
        providerIds.map((_, i) => `$${i + 1}`).join(', '),
      ),
      providerIds,
    );
    for (const row of rows) result[row.provider_id] = Number(row.n);
    return result;
  }

  async list(providerId: string) {
    const client = await this.#open();
    if (!client) return new Map<string, StoredRecord>();
    const { rows } = await client.query(listQuery(this.#tombstone, '$1'), [
      providerId,
    ]);
    return toRecords(rows);
  }

  async close() {
    await this.#client?.end().catch(() => {});
    this.#client = undefined;
    this.#ready = false;
  }
}

/** The server URL with a database (a connection string's database wins over options). */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export function openStoredRecords(target: DatabaseTarget): StoredRecords {
  return target.client === 'sqlite'
    ? new SqliteStoredRecords(join(target.directory, 'itsm.sqlite'))
    : new PgStoredRecords(target);
}

/** Creates a PostgreSQL database for a run (the backends make their schemas). */
export async function createPgDatabase(url: string, database: string) {
  const client = new Client({
    connectionString: withDatabase(url, 'postgres'),
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    await client.query(`create database "${database}"`);
  } finally {
    await client.end();
  }
}

/** Drops a run's PostgreSQL database, ending any session still in it. */
export async function dropPgDatabase(url: string, database: string) {
  const client = new Client({
    connectionString: withDatabase(url, 'postgres'),
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    await client.query(`drop database if exists "${database}" with (force)`);
  } finally {
    await client.end();
  }
}
