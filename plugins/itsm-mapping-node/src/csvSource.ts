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

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { NotFoundError } from '@backstage/errors';
import { parse } from 'csv-parse';
import type { ItsmCsvSourceSettings } from './settings';
import type {
  ItsmItemSource,
  ItsmSourceEntry,
  ItsmSourceReadOptions,
} from './sources';

/** Where a CSV read stands: a file, its size and mtime, and rows consumed. */
interface CsvPosition {
  file: string;
  fingerprint: string;
  row: number;
}

function parsePosition(position: unknown): CsvPosition | undefined {
  const p = position as Partial<CsvPosition> | null | undefined;
  if (
    p &&
    typeof p.file === 'string' &&
    typeof p.fingerprint === 'string' &&
    typeof p.row === 'number' &&
    Number.isInteger(p.row) &&
    p.row >= 0
  ) {
    return { file: p.file, fingerprint: p.fingerprint, row: p.row };
  }
  return undefined;
}

function compareNames(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

interface CsvRow {
  record: string[];
  info: { lines: number };
}

/**
 * Reads CSV exports: one file, or the `.csv` files of a folder in name
 * order (names starting with a dot are skipped, so an export job can write
 * `.cases.csv` and rename it). The first row names the columns. Streamed,
 * so a file of any size is fine. Resumes mid-file after a crash, unless the
 * file changed since (then it is read again from its start). Its
 * `fingerprint` tells a changed export from an unchanged one.
 * @public
 */
export class ItsmCsvSource implements ItsmItemSource {
  readonly #providerId: string;
  readonly #settings: ItsmCsvSourceSettings;
  readonly #personalFields: ReadonlyArray<string>;

  constructor(options: {
    providerId: string;
    settings: ItsmCsvSourceSettings;
    /** Checked against each file's columns: a name no column has is likely a typo. */
    personalFields?: ReadonlyArray<string>;
  }) {
    this.#providerId = options.providerId;
    this.#settings = options.settings;
    this.#personalFields = options.personalFields ?? [];
  }

  async *read({
    position,
    signal,
    logger,
  }: ItsmSourceReadOptions): AsyncGenerator<ItsmSourceEntry> {
    const resume = parsePosition(position);
    for (const file of await this.#files()) {
      signal.throwIfAborted();
      const name = path.basename(file);
      if (resume && compareNames(name, resume.file) < 0) continue;
      const info = await stat(file);
      const fingerprint = `${info.size}:${info.mtimeMs}`;
      const skip =
        resume && resume.file === name && resume.fingerprint === fingerprint
          ? resume.row
          : 0;
      yield* this.#readFile(file, name, fingerprint, skip, signal, logger);
    }
  }

  /**
   * The export as it is now: each file's name, size and modification time.
   * Undefined when a folder has no file or a file is empty, as an export
   * being replaced may have.
   */
  async fingerprint(): Promise<string | undefined> {
    const files = await this.#files();
    if (files.length === 0) return undefined;
    const hash = createHash('sha1');
    for (const file of files) {
      const info = await stat(file);
      if (info.size === 0) return undefined;
      hash.update(`${path.basename(file)}\0${info.size}\0${info.mtimeMs}\n`);
    }
    return hash.digest('hex');
  }

  async #files(): Promise<string[]> {
    const target = this.#settings.path;
    let info;
    try {
      info = await stat(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundError(
          `ITSM source ${this.#providerId}: ${target} does not exist`,
        );
      }
      throw error;
    }
    if (info.isFile()) return [target];
    const names = (await readdir(target, { withFileTypes: true }))
      .filter(
        e =>
          (e.isFile() || e.isSymbolicLink()) &&
          !e.name.startsWith('.') &&
          e.name.toLowerCase().endsWith('.csv'),
      )
      .map(e => e.name)
      .sort(compareNames);
    return names.map(n => path.join(target, n));
  }

  async *#readFile(
    file: string,
    name: string,
    fingerprint: string,
    skip: number,
    signal: AbortSignal,
    logger: ItsmSourceReadOptions['logger'],
  ): AsyncGenerator<ItsmSourceEntry> {
    // Parser errors name the line and the kind of problem, never the text.
    const skipped: Array<{ lines: number; code: string }> = [];
    const input = createReadStream(file);
    const parser = parse({
      bom: true,
      delimiter: this.#settings.delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: error => {
        skipped.push({
          lines: (error as { lines?: number } | undefined)?.lines ?? 0,
          code: (error as { code?: string } | undefined)?.code ?? 'INVALID',
        });
      },
    });
    input.on('error', error => parser.destroy(error));
    input.pipe(parser);

    let header: string[] | undefined;
    let row = 0;
    const entry = (
      value: { item: Record<string, string> } | { error: string },
    ): ItsmSourceEntry | undefined => {
      row++;
      if (row <= skip) return undefined;
      return {
        ...value,
        position: { file: name, fingerprint, row },
      } as ItsmSourceEntry;
    };
    const skippedEntry = (s: { lines: number; code: string }) =>
      entry({
        error: `line ${s.lines} of ${name} could not be parsed (${s.code})`,
      });

    try {
      for await (const parsed of parser as AsyncIterable<CsvRow>) {
        signal.throwIfAborted();
        while (skipped.length > 0) {
          const e = skippedEntry(skipped.shift()!);
          if (e) yield e;
        }
        if (!header) {
          header = parsed.record.map(column => column.trim());
          const columns = new Set(header);
          for (const field of this.#personalFields) {
            if (!columns.has(field)) {
              logger.warn(
                `${
                  this.#providerId
                }: personal field '${field}' is not a column of ${name}; check personalFields for a typo`,
              );
            }
          }
          continue;
        }
        let e: ItsmSourceEntry | undefined;
        if (parsed.record.length !== header.length) {
          e = entry({
            error: `line ${parsed.info.lines} of ${name} has ${parsed.record.length} cells, expected ${header.length}`,
          });
        } else {
          const item: Record<string, string> = {};
          header.forEach((column, i) => {
            if (column !== '') item[column] = parsed.record[i];
          });
          e = entry({ item });
        }
        if (e) yield e;
      }
      while (skipped.length > 0) {
        const e = skippedEntry(skipped.shift()!);
        if (e) yield e;
      }
    } finally {
      input.destroy();
      parser.destroy();
    }
  }
}
