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

import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { NotFoundError } from '@backstage/errors';
import type { ItsmRecordKind } from '@backstage-itsm/plugin-itsm-common';
import type {
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderDeletion,
  ItsmProviderSyncContext,
} from '@backstage-itsm/plugin-itsm-node';
import {
  compareNames,
  emptyCursor,
  FileCursor,
  fingerprintExport,
  fingerprintFile,
  parseCursor,
  serializeCursor,
} from './cursor';
import { FileItem, formatOf, readItems } from './readers';

/**
 * Most items (records plus feedback) in one batch.
 * @public
 */
export const DEFAULT_BATCH_SIZE = 500;

/** Stored ids asked for at a time when looking for deletions. */
const STORED_IDS_PAGE = 5000;

/**
 * Options of {@link FileItsmProvider}.
 * @public
 */
export interface FileItsmProviderOptions {
  /** Provider id, e.g. `file:demo`. */
  id: string;
  /** Absolute path of the folder to read. */
  path: string;
  department: string;
  kinds: ReadonlyArray<ItsmRecordKind>;
  /** Most items per batch; defaults to 500. */
  batchSize?: number;
  /**
   * The folder holds every record of the source (a snapshot), not only
   * what changed: a stored record that a complete read of the changed
   * folder no longer finds was deleted at the source. Defaults to false.
   */
  fullExport?: boolean;
  /**
   * The catalog annotations the files' mappings name (e.g.
   * `servicenow.com/ci-sysid`): an entity bearing one is covered by this
   * provider before any record maps to it. Defaults to none.
   */
  mapsOnAnnotations?: ReadonlyArray<string>;
}

/**
 * The external ids of the records a read of a full export held, and
 * whether they are all of them.
 */
class HeldIds {
  readonly ids = new Set<string>();
  /** Why the ids are not all of the export's, if they are not. */
  notWhole: string | undefined;

  add(item: FileItem, file: string) {
    if (this.notWhole !== undefined) return;
    const value = item.value as Record<string, unknown> | null;
    if (value && typeof value === 'object' && '__raw' in value) {
      this.notWhole ??= `${file} has an item that could not be parsed`;
      return;
    }
    if (item.feedback) return;
    const externalId = value?.externalId;
    if (typeof externalId === 'string' && externalId !== '') {
      this.ids.add(externalId);
    } else {
      this.notWhole ??= `${file} has a record without an external id`;
    }
  }
}

/**
 * An ITSM provider that reads normalised records and feedback from the
 * JSON, NDJSON and CSV files of a folder, in name order.
 *
 * The cursor records, per file, a fingerprint and how many items were
 * already yielded: a sync resumes after the last committed batch, skips a
 * file it read whole that has not changed since, and reads a changed file
 * again from its start (the engine's upsert makes that harmless). Items are
 * not validated here: the engine validates them and dead-letters bad ones.
 *
 * With `fullExport`, the folder is a snapshot of the source: when it
 * changed, a sync that reads all of it (the files it skips or resumed, for
 * their ids only), with every item parsed and no file changing meanwhile,
 * yields the stored records it no longer holds as deletions (reason
 * `export`). A folder unchanged since is not read again.
 * @public
 */
export class FileItsmProvider implements ItsmProvider {
  readonly id: string;
  readonly department: string;
  readonly kinds: ReadonlyArray<ItsmRecordKind>;
  readonly mapsOnAnnotations?: ReadonlyArray<string>;
  readonly #path: string;
  readonly #batchSize: number;
  readonly #fullExport: boolean;

  constructor(options: FileItsmProviderOptions) {
    this.id = options.id;
    this.department = options.department;
    this.kinds = options.kinds;
    if (options.mapsOnAnnotations?.length) {
      this.mapsOnAnnotations = [...options.mapsOnAnnotations];
    }
    this.#path = options.path;
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.#fullExport = options.fullExport ?? false;
  }

  /** The folder this provider reads. */
  get path(): string {
    return this.#path;
  }

  /** Whether the folder is a snapshot, whose missing records were deleted. */
  get fullExport(): boolean {
    return this.#fullExport;
  }

