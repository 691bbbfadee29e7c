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
import { open, stat } from 'node:fs/promises';

/** How much of a file's head the fingerprint hashes. */
export const FINGERPRINT_HEAD_BYTES = 64 * 1024;

/** Progress through one file. */
export interface FileProgress {
  /** `size:mtimeMs:sha1-of-head`; a different value means the file changed. */
  fingerprint: string;
  /** Items of this file already yielded in committed batches. */
  read: number;
  /** True once every item of the file was yielded. */
  done: boolean;
}

/** What the opaque cursor string holds. */
export interface FileCursor {
  version: 1;
  files: Record<string, FileProgress>;
  /**
   * A full export only: the fingerprint of the folder (see
   * {@link fingerprintExport}) when a sync last read it whole and compared
   * it with the stored records. Absent otherwise.
   */
  reconciled?: string;
}

/** An empty cursor: every file is read from its start. */
export function emptyCursor(): FileCursor {
  return { version: 1, files: {} };
}

/**
 * Parses a cursor this provider wrote. Returns undefined when it cannot be
 * read (another format, hand-edited); the caller then starts over, which the
 * engine's upsert makes harmless.
 */
export function parseCursor(cursor: string | null): FileCursor | undefined {
  if (cursor === null || cursor === '') {
    return emptyCursor();
  }
  try {
    const value = JSON.parse(cursor);
    if (
      !value ||
      typeof value !== 'object' ||
      value.version !== 1 ||
      !value.files ||
      typeof value.files !== 'object' ||
      Array.isArray(value.files)
    ) {
      return undefined;
    }
    const files: Record<string, FileProgress> = {};
    for (const [name, progress] of Object.entries<unknown>(value.files)) {
      const p = progress as Partial<FileProgress> | null;
      if (
        p &&
        typeof p.fingerprint === 'string' &&
        typeof p.read === 'number' &&
        Number.isInteger(p.read) &&
        p.read >= 0 &&
        typeof p.done === 'boolean'
      ) {
        files[name] = {
          fingerprint: p.fingerprint,
          read: p.read,
          done: p.done,
        };
      }
    }
    return typeof value.reconciled === 'string'
      ? { version: 1, files, reconciled: value.reconciled }
      : { version: 1, files };
  } catch {
    return undefined;
  }
}

/** Serialises a cursor with its files in name order, so equal states give equal strings. */
export function serializeCursor(cursor: FileCursor): string {
  const files: Record<string, FileProgress> = {};
  for (const name of Object.keys(cursor.files).sort(compareNames)) {
    const { fingerprint, read, done } = cursor.files[name];
    files[name] = { fingerprint, read, done };
  }
  return JSON.stringify(
    cursor.reconciled === undefined
      ? { version: 1, files }
      : { version: 1, files, reconciled: cursor.reconciled },
  );
}

/** Orders file names by code unit, the same on every machine and locale. */
export function compareNames(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Fingerprints a file by its size, modification time and the SHA-1 of its
 * first 64 KiB: cheap on a file of any size, and it changes when an export
 * job rewrites the file.
 */
export async function fingerprintFile(file: string): Promise<string> {
  const info = await stat(file);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(FINGERPRINT_HEAD_BYTES, info.size));
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesRead } = await handle.read(
        buffer,
        offset,
        buffer.length - offset,
        offset,
      );
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    const sha1 = createHash('sha1')
      .update(buffer.subarray(0, offset))
      .digest('hex');
    return `${info.size}:${info.mtimeMs}:${sha1}`;
  } finally {
    await handle.close();
  }
}

/**
 * The fingerprint of a whole folder, from its files' names and fingerprints.
 * Undefined when the folder has no file or an empty one, as it may have
 * while an export job replaces its files.
 */
export function fingerprintExport(
  fingerprints: ReadonlyMap<string, string>,
): string | undefined {
  if (fingerprints.size === 0) return undefined;
  const hash = createHash('sha1');
  for (const name of [...fingerprints.keys()].sort(compareNames)) {
    const fingerprint = fingerprints.get(name)!;
    if (fingerprint.startsWith('0:')) return undefined;
    hash.update(`${name}\0${fingerprint}\n`);
  }
  return hash.digest('hex');
}
