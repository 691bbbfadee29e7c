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
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderSyncContext,
} from '../provider';

/**
 * A provider for tests: serves records in batches, resuming from the cursor
 * (the index of the next batch), and can fail at a chosen batch.
 * @public
 */
export class InMemoryItsmProvider implements ItsmProvider {
  readonly id: string;
  readonly department: string;
  readonly kinds: ReadonlyArray<ItsmRecordKind>;
  #batches: ItsmProviderBatch[];
  #failAt?: { batch: number; error: Error };
  /** The cursors each sync started from, in order. */
  readonly syncCursors: Array<string | null> = [];

  constructor(options: {
    id: string;
    department?: string;
    kinds?: ItsmRecordKind[];
    batches?: Array<Omit<ItsmProviderBatch, 'cursor'>>;
  }) {
    this.id = options.id;
    this.department = options.department ?? 'it';
    this.kinds = options.kinds ?? ['incident', 'change', 'problem'];
    this.#batches = [];
    for (const batch of options.batches ?? []) this.addBatch(batch);
  }

  /** Appends a batch; the next sync serves it after the ones already read. */
  addBatch(batch: Omit<ItsmProviderBatch, 'cursor'>): this {
    this.#batches.push(batch);
    return this;
  }

  /** The next sync throws `error` instead of yielding batch number `batch` (0-based, absolute). */
  failAt(batch: number, error: Error = new Error('provider failed')): this {
    this.#failAt = { batch, error };
    return this;
  }

  async *sync({ cursor, signal }: ItsmProviderSyncContext) {
    this.syncCursors.push(cursor);
    const start = cursor ? Number(cursor) : 0;
    for (let i = start; i < this.#batches.length; i++) {
      signal.throwIfAborted();
      if (this.#failAt && this.#failAt.batch === i) {
        const { error } = this.#failAt;
        this.#failAt = undefined;
        throw error;
      }
      yield { ...this.#batches[i], cursor: String(i + 1) };
    }
  }
}
