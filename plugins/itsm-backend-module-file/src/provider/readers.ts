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

import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'csv-parse';

/** One item of a file, and whether it is a feedback answer or a record. */
export interface FileItem {
  value: unknown;
  feedback: boolean;
}

/**
 * What a line or file that cannot be parsed becomes: yielded like any item,
 * so the engine's validation dead-letters it with the reason instead of it
 * vanishing.
 */
export interface RawItem {
  __raw: string;
  __error: string;
}

/** The formats this provider reads, by file extension. */
export type FileFormat = 'json' | 'ndjson' | 'csv';

/** Longest text kept in `__raw` of an item that cannot be parsed. */
export const MAX_RAW_CHARS = 64 * 1024;

/** Columns of a CSV file that hold a `;`-separated list. */
const CSV_LIST_COLUMNS = new Set(['entityRefs']);
/** Columns of a CSV file that hold `annotation=value;annotation=value`. */
const CSV_MAPPING_COLUMNS = new Set(['mappings']);
/** Columns of a CSV file that hold a number. */
const CSV_NUMBER_COLUMNS = new Set([
  'priority',
  'reopenCount',
  'score',
  'targetSeconds',
]);
/** Columns of a CSV file that hold JSON (an SLA array, the raw payload). */
const CSV_JSON_COLUMNS = new Set(['slas', 'payload']);

const NUMBER_PATTERN = /^[+-]?\d+(\.\d+)?$/;

/** The format of a file from its name, or undefined when the provider ignores it. */
export function formatOf(fileName: string): FileFormat | undefined {
  if (fileName.startsWith('.')) {
    return undefined;
  }
  switch (path.extname(fileName).toLowerCase()) {
    case '.json':
      return 'json';
    case '.ndjson':
    case '.jsonl':
      return 'ndjson';
    case '.csv':
      return 'csv';
    default:
      return undefined;
  }
}

/**
 * Whether every item of a file is a feedback answer: its name without the
 * extension contains `feedback` (`feedback.ndjson`, `it-feedback.csv`).
 */
export function isFeedbackFile(fileName: string): boolean {
  return /feedback/i.test(path.basename(fileName, path.extname(fileName)));
}

/** An item with a non-empty `scale` field is a feedback answer. */
function hasScale(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const scale = (value as { scale?: unknown }).scale;
  return scale !== undefined && scale !== null && scale !== '';
}

function classify(value: unknown, feedbackFile: boolean): FileItem {
  return { value, feedback: feedbackFile || hasScale(value) };
}

function rawItem(text: string, error: string): RawItem {
  return {
    __raw:
      text.length > MAX_RAW_CHARS
        ? `${text.slice(0, MAX_RAW_CHARS)}… (${text.length} characters)`
        : text,
    __error: error,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads the items of one file, after skipping the first `skip` of them
 * (those already yielded by an earlier sync). NDJSON and CSV files are
 * streamed; a JSON file is loaded whole.
 */
export function readItems(
  file: string,
  options: { skip?: number } = {},
): AsyncGenerator<FileItem> {
  const name = path.basename(file);
  const skip = options.skip ?? 0;
  switch (formatOf(name)) {
    case 'json':
      return readJson(file, name, skip);
    case 'ndjson':
      return readNdjson(file, name, skip);
    case 'csv':
      return readCsv(file, name, skip);
    default:
      throw new Error(`Unsupported file format: ${name}`);
  }
}

/**
 * The items of a JSON document: an array of items, or
 * `{ records: [...], feedback: [...] }` (either section may be missing).
 * Items of the `records` section are records and those of `feedback` answers,
 * whatever their fields; items of an array follow the file name and `scale`
 * rule. A document that is neither becomes one raw item.
 */
function jsonItems(text: string, name: string): FileItem[] {
  const feedbackFile = isFeedbackFile(name);
  const invalid = (error: string): FileItem[] => [
    { value: rawItem(text, `${name}: ${error}`), feedback: feedbackFile },
  ];
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return invalid(messageOf(error));
  }
  if (Array.isArray(document)) {
    return document.map(value => classify(value, feedbackFile));
  }
  if (
    document &&
    typeof document === 'object' &&
    ('records' in document || 'feedback' in document)
  ) {
    const { records = [], feedback = [] } = document as {
      records?: unknown;
      feedback?: unknown;
    };
    if (!Array.isArray(records) || !Array.isArray(feedback)) {
      return invalid(`'records' and 'feedback' must be arrays`);
    }
    return [
      ...records.map(value => ({ value, feedback: false })),
      ...feedback.map(value => ({ value, feedback: true })),
    ];
  }
  return invalid(
    `expected an array of items or an object with 'records' and/or 'feedback' arrays`,
  );
}

async function* readJson(
  file: string,
  name: string,
  skip: number,
): AsyncGenerator<FileItem> {
  let text = await readFile(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
  }
  const items = jsonItems(text, name);
  for (let i = skip; i < items.length; i++) {
    yield items[i];
  }
}

/**
 * Splits a file into lines as it streams: one chunk in memory at a time,
 * with the stream's own back-pressure. Yields `[lineNumber, line]`, without
 * the line break (`\n` or `\r\n`) and without a leading byte-order mark.
 */
async function* readLines(file: string): AsyncGenerator<[number, string]> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  let rest = '';
  let lineNumber = 0;
  const clean = (line: string) => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    return lineNumber === 1 && text.charCodeAt(0) === 0xfeff
      ? text.slice(1)
      : text;
  };
  try {
    for await (const chunk of stream) {
      const lines = (rest + (chunk as string)).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        lineNumber++;
        yield [lineNumber, clean(line)];
      }
    }
    if (rest !== '') {
      lineNumber++;
      yield [lineNumber, clean(rest)];
    }
  } finally {
    stream.destroy();
  }
}

