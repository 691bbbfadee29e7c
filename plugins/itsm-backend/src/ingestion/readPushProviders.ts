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

/**
 * A provider fed only through `POST /ingest/:providerId`: it has no schedule
 * of its own, so its sync reads nothing.
 */
export class PushProvider implements ItsmProvider {
  constructor(
    readonly id: string,
    readonly department: string,
    readonly kinds: ReadonlyArray<ItsmRecordKind>,
  ) {}

  async *sync() {}
}

/** Reads `itsm.providers.push.<id>: { department, kinds }`. Ids become `push:<id>`. */
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
    return new PushProvider(
      `push:${key}`,
      department,
      kinds as ItsmRecordKind[],
    );
  });
}
