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

import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import type { DbBigInt } from '../../tables';

/** Values per `whereIn`. */
export const LOOKUP_CHUNK_SIZE = 500;
/** Rows per statement for the narrow tables (at most 11 columns). */
export const ROW_CHUNK_SIZE = 400;
/** Rows per JSON parameter on PostgreSQL. */
export const PG_JSON_CHUNK_SIZE = 2000;

/** Whether the database behind a knex (or a transaction of it) is PostgreSQL. */
export function isPostgres(knex: Knex): boolean {
  return knex.client.config.client === 'pg';
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

export function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter(item => {
    const k = key(item);
    if (seen.has(k)) {
      return false;
    }
    seen.add(k);
    return true;
  });
}

/** Sorted so that concurrent writers lock rows in the same order. */
export function sortByKey<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === kb) {
      return 0;
    }
    return ka < kb ? -1 : 1;
  });
}

export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InputError(`limit must be a positive integer, got ${limit}`);
  }
  return limit;
}

export function toMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    throw new InputError(`Invalid instant ${JSON.stringify(iso)}`);
  }
  return ms;
}

export function toNullableMs(iso: string | null): number | null {
  return iso === null ? null : toMs(iso);
}

export function toIso(ms: DbBigInt | null): string | null {
  return ms === null ? null : new Date(Number(ms)).toISOString();
}

/** JSON of a payload, or its String() when it cannot be serialised. */
export function stringifyPayload(payload: unknown): string {
  try {
    return JSON.stringify(payload) ?? String(payload);
  } catch {
    return String(payload);
  }
}
