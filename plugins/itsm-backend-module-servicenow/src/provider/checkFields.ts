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

import { queryFields } from '../client/encodedQuery';
import { ServiceNowError } from '../client/errors';
import { ServiceNowTable, TABLE_FIELDS } from '../client/tables';
import type { ServiceNowSyncSettings } from './settings';
import type { SyncRun } from './SyncRun';

/**
 * Checks, once per run, that the table has every field the provider asks
 * for and every field the configured query uses: the Table API silently
 * drops unknown fields and ignores unknown query terms (returning the whole
 * table), so a typo would otherwise sync the wrong rows. Returns the fields
 * to request: optional ones the instance lacks are left out.
 */
export async function checkFields(
  settings: ServiceNowSyncSettings,
  table: ServiceNowTable,
  run: SyncRun,
): Promise<string[]> {
  const { id, client, configKey, acknowledgedAtField } = settings;
  const { call, logger } = run;
  const { required, optional } = TABLE_FIELDS[table];
  const configured =
    table === 'incident' && acknowledgedAtField ? [acknowledgedAtField] : [];
  const query = settings.query[table];
  const used = query ? queryFields(query) : [];
  const asked = [
    ...new Set([...required, ...configured, ...optional, ...used]),
  ];
  const rows = await client.getRows(
    table,
    { query, fields: asked, limit: 1 },
    call,
  );
  const wanted = [...new Set([...required, ...configured, ...optional])];
  if (rows.length === 0) {
    logger.debug(
      `${id}: table ${table} returned no row${
        query ? ` for the query ${query}` : ''
      }; its fields could not be checked`,
    );
    return wanted;
  }
  const present = new Set(Object.keys(rows[0]));
  const problems: string[] = [];
  const missing = (list: string[]) => list.filter(f => !present.has(f));
  if (missing(required).length > 0) {
    problems.push(
      `${missing(required)
        .map(f => `"${f}"`)
        .join(', ')} (needed by the provider)`,
    );
  }
  if (missing(configured).length > 0) {
    problems.push(
      `"${
        missing(configured)[0]
      }" (configured at ${configKey}.acknowledgedAtField)`,
    );
  }
  const unknownInQuery = missing(used).filter(f => !wanted.includes(f));
  if (unknownInQuery.length > 0) {
    problems.push(
      `${unknownInQuery
        .map(f => `"${f}"`)
        .join(', ')} (used in ${configKey}.query.${table})`,
    );
  }
  if (problems.length > 0) {
    throw new ServiceNowError({
      instance: id,
      table,
      retryable: false,
      message: `ServiceNow instance ${id} has no field ${problems.join(
        ' and no field ',
      )} on table ${table}, or the integration user may not read it. The Table API silently ignores unknown fields and query terms, so the sync stops instead of reading the wrong rows`,
    });
  }
  const absent = missing(optional);
  if (absent.length > 0) {
    logger.debug(`${id}: table ${table} has no ${absent.join(', ')}; not read`);
  }
  return wanted.filter(f => !absent.includes(f));
}
