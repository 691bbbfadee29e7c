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

import knexFactory, { Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type BenchDb = 'sqlite' | 'pg';

/** The PostgreSQL server benchmarks use: the test server, else the local one. */
export const PG_URL =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';

/**
 * A fresh database for one benchmark process: an SQLite file (WAL) in a temp
 * folder, or a PostgreSQL database named after the prefix and the pid.
 * `cleanup` drops it.
 */
export async function openBenchDatabase(
  db: BenchDb,
  options: { prefix: string; poolMax: number },
): Promise<{ knex: Knex; cleanup: () => Promise<void> }> {
  if (db === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `${options.prefix}-`));
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'itsm.sqlite') },
      useNullAsDefault: true,
    });
    await knex.raw('PRAGMA journal_mode = WAL');
    return {
      knex,
      cleanup: async () => {
        await knex.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `${options.prefix.replace(/-/g, '_')}_${process.pid}`;
  const admin = knexFactory({ client: 'pg', connection: `${PG_URL}/postgres` });
  await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
  await admin.raw(`CREATE DATABASE ${name}`);
  const knex = knexFactory({
    client: 'pg',
    connection: `${PG_URL}/${name}`,
    pool: { min: 1, max: options.poolMax },
  });
  return {
    knex,
    cleanup: async () => {
      await knex.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
      await admin.destroy();
    },
  };
}
