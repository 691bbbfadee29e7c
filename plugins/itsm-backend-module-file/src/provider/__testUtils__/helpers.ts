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

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import type {
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderSyncContext,
} from '@backstage-itsm/plugin-itsm-node';

/** A temporary folder per test, removed afterwards. */
export function useTempDir(): { readonly dir: string } {
  const state = { dir: '' };
  beforeEach(async () => {
    state.dir = await mkdtemp(path.join(tmpdir(), 'itsm-file-'));
  });
  afterEach(async () => {
    await rm(state.dir, { recursive: true, force: true });
  });
  return state;
}

export async function writeLines(file: string, values: unknown[]) {
  await writeFile(file, `${values.map(v => JSON.stringify(v)).join('\n')}\n`);
}

function compareIds(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * The stored external ids of several providers, as the engine keeps them:
 * `apply` commits a batch of one provider (records stored, deletions
 * removed), and `listStoredExternalIds(providerId)` answers for that
 * provider only, ascending, at most `pageCap` ids a page.
 */
export class StoredIds {
  readonly #byProvider = new Map<string, Set<string>>();
  readonly #pageCap: number;
  /** Every listing asked for, with the provider it was bound to. */
  readonly calls: Array<{
    providerId: string;
    kind?: string;
    after?: string;
    limit: number;
  }> = [];

  constructor(options: { pageCap?: number } = {}) {
    this.#pageCap = options.pageCap ?? 10_000;
  }

  #of(providerId: string): Set<string> {
    let ids = this.#byProvider.get(providerId);
    if (!ids) {
      ids = new Set();
      this.#byProvider.set(providerId, ids);
    }
    return ids;
  }

  add(providerId: string, ...externalIds: string[]) {
    for (const id of externalIds) this.#of(providerId).add(id);
  }

  apply(providerId: string, batch: ItsmProviderBatch) {
    const ids = this.#of(providerId);
    for (const item of (batch.records ?? []) as Array<{
      externalId?: unknown;
    }>) {
      if (typeof item.externalId === 'string') ids.add(item.externalId);
    }
    for (const deletion of batch.deletions ?? [])
      ids.delete(deletion.externalId);
  }

  ids(providerId: string): string[] {
    return [...this.#of(providerId)].sort(compareIds);
  }

  listStoredExternalIds(
    providerId: string,
  ): NonNullable<ItsmProviderSyncContext['listStoredExternalIds']> {
    return async ({ kind, after, limit }) => {
      this.calls.push({ providerId, kind, after, limit });
      return this.ids(providerId)
        .filter(id => after === undefined || id > after)
        .slice(0, Math.min(limit, this.#pageCap));
    };
  }
}

/**
 * Runs one sync to its end, or until `limit` batches were taken. With a
 * `store`, the sync may list its stored ids there, and each batch is
 * committed to it as the engine would.
 */
export async function collect(
  provider: ItsmProvider,
  cursor: string | null,
  options: {
    limit?: number;
    signal?: AbortSignal;
    store?: StoredIds;
    logger?: ItsmProviderSyncContext['logger'];
    afterBatch?: () => Promise<void>;
  } = {},
): Promise<ItsmProviderBatch[]> {
  const batches: ItsmProviderBatch[] = [];
  for await (const batch of provider.sync({
    cursor,
    signal: options.signal ?? new AbortController().signal,
    logger: options.logger ?? mockServices.logger.mock(),
    listStoredExternalIds: options.store?.listStoredExternalIds(provider.id),
  })) {
    batches.push(batch);
    options.store?.apply(provider.id, batch);
    await options.afterBatch?.();
    if (options.limit !== undefined && batches.length >= options.limit) {
      break;
    }
  }
  return batches;
}

/** The cursor of the last batch, as the engine would keep it. */
export function lastCursor(
  batches: ItsmProviderBatch[],
  previous: string | null,
): string | null {
  const withCursor = batches.filter(b => b.cursor !== undefined);
  return withCursor.length > 0
    ? withCursor[withCursor.length - 1].cursor ?? null
    : previous;
}

/** A minimal record as a provider would yield it. */
export function record(n: number, extra: Record<string, unknown> = {}) {
  return {
    externalId: `r${n}`,
    kind: 'incident',
    title: `Incident ${n}`,
    state: 'new',
    openedAt: '2026-01-01T00:00:00Z',
    sourceUpdatedAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
}
