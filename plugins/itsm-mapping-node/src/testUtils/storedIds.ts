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

import type { ItsmRecordKind } from '@backstage-itsm/plugin-itsm-common';
import type {
  ItsmProviderBatch,
  ItsmProviderSyncContext,
} from '@backstage-itsm/plugin-itsm-node';

function compareIds(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * The stored external ids of several providers, as the engine keeps them:
 * `apply` commits a batch of one provider (its records stored, its
 * deletions removed), and `listStoredExternalIds(providerId)` answers as the
 * engine does for that provider only, ascending, at most `pageCap` a page.
 */
export class StoredIds {
  readonly #byProvider = new Map<string, Map<string, ItsmRecordKind>>();
  readonly #pageCap: number;
  /** Every listing asked for, with the provider it was bound to. */
  readonly calls: Array<{
    providerId: string;
    kind?: ItsmRecordKind;
    after?: string;
    limit: number;
  }> = [];

  constructor(options: { pageCap?: number } = {}) {
    this.#pageCap = options.pageCap ?? 10_000;
  }

  #of(providerId: string) {
    let ids = this.#byProvider.get(providerId);
    if (!ids) {
      ids = new Map();
      this.#byProvider.set(providerId, ids);
    }
    return ids;
  }

  add(providerId: string, kind: ItsmRecordKind, ...externalIds: string[]) {
    for (const id of externalIds) this.#of(providerId).set(id, kind);
  }

  apply(providerId: string, batch: ItsmProviderBatch) {
    const ids = this.#of(providerId);
    for (const record of (batch.records ?? []) as Array<{
      externalId?: unknown;
      kind?: ItsmRecordKind;
    }>) {
      if (typeof record.externalId === 'string') {
        ids.set(record.externalId, record.kind ?? 'request');
      }
    }
    for (const deletion of batch.deletions ?? []) {
      ids.delete(deletion.externalId);
    }
  }

  ids(providerId: string): string[] {
    return [...this.#of(providerId).keys()].sort(compareIds);
  }

  listStoredExternalIds(
    providerId: string,
  ): NonNullable<ItsmProviderSyncContext['listStoredExternalIds']> {
    return async ({ kind, after, limit }) => {
      this.calls.push({ providerId, kind, after, limit });
      return [...this.#of(providerId).entries()]
        .filter(
          ([id, k]) =>
            (kind === undefined || k === kind) &&
            (after === undefined || id > after),
        )
        .map(([id]) => id)
        .sort(compareIds)
        .slice(0, Math.min(limit, this.#pageCap));
    };
  }
}
