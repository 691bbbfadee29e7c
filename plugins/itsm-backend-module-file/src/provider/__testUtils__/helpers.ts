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

/** Runs one sync to its end, or until `limit` batches were taken. */
export async function collect(
  provider: ItsmProvider,
  cursor: string | null,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<ItsmProviderBatch[]> {
  const batches: ItsmProviderBatch[] = [];
  for await (const batch of provider.sync({
    cursor,
    signal: options.signal ?? new AbortController().signal,
    logger: mockServices.logger.mock(),
  })) {
    batches.push(batch);
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
