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

import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  type TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Knex } from 'knex';

const DATABASE_IDS = ['POSTGRES_15', 'SQLITE_3'] as const;

const migrations = resolvePackagePath(
  '@backstage-itsm/plugin-itsm-backend',
  'migrations',
);

/**
 * The databases a store operation is tested on, SQLite and PostgreSQL,
 * each migrated to the latest schema. `unsupportedIds` are those without a
 * server to run on: a test file lists each as a todo.
 */
export function operationDatabases() {
  const databases = TestDatabases.create({ ids: [...DATABASE_IDS] });
  return {
    eachSupportedId: () => databases.eachSupportedId(),
    unsupportedIds: DATABASE_IDS.filter(id => !databases.supports(id)),
    async init(databaseId: TestDatabaseId): Promise<Knex> {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: migrations });
      return knex;
    },
  };
}
