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

import type { Config } from '@backstage/config';
import {
  ITSM_RECORD_KINDS,
  ItsmRecordKind,
} from '@backstage-itsm/plugin-itsm-common';
import type { ItsmProvider } from '@backstage-itsm/plugin-itsm-node';

const PUSH_BODY_LIMIT_KEY = 'itsm.ingestion.pushBodyLimit';

/** The largest JSON body of one push by default: 10 MB. */
export const DEFAULT_PUSH_BODY_LIMIT = 10 * 1024 * 1024;

/** Most refusals one answer names; the rest are counted. */
const MAX_REFUSALS_NAMED = 10;

/**
 * A provider fed only through `POST /ingest/:providerId`: it has no schedule
 * of its own, so its sync reads nothing. It is the only kind of provider that
 * accepts pushes, and only of the kinds it declares, for its own department.
 */
export class PushProvider implements ItsmProvider {
  readonly mapsOnAnnotations?: ReadonlyArray<string>;

  constructor(
    readonly id: string,
    readonly department: string,
    readonly kinds: ReadonlyArray<ItsmRecordKind>,
    /** The catalog annotations the pushed records' mappings name. */
    mapsOnAnnotations: ReadonlyArray<string> = [],
  ) {
    if (mapsOnAnnotations.length > 0) {
      this.mapsOnAnnotations = [...new Set(mapsOnAnnotations)];
    }
  }

  async *sync() {}

  /**
   * Why this provider refuses pushed records, each naming the field
   * (`records.3.kind: ...`); empty when it accepts them all. A record of a
   * kind it does not declare, or naming another department, is a mismatch
   * between the pushing script and this provider's config, not a bad record.
   * Anything else about a record is left to validation, which dead-letters
   * it with the reason.
   */
  refusals(records: ReadonlyArray<unknown>): string[] {
    const refusals: string[] = [];
    records.forEach((record, index) => {
      if (!record || typeof record !== 'object') return;
      const { kind, department } = record as Record<string, unknown>;
      if (
        typeof kind === 'string' &&
        (ITSM_RECORD_KINDS as readonly string[]).includes(kind) &&
        !this.kinds.includes(kind as ItsmRecordKind)
      ) {
        refusals.push(
          `records.${index}.kind: ${this.id} accepts ${this.kinds.join(
            ', ',
          )}, not ${kind}`,
        );
      }
      if (department !== undefined && department !== this.department) {
        // The caller's value is not echoed: it may be anything, of any size.
        refusals.push(
          `records.${index}.department: records of ${this.id} belong to department '${this.department}'; leave it out`,
        );
      }
    });
    if (refusals.length > MAX_REFUSALS_NAMED) {
      return [
        ...refusals.slice(0, MAX_REFUSALS_NAMED),
        `and ${refusals.length - MAX_REFUSALS_NAMED} more`,
      ];
    }
    return refusals;
  }
}

/** A catalog annotation key: an optional DNS prefix and a name. */
const ANNOTATION_PATTERN =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Reads `itsm.providers.push.<id>: { department, kinds, mapsOnAnnotations }`.
 * Ids become `push:<id>`.
 */
export function readPushProviders(config: Config): PushProvider[] {
  const root = config.getOptionalConfig('itsm.providers.push');
  if (!root) return [];
  return root.keys().map(key => {
    const c = root.getConfig(key);
    const department = c.getOptionalString('department') ?? 'it';
    const kinds = c.getOptionalStringArray('kinds') ?? [...ITSM_RECORD_KINDS];
    for (const kind of kinds) {
      if (!(ITSM_RECORD_KINDS as readonly string[]).includes(kind)) {
        throw new Error(
          `Invalid config at itsm.providers.push.${key}.kinds: unknown kind '${kind}', expected one of ${ITSM_RECORD_KINDS.join(
            ', ',
          )}`,
        );
      }
    }
    if (kinds.length === 0) {
      throw new Error(
        `Invalid config at itsm.providers.push.${key}.kinds: a push provider needs at least one kind`,
      );
    }
    const annotations = c.getOptionalStringArray('mapsOnAnnotations') ?? [];
    annotations.forEach((annotation, index) => {
      if (!ANNOTATION_PATTERN.test(annotation) || annotation.length > 253) {
        throw new Error(
          `Invalid config at itsm.providers.push.${key}.mapsOnAnnotations[${index}]: '${annotation}' is not a catalog annotation key, e.g. 'servicenow.com/ci-sysid'`,
        );
      }
    });
    return new PushProvider(
      `push:${key}`,
      department,
      kinds as ItsmRecordKind[],
      annotations,
    );
  });
}

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
};

/**
 * The largest JSON body one push may carry, `itsm.ingestion.pushBodyLimit`:
 * bytes, or a size such as `10mb` or `512kb` (units of 1024). Default 10 MB.
 */
export function readPushBodyLimit(config: Config): number {
  const value = config.getOptional(PUSH_BODY_LIMIT_KEY);
  if (value === undefined) {
    return DEFAULT_PUSH_BODY_LIMIT;
  }
  let bytes = NaN;
  if (typeof value === 'number') {
    bytes = value;
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)\s*$/i.exec(value);
    if (match) {
      bytes = Math.floor(Number(match[1]) * UNITS[match[2].toLowerCase()]);
    }
  }
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new Error(
      `Invalid config at ${PUSH_BODY_LIMIT_KEY}: expected a size such as 10mb or 512kb, or a positive number of bytes`,
    );
  }
  return bytes;
}
