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
  ItsmHttpClientOptions,
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderDeletion,
  ItsmProviderSyncContext,
} from '@backstage-itsm/plugin-itsm-node';
import type { ItsmMappedSourceSettings } from './settings';
import { ItsmCsvSource } from './csvSource';
import {
  laterOf,
  MappedCursor,
  parseMappedCursor,
  serializeMappedCursor,
} from './cursor';
import { ItsmRecordMapper } from './mapper';
import { ItsmRestSource } from './restSource';
import type { ItsmItemSource } from './sources';

/** Stored ids asked for at a time when looking for deletions. */
const STORED_IDS_PAGE = 5000;

/** Options of {@link ItsmMappedProvider} besides its settings, mostly for tests. @public */
export interface ItsmMappedProviderOptions {
  /** Replaces the source the settings describe. */
  source?: ItsmItemSource;
  /** HTTP client overrides of a REST source: `fetch`, `sleep`, `now`, `random`, backoff. */
  rest?: Partial<Omit<ItsmHttpClientOptions, 'providerId' | 'baseUrl'>>;
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
 *
 * A CSV source with `fullExport` is a snapshot of the source: when a run
 * reads a changed export whole, from its start and without a row it cannot
 * read, the stored records it no longer holds are yielded as deletions
 * (reason `export`). An export unchanged since such a run is not read again.
 * @public
 */
export class ItsmMappedProvider implements ItsmProvider {
  readonly id: string;
  readonly department: string;
  readonly kinds: ReadonlyArray<ItsmRecordKind>;
  readonly #settings: ItsmMappedSourceSettings;
  readonly #mapper: ItsmRecordMapper;
  readonly #source: ItsmItemSource;
  readonly #fullExport: boolean;
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
        http: options.rest,
      });
    }
    this.#fullExport =
      source.type === 'csv' &&
      source.fullExport === true &&
      this.#source.fingerprint !== undefined;
  }

  /** The settings read from config. */
  get settings(): ItsmMappedSourceSettings {
    return this.#settings;
  }

  async *sync({
    cursor,
    signal,
    logger,
    reporter,
    listStoredExternalIds,
  }: ItsmProviderSyncContext): AsyncGenerator<ItsmProviderBatch> {
    signal.throwIfAborted();
    const { fingerprint, overlapMs, batchSize } = this.#settings;
    const nowIso = new Date(this.#now()).toISOString();

    let saved = parseMappedCursor(cursor);
    if (!saved) {
      logger.warn(
        `Cursor of ${this.id} is not one this provider wrote; reading everything again`,
      );
    } else if (saved.config !== null && saved.config !== fingerprint) {
      logger.info(
        `The config of ${this.id} changed since its last sync; reading everything again`,
      );
      saved = undefined;
    }
    saved ??= {
      version: 1,
      config: null,
      watermark: null,
      export: null,
      run: null,
    };
    const watermark = saved.watermark;

    // A full export read whole and compared before, unchanged since.
    const exportBefore = this.#fullExport
      ? await this.#source.fingerprint!()
      : undefined;
    if (
      exportBefore !== undefined &&
      saved.run === null &&
      saved.export === exportBefore
    ) {
      logger.info(
        `${this.id}: the export is unchanged since its last complete read; nothing to read`,
      );
      return;
    }

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

    // The external ids of a full export read from its start, to find what
    // it no longer holds; left undefined when this run cannot tell.
    let held: Set<string> | undefined;
    let notWhole: string | undefined;
    if (this.#fullExport) {
      if (run.position !== null) {
        notWhole = 'this run resumed an interrupted one';
      } else if (exportBefore === undefined) {
        notWhole = 'the export has no file, or an empty one';
      } else {
        held = new Set();
      }
    }

    const counts = {
      read: 0,
      yielded: 0,
      unreadable: 0,
      unchanged: 0,
      deleted: 0,
    };
    let records: unknown[] = [];
    let deletions: ItsmProviderDeletion[] = [];
    const cursorOf = (complete: boolean, exported: string | null = null) =>
      serializeMappedCursor({
        version: 1,
        config: fingerprint,
        watermark: complete ? laterOf(watermark, run.max) : watermark,
        export: exported,
        run: complete ? null : { ...run },
      });
    const take = (
      complete: boolean,
      exported: string | null = null,
    ): ItsmProviderBatch => {
      const batch: ItsmProviderBatch = {
        records,
        cursor: cursorOf(complete, exported),
      };
      if (deletions.length > 0) batch.deletions = deletions;
      counts.yielded += records.length;
      counts.deleted += deletions.length;
      records = [];
      deletions = [];
      return batch;
    };

    for await (const entry of this.#source.read({
      position: run.position,
      since: run.since,
      signal,
      logger,
      reporter,
    })) {
      counts.read++;
      if (entry.error !== undefined) {
        // Not a record: the engine dead-letters it with this reason.
        counts.unreadable++;
        records.push({ __error: `${this.id}: ${entry.error}` });
        notWhole ??= 'a row could not be read';
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
        const externalId = mapped.record.externalId;
        if (typeof externalId === 'string' && externalId !== '') {
          held?.add(externalId);
        } else {
          notWhole ??= 'a row has no external id';
        }
      }
      run.position = entry.position;
      if (records.length >= batchSize) {
        yield take(false);
        signal.throwIfAborted();
      }
    }

    let exported: string | null = null;
    if (this.#fullExport) {
      const exportAfter = await this.#source.fingerprint!();
      if (exportAfter !== exportBefore) {
        notWhole ??= 'the export changed while it was read';
      }
      if (!listStoredExternalIds) {
        notWhole ??= 'the provider runs on its own';
      }
      if (held && notWhole === undefined) {
        for await (const externalId of this.#storedIds(
          listStoredExternalIds!,
        )) {
          if (held.has(externalId)) continue;
          deletions.push({ externalId, reason: 'export' });
          if (records.length + deletions.length >= batchSize) {
            yield take(true);
            signal.throwIfAborted();
          }
        }
        exported = exportBefore!;
      } else {
        logger.info(
          `${this.id}: not looking for records deleted at the source in this run: ${notWhole}`,
        );
      }
    }

    const final = take(true, exported);
    if (
      final.records!.length > 0 ||
      final.deletions !== undefined ||
      final.cursor !== cursor
    ) {
      yield final;
    }
    logger.info(
      `${this.id}: read ${counts.read} items${
        run.since ? ` updated since ${run.since}` : ''
      }, yielded ${counts.yielded} records (${
        counts.unreadable
      } unreadable), left out ${counts.unchanged} unchanged${
        this.#fullExport ? `, ${counts.deleted} deleted at the source` : ''
      }`,
    );
  }

  /** The external ids stored for this provider, ascending, a page at a time. */
  async *#storedIds(
    list: NonNullable<ItsmProviderSyncContext['listStoredExternalIds']>,
  ): AsyncGenerator<string> {
    let after: string | undefined;
    for (;;) {
      const page = await list({
        kind: this.kinds[0],
        after,
        limit: STORED_IDS_PAGE,
      });
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1];
    }
  }
}
