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

// Exits 0 when the PostgreSQL server at the given URL answers and the role may
// create databases (TestDatabases makes one per suite); prints why otherwise.
const { Client } = require('pg');

async function main() {
  const url = process.argv[2];
  const client = new Client({
    connectionString: url,
    database: 'postgres',
    connectionTimeoutMillis: 3000,
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      'select rolcreatedb or rolsuper as can_create, version() as version from pg_roles where rolname = current_user',
    );
    if (!rows[0]?.can_create) {
      throw new Error('the role may not create databases (needs CREATEDB)');
    }
  } finally {
    await client.end();
  }
}

main().catch(error => {
  console.error(`PostgreSQL probe failed: ${error.message}`);
  process.exit(1);
});
