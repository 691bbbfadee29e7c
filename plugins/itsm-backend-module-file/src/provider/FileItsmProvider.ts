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
  ItsmProviderSyncContext,
} from '@backstage-itsm/plugin-itsm-node';
import {
  compareNames,
  emptyCursor,
  FileCursor,
  fingerprintFile,
  parseCursor,
  serializeCursor,
} from './cursor';
import { formatOf, readItems } from './readers';

/**
 * Most items (records plus feedback) in one batch.
 * @public
 */
export const DEFAULT_BATCH_SIZE = 500;

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
 * @public
 */
export class FileItsmProvider implements ItsmProvider {
  readonly id: string;
  readonly department: string;
  readonly kinds: ReadonlyArray<ItsmRecordKind>;
  readonly #path: string;
  readonly #batchSize: number;

  constructor(options: FileItsmProviderOptions) {
    this.id = options.id;
    this.department = options.department;
    this.kinds = options.kinds;
    this.#path = options.path;
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  /** The folder this provider reads. */
  get path(): string {
    return this.#path;
  }

  async *sync({
    cursor,
    signal,
    logger,
  }: ItsmProviderSyncContext): AsyncGenerator<ItsmProviderBatch> {
    signal.throwIfAborted();
    const files = await this.#listFiles();

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

    let records: unknown[] = [];
    let feedback: unknown[] = [];
    let lastCursor = cursor;
    let filesRead = 0;
    let itemsYielded = 0;
    const take = (): ItsmProviderBatch => {
      const batch = { records, feedback, cursor: serializeCursor(state) };
      itemsYielded += records.length + feedback.length;
      records = [];
      feedback = [];
      lastCursor = batch.cursor;
      return batch;
    };

    for (const name of files) {
      signal.throwIfAborted();
      const file = path.join(this.#path, name);
      const fingerprint = await fingerprintFile(file);
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
        progress.read++;
        if (records.length + feedback.length >= this.#batchSize) {
          yield take();
          signal.throwIfAborted();
        }
      }
      progress.done = true;
    }

    // The last items, or only the news that files completed or went away.
    if (
      records.length > 0 ||
      feedback.length > 0 ||
      serializeCursor(state) !== lastCursor
    ) {
      yield take();
    }
    logger.info(
      `${this.id}: read ${filesRead} of ${files.length} files in ${
        this.#path
      }, yielded ${itemsYielded} items`,
    );
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
