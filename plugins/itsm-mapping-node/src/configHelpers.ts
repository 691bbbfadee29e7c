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

import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { checkItsmInstantFormat, ItsmInstantFormat } from './instants';

export function invalid(key: string, message: string): InputError {
  return new InputError(`Invalid config at ${key}: ${message}`);
}

export function missing(key: string): InputError {
  return new InputError(`Missing required config value at '${key}'`);
}

export function quoted(values: ReadonlyArray<string>): string {
  return values.map(v => `'${v}'`).join(', ');
}

/** Throws, naming the key, when a config object has keys it does not know. */
export function checkKeys(
  c: Config,
  key: string,
  allowed: ReadonlyArray<string>,
) {
  for (const k of c.keys()) {
    if (!allowed.includes(k)) {
      throw invalid(
        `${key}.${k}`,
        `unknown key; expected one of ${quoted(allowed)}`,
      );
    }
  }
}

/** A JSON object of arbitrary keys (value maps, headers): read raw, since such keys need not be valid config key names. */
export function readMap(
  c: Config,
  name: string,
  key: string,
): Record<string, unknown> {
  const raw = c.getOptional(name);
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(`${key}.${name}`, 'must be an object');
  }
  return raw as Record<string, unknown>;
}

export function readStringMap(
  c: Config,
  name: string,
  key: string,
): Record<string, string> {
  const map = readMap(c, name, key);
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw invalid(`${key}.${name}.${k}`, 'must be a string');
    }
    map[k] = String(v);
  }
  return map as Record<string, string>;
}

export function readPositiveInt(
  c: Config,
  name: string,
  key: string,
  fallback: number,
  min = 1,
): number {
  const value = c.getOptionalNumber(name);
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw invalid(
      `${key}.${name}`,
      `must be a whole number of at least ${min}`,
    );
  }
  return value;
}

export function readEntityRef(value: string, key: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultNamespace: 'default' }),
    );
  } catch (error) {
    throw invalid(
      key,
      `'${value}' is not an entity ref like component:default/employee-onboarding (${
        (error as Error).message
      })`,
    );
  }
}

export function readInstantFormat(
  format: string | undefined,
  zone: string | undefined,
  fallback: ItsmInstantFormat,
  keys: { format: string; zone: string },
): ItsmInstantFormat {
  const result = {
    format: format ?? fallback.format,
    zone: zone ?? fallback.zone,
  };
  // The zone first, with a format that cannot fail, to name the right key.
  const zoneProblem = checkItsmInstantFormat({
    format: 'iso',
    zone: result.zone,
  });
  if (zoneProblem) throw invalid(keys.zone, zoneProblem);
  const formatProblem = checkItsmInstantFormat(result);
  if (formatProblem) throw invalid(keys.format, formatProblem);
  return result;
}
