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

import * as path from 'node:path';
import type { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  ITSM_RECORD_KINDS,
  ItsmRecordKind,
} from '@backstage-itsm/plugin-itsm-common';
import { readItsmSchedule } from '@backstage-itsm/plugin-itsm-node';

/** The config key that holds the file providers, keyed by id. */
export const FILE_PROVIDERS_CONFIG_KEY = 'itsm.providers.file';

/** The department of a file provider that names none. */
export const DEFAULT_DEPARTMENT = 'it';

const DEPARTMENT_PATTERN = /^[a-z][a-z0-9_-]*$/;

/** A catalog annotation key: an optional DNS prefix and a name. */
const ANNOTATION_PATTERN =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** One `itsm.providers.file.<id>` block, read and checked. */
export interface FileProviderConfig {
  /** The config key, e.g. `demo`. */
  key: string;
  /** The provider id, `file:<key>`. */
  id: string;
  /** Absolute path of the folder to read. */
  path: string;
  department: string;
  kinds: ItsmRecordKind[];
  /** The folder is a snapshot: records missing from it were deleted. */
  fullExport: boolean;
  /** The catalog annotations the files' mappings name; may be empty. */
  mapsOnAnnotations: string[];
  schedule?: SchedulerServiceTaskScheduleDefinition;
}

/**
 * Reads `itsm.providers.file.<id>: { path, department?, kinds?, fullExport?,
 * mapsOnAnnotations?, schedule? }`.
 * A relative `path` resolves against `cwd` (the backend's working
 * directory). Every mistake throws, naming the key at fault, so a broken
 * config fails the backend's start instead of a sync hours later.
 */
export function readFileProviderConfigs(
  config: Config,
  options: { cwd?: string } = {},
): FileProviderConfig[] {
  const root = config.getOptionalConfig(FILE_PROVIDERS_CONFIG_KEY);
  if (!root) {
    return [];
  }
  const cwd = options.cwd ?? process.cwd();
  return root.keys().map(key => {
    const prefix = `${FILE_PROVIDERS_CONFIG_KEY}.${key}`;
    const c = root.getConfig(key);

    // getString names the full key in its own errors (missing, wrong type).
    const rawPath = c.getString('path');
    if (rawPath.trim() === '') {
      throw new InputError(
        `Invalid config at ${prefix}.path: must not be empty`,
      );
    }

    const department = c.getOptionalString('department') ?? DEFAULT_DEPARTMENT;
    if (!DEPARTMENT_PATTERN.test(department)) {
      throw new InputError(
        `Invalid config at ${prefix}.department: '${department}' is not a department id; use lower-case letters, digits, '-' or '_', e.g. 'it', 'hr', 'facilities'`,
      );
    }

    const kinds = c.getOptionalStringArray('kinds') ?? [...ITSM_RECORD_KINDS];
    if (kinds.length === 0) {
      throw new InputError(
        `Invalid config at ${prefix}.kinds: must list at least one of ${ITSM_RECORD_KINDS.join(
          ', ',
        )}`,
      );
    }
    kinds.forEach((kind, index) => {
      if (!(ITSM_RECORD_KINDS as readonly string[]).includes(kind)) {
        throw new InputError(
          `Invalid config at ${prefix}.kinds[${index}]: unknown kind '${kind}', expected one of ${ITSM_RECORD_KINDS.join(
            ', ',
          )}`,
        );
      }
    });

    const mapsOnAnnotations =
      c.getOptionalStringArray('mapsOnAnnotations') ?? [];
    mapsOnAnnotations.forEach((annotation, index) => {
      if (!ANNOTATION_PATTERN.test(annotation) || annotation.length > 253) {
        throw new InputError(
          `Invalid config at ${prefix}.mapsOnAnnotations[${index}]: '${annotation}' is not a catalog annotation key, e.g. 'servicenow.com/ci-sysid'`,
        );
      }
    });

    return {
      key,
      id: `file:${key}`,
      path: path.resolve(cwd, rawPath),
      department,
      kinds: [...new Set(kinds)] as ItsmRecordKind[],
      // getOptionalBoolean names the full key when it is not a boolean.
      fullExport: c.getOptionalBoolean('fullExport') ?? false,
      mapsOnAnnotations: [...new Set(mapsOnAnnotations)],
      schedule: readItsmSchedule(c, prefix),
    };
  });
}