/**
 * NDJSON (`.ndjson`, `.jsonl`): one item per non-blank line. A line that is
 * not valid JSON becomes a raw item naming the line.
 */
async function* readNdjson(
  file: string,
  name: string,
  skip: number,
): AsyncGenerator<FileItem> {
  const feedbackFile = isFeedbackFile(name);
  let index = 0;
  for await (const [lineNumber, line] of readLines(file)) {
    if (line.trim() === '') {
      continue;
    }
    index++;
    if (index <= skip) {
      continue;
    }
    let item: FileItem;
    try {
      item = classify(JSON.parse(line), feedbackFile);
    } catch (error) {
      item = {
        value: rawItem(
          line,
          `line ${lineNumber} of ${name}: ${messageOf(error)}`,
        ),
        feedback: feedbackFile,
      };
    }
    yield item;
  }
}

/** Converts one CSV cell by its column (see the README's CSV section). */
export function convertCsvCell(column: string, cell: string): unknown {
  if (CSV_LIST_COLUMNS.has(column)) {
    return cell
      .split(';')
      .map(part => part.trim())
      .filter(Boolean);
  }
  if (CSV_MAPPING_COLUMNS.has(column)) {
    return cell
      .split(';')
      .map(part => part.trim())
      .filter(Boolean)
      .map(part => {
        const at = part.indexOf('=');
        // Kept even without '=', so validation names it instead of it vanishing.
        return at < 0
          ? { annotation: part, value: '' }
          : {
              annotation: part.slice(0, at).trim(),
              value: part.slice(at + 1).trim(),
            };
      });
  }
  if (cell === '') {
    // An empty SLA list is an empty array: null would fail validation.
    return column === 'slas' ? [] : null;
  }
  if (CSV_NUMBER_COLUMNS.has(column)) {
    // Not a number: kept as text so validation names the field.
    return NUMBER_PATTERN.test(cell) ? Number(cell) : cell;
  }
  if (CSV_JSON_COLUMNS.has(column)) {
    try {
      return JSON.parse(cell);
    } catch {
      return cell;
    }
  }
  return cell;
}

interface CsvRow {
  record: string[];
  raw?: string;
  info: { lines: number };
}

interface CsvSkip {
  lines: number;
  raw: string;
  message: string;
}

/**
 * CSV: a header row naming the fields (camelCase, like the JSON fields), then
 * one item per row. Streamed. A row with the wrong number of cells, or one the
 * parser refuses, becomes a raw item naming the line.
 */
async function* readCsv(
  file: string,
  name: string,
  skip: number,
): AsyncGenerator<FileItem> {
  const feedbackFile = isFeedbackFile(name);
  const skipped: CsvSkip[] = [];
  const input = createReadStream(file);
  const parser = parse({
    bom: true,
    info: true,
    raw: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      skipped.push({
        lines: (error as { lines?: number } | undefined)?.lines ?? 0,
        raw: raw ?? '',
        message: error?.message ?? 'invalid row',
      });
    },
  });
  input.on('error', error => parser.destroy(error));
  input.pipe(parser);

  let header: string[] | undefined;
  let index = 0;
  const take = (item: FileItem): FileItem | undefined => {
    index++;
    return index > skip ? item : undefined;
  };
  const skippedItem = (s: CsvSkip): FileItem => ({
    value: rawItem(s.raw.trimEnd(), `line ${s.lines} of ${name}: ${s.message}`),
    feedback: feedbackFile,
  });

  try {
    for await (const row of parser as AsyncIterable<CsvRow>) {
      // Parser errors are reported as they happen; yield them in line order.
      while (skipped.length > 0 && skipped[0].lines < row.info.lines) {
        const item = take(skippedItem(skipped.shift()!));
        if (item) yield item;
      }
      if (!header) {
        header = row.record.map(column => column.trim());
        continue;
      }
      let item: FileItem | undefined;
      if (row.record.length !== header.length) {
        item = take({
          value: rawItem(
            (row.raw ?? row.record.join(',')).trimEnd(),
            `line ${row.info.lines} of ${name}: expected ${header.length} columns, got ${row.record.length}`,
          ),
          feedback: feedbackFile,
        });
      } else {
        const value: Record<string, unknown> = {};
        header.forEach((column, i) => {
          if (column !== '') {
            value[column] = convertCsvCell(column, row.record[i].trim());
          }
        });
        item = take(classify(value, feedbackFile));
      }
      if (item) yield item;
    }
    while (skipped.length > 0) {
      const item = take(skippedItem(skipped.shift()!));
      if (item) yield item;
    }
  } finally {
    input.destroy();
    parser.destroy();
  }
}
