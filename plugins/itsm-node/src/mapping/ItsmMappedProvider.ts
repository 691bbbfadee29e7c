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
import type { ItsmMappedSourceSettings } from './config';
import { ItsmCsvSource } from './csvSource';
import {
  laterOf,
  MappedCursor,
  parseMappedCursor,
  serializeMappedCursor,
} from './cursor';
import { ItsmRecordMapper } from './mapper';
import { ItsmRestClient, ItsmRestClientOptions } from './restClient';
import { ItsmRestSource } from './restSource';
import type { ItsmItemSource } from './sources';

/** Options of {@link ItsmMappedProvider} besides its settings, mostly for tests. @public */
export interface ItsmMappedProviderOptions {
  /** Replaces the source the settings describe. */
  source?: ItsmItemSource;
  /** REST client overrides: `fetch`, `sleep`, backoff. */
  rest?: Partial<
    Pick<
      ItsmRestClientOptions,
      'fetch' | 'sleep' | 'backoffBaseMs' | 'backoffMaxMs' | 'maxRetryAfterMs'
    >
  >;
  /** The clock; the watermark never passes it. */
  now?: () => number;
}

/**
 * An ITSM provider for a config-driven source (a CSV export or a REST API)
 * whose items a mapping turns into normalised records.
 *
 * Incremental and resumable: the cursor's watermark is the latest
 * `sourceUpdatedAt` read in the last complete run (never later than the
 * clock); a run reads items updated at or after the watermark less the
 * overlap (REST sources pass it as `updatedSinceParam`; every source drops
 * older items itself). Each batch's cursor also records where the batch
 * ended, so a run that stops resumes after the last committed batch with
 * the same filter; the watermark moves only when a run completes, so items
 * out of order are never skipped. When the source's config changes, the
 * next run reads everything again.
 * @public
 */
export class ItsmMappedProvider implements ItsmProvider {
  readonly id: string;
  readonly department: string;
  readonly kinds: ReadonlyArray<ItsmRecordKind>;
  readonly #settings: ItsmMappedSourceSettings;
  readonly #mapper: ItsmRecordMapper;
  readonly #source: ItsmItemSource;
  readonly #now: () => number;

  constructor(
    settings: ItsmMappedSourceSettings,
    options: ItsmMappedProviderOptions = {},
  ) {
    this.id = settings.id;
    this.department = settings.department;
    this.kinds = [settings.mapping.kind];
    this.#settings = settings;
    this.#mapper = new ItsmRecordMapper(settings.mapping);
    this.#now = options.now ?? Date.now;
    const { source } = settings;
    if (options.source) {
      this.#source = options.source;
    } else if (source.type === 'csv') {
      this.#source = new ItsmCsvSource({
        providerId: settings.id,
        settings: source,
        personalFields: settings.mapping.personalFields,
      });
    } else {
      this.#source = new ItsmRestSource({
        providerId: settings.id,
        configKey: `${settings.configKey}.rest`,
        settings: source,
        client: new ItsmRestClient({
          providerId: settings.id,
          headers: source.headers,
          origin: new URL(source.url).origin,
          timeoutMs: source.timeoutMs,
          maxAttempts: source.maxAttempts,
          ...options.rest,
        }),
      });
    }
  }

  /** The settings read from config. */
  get settings(): ItsmMappedSourceSettings {
    return this.#settings;
  }

  async *sync({
    cursor,
    signal,
    logger,
  }: ItsmProviderSyncContext): AsyncGenerator<ItsmProviderBatch> {
    signal.throwIfAborted();
    const { fingerprint, overlapMs, batchSize } = this.#settings;
    const nowIso = new Date(this.#now()).toISOString();

    let saved = parseMappedCursor(cursor);
    if (!saved) {
      logger.warn(
        `Cursor of ${this.id} is not one this provider wrote; reading everything again`,
      );
      saved = { version: 1, config: null, watermark: null, run: null };
    } else if (saved.config !== null && saved.config !== fingerprint) {
      logger.info(
        `The config of ${this.id} changed since its last sync; reading everything again`,
      );
      saved = { version: 1, config: null, watermark: null, run: null };
    }
    const watermark = saved.watermark;
    const run: NonNullable<MappedCursor['run']> = saved.run ?? {
      since:
        watermark === null
          ? null
          : new Date(Date.parse(watermark) - overlapMs).toISOString(),
      max: null,
      position: null,
    };
    if (saved.run) {
      logger.debug(`${this.id}: resuming an interrupted sync`);
    }

    const counts = { read: 0, yielded: 0, unreadable: 0, unchanged: 0 };
    let records: unknown[] = [];
    const cursorOf = (complete: boolean) =>
      serializeMappedCursor({
        version: 1,
        config: fingerprint,
        watermark: complete ? laterOf(watermark, run.max) : watermark,
        run: complete ? null : { ...run },
      });
    const take = (complete: boolean): ItsmProviderBatch => {
      const batch = { records, cursor: cursorOf(complete) };
      counts.yielded += records.length;
      records = [];
      return batch;
    };

    for await (const entry of this.#source.read({
      position: run.position,
      since: run.since,
      signal,
      logger,
    })) {
      counts.read++;
      if (entry.error !== undefined) {
        // Not a record: the engine dead-letters it with this reason.
        counts.unreadable++;
        records.push({ __error: `${this.id}: ${entry.error}` });
      } else {
        const mapped = this.#mapper.map(entry.item);
        const updated = mapped.sourceUpdatedAt;
        if (
          updated !== undefined &&
          run.since !== null &&
          updated < run.since
        ) {
          counts.unchanged++;
        } else {
          records.push(mapped.record);
        }
        if (updated !== undefined && updated <= nowIso) {
          run.max = laterOf(run.max, updated);
        }
      }
      run.position = entry.position;
      if (records.length >= batchSize) {
        yield take(false);
        signal.throwIfAborted();
      }
    }

    const final = take(true);
    if (final.records!.length > 0 || final.cursor !== cursor) {
      yield final;
    }
    logger.info(
      `${this.id}: read ${counts.read} items${
        run.since ? ` updated since ${run.since}` : ''
      }, yielded ${counts.yielded} records (${
        counts.unreadable
      } unreadable), left out ${counts.unchanged} unchanged`,
    );
  }
}
