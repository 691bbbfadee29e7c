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
  contentHash: string;
  slas: number;
}

/** What a provider has in the database. */
export interface StoredProvider {
  /** Live records, by external id. */
  records: Map<string, StoredRecord>;
  /** External ids of records deleted at the source (`record_tombstones`). */
  tombstones: Set<string>;
}

export interface StoredRecords {
  /** Live records per provider. */
  count(providerIds: string[]): Promise<Record<string, number>>;
  /** Everything stored of a provider. */
  list(providerId: string): Promise<StoredProvider>;
  close(): Promise<void>;
}

// GROUP BY external_id counts rows per source id: the unique key should
// make 1 the only answer, which is what this checks.
const LIST_RECORDS = `select r.external_id as external_id, min(r.kind) as kind,
    count(distinct r.id) as row_count, min(r.content_hash) as content_hash,
    count(s.record_id) as sla_count
  from records r left join slas s on s.record_id = r.id
  where r.provider_id = ?
  group by r.external_id`;
const LIST_TOMBSTONES = `select external_id from record_tombstones where provider_id = ?`;
const COUNT = (params: string) =>
  `select provider_id, count(*) as n from records where provider_id in (${params}) group by provider_id`;

function toProvider(
  rows: Array<Record<string, unknown>>,
  tombstones: Array<Record<string, unknown>>,
): StoredProvider {
  const records = new Map<string, StoredRecord>();
  for (const row of rows) {
    records.set(String(row.external_id), {
      externalId: String(row.external_id),
      kind: String(row.kind),
      rows: Number(row.row_count),
      contentHash: String(row.content_hash),
      slas: Number(row.sla_count),
    });
  }
  return {
    records,
    tombstones: new Set(tombstones.map(row => String(row.external_id))),
  };
}

const EMPTY: StoredProvider = { records: new Map(), tombstones: new Set() };

class SqliteStoredRecords implements StoredRecords {
  #db?: BetterSqlite3.Database;
  #hasTombstones = false;

  constructor(private readonly file: string) {}

  #open(): BetterSqlite3.Database | undefined {
    if (!this.#db) {
      if (!existsSync(this.file)) return undefined;
      const db = new BetterSqlite3(this.file, {
        readonly: true,
        fileMustExist: true,
        timeout: 15_000,
      });
      const tables = (
        db
          .prepare(`select name from sqlite_master where type = 'table'`)
          .all() as Array<{ name: string }>
      ).map(t => t.name);
      if (!tables.includes('records')) {
        db.close();
        return undefined;
      }
      this.#hasTombstones = tables.includes('record_tombstones');
      this.#db = db;
    }
    return this.#db;
  }

  async count(providerIds: string[]) {
    const result = Object.fromEntries(providerIds.map(id => [id, 0]));
    const db = this.#open();
    if (!db) return result;
    const rows = db
      .prepare(COUNT(providerIds.map(() => '?').join(', ')))
      .all(...providerIds) as Array<{ provider_id: string; n: number }>;
    for (const row of rows) result[row.provider_id] = Number(row.n);
    return result;
  }

  async list(providerId: string) {
    const db = this.#open();
    if (!db) return EMPTY;
    return toProvider(
      db.prepare(LIST_RECORDS).all(providerId) as Array<
        Record<string, unknown>
      >,
      this.#hasTombstones
        ? (db.prepare(LIST_TOMBSTONES).all(providerId) as Array<
            Record<string, unknown>
          >)
        : [],
    );
  }

  async close() {
    this.#db?.close();
    this.#db = undefined;
  }
}

/** `?` placeholders as PostgreSQL's `$n`. */
function pgParams(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

class PgStoredRecords implements StoredRecords {
  #client?: Client;
  #tables?: string[];

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
    if (!this.#tables?.includes('records')) {
      const { rows } = await this.#client.query(
        `select table_name from information_schema.tables where table_schema = 'itsm'`,
      );
      this.#tables = rows.map(row => String(row.table_name));
      if (!this.#tables.includes('records')) return undefined;
    }
    return this.#client;
  }

  async count(providerIds: string[]) {
    const result = Object.fromEntries(providerIds.map(id => [id, 0]));
    const client = await this.#open();
    if (!client) return result;
    const { rows } = await client.query(
      pgParams(COUNT(providerIds.map(() => '?').join(', '))),
      providerIds,
    );
    for (const row of rows) result[row.provider_id] = Number(row.n);
    return result;
  }

  async list(providerId: string) {
    const client = await this.#open();
    if (!client) return EMPTY;
    const records = await client.query(pgParams(LIST_RECORDS), [providerId]);
    const tombstones = this.#tables!.includes('record_tombstones')
      ? await client.query(pgParams(LIST_TOMBSTONES), [providerId])
      : { rows: [] };
    return toProvider(records.rows, tombstones.rows);
  }

  async close() {
    await this.#client?.end().catch(() => {});
    this.#client = undefined;
    this.#tables = undefined;
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
