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

import type { Knex } from 'knex';
import { isPostgres } from './conversions';

/** `column` is one of `values`: one array parameter on PostgreSQL, a list on SQLite. */
export function whereAnyOf(
  builder: Knex.QueryBuilder,
  db: Knex,
  column: string,
  values: string[],
): Knex.QueryBuilder {
  if (isPostgres(db)) {
    return builder.whereRaw(`?? = any(?)`, [column, values]);
  }
  if (values.length > 500) {
    return builder.whereRaw(`?? in (select value from json_each(?))`, [
      column,
      JSON.stringify(values),
    ]);
  }
  return builder.whereIn(column, values);
}
