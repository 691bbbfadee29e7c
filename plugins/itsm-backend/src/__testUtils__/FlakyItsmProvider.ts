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

import type { ItsmRecordInput } from '@backstage-itsm/plugin-itsm-common';
import {
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderSyncContext,
  ItsmSourceError,
} from '@backstage-itsm/plugin-itsm-node';
import { incident } from './records';

/** When a request of the source fails, by its number (1-based, over the whole life of the source). */
export type FaultPlan = (request: number) => ItsmSourceError | undefined;

/**
 * 429 (asking `retryAfterMs`) on every `every429`-th request and 500 on every
 * `every500`-th, counted over every request the source ever answers.
 */
export function everyNth(options: {
  every429: number;
  every500: number;
  retryAfterMs: number;
}): FaultPlan {
  return request => {
    if (request % options.every429 === 0) {
      return new ItsmSourceError({
        message: `GET /incident answered 429 Too Many Requests (request ${request})`,
        status: 429,
        retryable: true,
        retryAfterMs: options.retryAfterMs,
      });
    }
    if (request % options.every500 === 0) {
      return new ItsmSourceError({
        message: `GET /incident answered 500 Transaction cancelled: maximum execution time exceeded (request ${request})`,
        status: 500,
        retryable: true,
      });
    }
    return undefined;
  };
}

/**
 * A source of `total` incidents read a page per request, as a paging HTTP
 * source is, without HTTP: each page is one request, counted through the
 * run's reporter, and the fault plan decides which requests fail. Its cursor
 * is the offset of the page just read, so a resumed run reads that page
 * again (the overlap a watermark cursor has): re-reads are part of the test.
 */
export class FlakyItsmProvider implements ItsmProvider {
  readonly id: string;
  readonly department = 'it';
  readonly kinds = ['incident'] as const;
  readonly #total: number;
  readonly #pageSize: number;
  readonly #faults: FaultPlan;
  readonly #onPage?: (offset: number) => void;
  /** Requests answered, failures included. */
  requests = 0;
  /** The failures thrown, in order. */
  readonly failures: ItsmSourceError[] = [];
  /** The cursors each sync started from. */
  readonly syncCursors: Array<string | null> = [];

  constructor(options: {
    id: string;
    total: number;
    pageSize: number;
    faults?: FaultPlan;
    /** Called before a page is yielded. */
    onPage?: (offset: number) => void;
  }) {
    this.id = options.id;
    this.#total = options.total;
    this.#pageSize = options.pageSize;
    this.#faults = options.faults ?? (() => undefined);
    this.#onPage = options.onPage;
  }

  /** The external ids the source holds. */
  externalIds(): string[] {
    return Array.from({ length: this.#total }, (_, i) => this.#externalId(i));
  }

  async *sync({
    cursor,
    signal,
    reporter,
  }: ItsmProviderSyncContext): AsyncIterable<ItsmProviderBatch> {
    this.syncCursors.push(cursor);
    for (let offset = cursor ? Number(cursor) : 0; offset < this.#total; ) {
      signal.throwIfAborted();
      this.requests += 1;
      reporter?.request();
      const fault = this.#faults(this.requests);
      if (fault) {
        this.failures.push(fault);
        throw fault;
      }
      const records: ItsmRecordInput[] = [];
      for (
        let i = offset;
        i < Math.min(this.#total, offset + this.#pageSize);
        i++
      ) {
        records.push(this.#record(i));
      }
      this.#onPage?.(offset);
      yield { records, cursor: String(offset) };
      offset += records.length;
    }
  }

  #externalId(i: number): string {
    return `flaky-${String(i).padStart(6, '0')}`;
  }

  #record(i: number): ItsmRecordInput {
    const opened = Date.parse('2026-03-01T00:00:00Z') + i * 60_000;
    return incident({
      externalId: this.#externalId(i),
      number: `INC${String(i).padStart(7, '0')}`,
      title: `Flaky incident ${i}`,
      openedAt: new Date(opened).toISOString(),
      acknowledgedAt: null,
      resolvedAt: new Date(opened + 3_600_000).toISOString(),
      sourceUpdatedAt: new Date(opened + 3_600_000).toISOString(),
    });
  }
}
