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

import { createHash } from 'node:crypto';
import type { Config } from '@backstage/config';

/** JSON with object keys sorted, so equal configs hash equal. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(
        k =>
          `${JSON.stringify(k)}:${stableJson(
            (value as Record<string, unknown>)[k],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function fingerprintOf(c: Config): string {
  const raw = c.get() as Record<string, unknown>;
  const rest = raw.rest as Record<string, unknown> | undefined;
  const csv = raw.csv as Record<string, unknown> | undefined;
  const relevant: Record<string, unknown> = {
    ...raw,
    schedule: undefined,
    batchSize: undefined,
    rest: rest && {
      ...rest,
      auth: undefined,
      headers: undefined,
      timeout: undefined,
      // No longer read, but part of every fingerprint written so far.
      maxAttempts: undefined,
    },
  };
  // Keys added later are left out, not nulled, so fingerprints stay as they were.
  if (rest) {
    relevant.rest = without(relevant.rest, [
      'retryBudget',
      'maxRequestsPerSecond',
    ]);
  }
  if (csv) relevant.csv = without(csv, ['fullExport']);
  return createHash('sha1').update(stableJson(relevant)).digest('hex');
}

function without(value: unknown, keys: string[]): Record<string, unknown> {
  const copy = { ...(value as Record<string, unknown>) };
  for (const key of keys) delete copy[key];
  return copy;
}