  async *sync({
    cursor,
    signal,
    logger,
    listStoredExternalIds,
  }: ItsmProviderSyncContext): AsyncGenerator<ItsmProviderBatch> {
    signal.throwIfAborted();
    const files = await this.#listFiles();
    const fingerprints = await this.#fingerprint(files);

    let previous = parseCursor(cursor);
    if (!previous) {
      logger.warn(
        `Cursor of ${this.id} is not one this provider wrote; reading every file again`,
      );
      previous = emptyCursor();
    }

    // Progress of the files still there; files that are gone are forgotten.
    const state: FileCursor = emptyCursor();
    for (const name of files) {
      if (previous.files[name]) {
        state.files[name] = { ...previous.files[name] };
      }
    }

    // A full export: the ids it holds, unless it was compared unchanged.
    const exportBefore = this.#fullExport
      ? fingerprintExport(fingerprints)
      : undefined;
    let held: HeldIds | undefined;
    if (exportBefore !== undefined && previous.reconciled === exportBefore) {
      state.reconciled = exportBefore;
    } else if (this.#fullExport) {
      held = new HeldIds();
      if (exportBefore === undefined) {
        held.notWhole = 'the folder has no file, or an empty one';
      } else if (!listStoredExternalIds) {
        held.notWhole = 'the provider runs on its own';
      }
    }
    /** Files whose every item this sync saw. */
    const seenWhole = new Set<string>();

    let records: unknown[] = [];
    let feedback: unknown[] = [];
    let deletions: ItsmProviderDeletion[] = [];
    let lastCursor = cursor;
    let filesRead = 0;
    let itemsYielded = 0;
    let deleted = 0;
    const pending = () => records.length + feedback.length + deletions.length;
    const take = (): ItsmProviderBatch => {
      const next = serializeCursor(state);
      const batch: ItsmProviderBatch = { records, feedback, cursor: next };
      if (deletions.length > 0) batch.deletions = deletions;
      itemsYielded += records.length + feedback.length;
      deleted += deletions.length;
      records = [];
      feedback = [];
      deletions = [];
      lastCursor = next;
      return batch;
    };

    for (const name of files) {
      signal.throwIfAborted();
      const file = path.join(this.#path, name);
      const fingerprint = fingerprints.get(name)!;
      const known = state.files[name];
      if (known?.fingerprint === fingerprint && known.done) {
        continue;
      }
      const resumeAt = known?.fingerprint === fingerprint ? known.read : 0;
      const progress = { fingerprint, read: resumeAt, done: false };
      state.files[name] = progress;
      filesRead++;
      if (resumeAt > 0) {
        logger.debug(`${this.id}: resuming ${name} after item ${resumeAt}`);
      }

      for await (const item of readItems(file, { skip: resumeAt })) {
        (item.feedback ? feedback : records).push(item.value);
        held?.add(item, name);
        progress.read++;
        if (pending() >= this.#batchSize) {
          yield take();
          signal.throwIfAborted();
        }
      }
      progress.done = true;
      if (resumeAt === 0) seenWhole.add(name);
    }

    if (held && held.notWhole === undefined) {
      // The files skipped as unchanged, or resumed, are read for their ids.
      for (const name of files) {
        if (seenWhole.has(name) || held.notWhole !== undefined) continue;
        signal.throwIfAborted();
        for await (const item of readItems(path.join(this.#path, name))) {
          held.add(item, name);
        }
      }
      const exportAfter = fingerprintExport(
        await this.#fingerprint(await this.#listFiles()),
      );
      if (exportAfter !== exportBefore) {
        held.notWhole ??= 'files changed while the folder was read';
      }
    }
    if (held && held.notWhole === undefined) {
      for await (const externalId of this.#storedIds(listStoredExternalIds!)) {
        if (held.ids.has(externalId)) continue;
        deletions.push({ externalId, reason: 'export' });
        if (pending() >= this.#batchSize) {
          yield take();
          signal.throwIfAborted();
        }
      }
      state.reconciled = exportBefore;
    } else if (held) {
      logger.info(
        `${this.id}: not looking for records deleted at the source in this sync: ${held.notWhole}`,
      );
    }

    // The last items, or only the news that files completed or went away.
    if (pending() > 0 || serializeCursor(state) !== lastCursor) {
      yield take();
    }
    logger.info(
      `${this.id}: read ${filesRead} of ${files.length} files in ${
        this.#path
      }, yielded ${itemsYielded} items${
        this.#fullExport ? `, ${deleted} deleted at the source` : ''
      }`,
    );
  }

  /** Each file's fingerprint, by name. */
  async #fingerprint(files: string[]): Promise<Map<string, string>> {
    const fingerprints = new Map<string, string>();
    for (const name of files) {
      fingerprints.set(
        name,
        await fingerprintFile(path.join(this.#path, name)),
      );
    }
    return fingerprints;
  }

  /** The external ids stored for this provider, all kinds, ascending. */
  async *#storedIds(
    list: NonNullable<ItsmProviderSyncContext['listStoredExternalIds']>,
  ): AsyncGenerator<string> {
    let after: string | undefined;
    for (;;) {
      const page = await list({ after, limit: STORED_IDS_PAGE });
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1];
    }
  }

  /** The readable files of the folder, in name order. */
  async #listFiles(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.#path, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new NotFoundError(
          `ITSM file provider ${this.id}: folder ${this.#path} does not exist`,
        );
      }
      if (code === 'ENOTDIR') {
        throw new NotFoundError(
          `ITSM file provider ${this.id}: ${this.#path} is not a folder`,
        );
      }
      throw error;
    }
    const names: string[] = [];
    for (const entry of entries) {
      if (!formatOf(entry.name)) {
        continue;
      }
      if (entry.isFile()) {
        names.push(entry.name);
      } else if (entry.isSymbolicLink()) {
        const target = await stat(path.join(this.#path, entry.name)).catch(
          () => undefined,
        );
        if (target?.isFile()) {
          names.push(entry.name);
        }
      }
    }
    return names.sort(compareNames);
  }
}
