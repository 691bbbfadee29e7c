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

/**
 * What the opaque cursor of a mapped source holds. Between runs only the
 * watermark matters; during a run, `run` records where the last committed
 * batch ended, so a crash resumes there with the same filter.
 */
export interface MappedCursor {
  version: 1;
  /** The source config's fingerprint; another one means read everything again. */
  config: string;
  /** The latest sourceUpdatedAt of the last complete run (UTC ISO), or null. */
  watermark: string | null;
  /**
   * A full export's fingerprint when a complete read of it was compared with
   * the stored records (deletions found); null otherwise. The same export
   * is not read again.
   */
  export?: string | null;
  run: {
    /** The filter of this run: items updated at or after it. */
    since: string | null;
    /** The latest sourceUpdatedAt seen so far in this run. */
    max: string | null;
    /** The source's position after the last committed batch. */
    position: unknown;
  } | null;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isInstantOrNull(value: unknown): value is string | null {
  return value === null || (typeof value === 'string' && ISO.test(value));
}

/**
 * Parses a cursor this provider wrote. Null or empty is a first run;
 * undefined means it cannot be read (another format), and the caller starts
 * over, which the engine's upsert makes harmless.
 */
export function parseMappedCursor(
  cursor: string | null,
): (Omit<MappedCursor, 'config'> & { config: string | null }) | undefined {
  if (cursor === null || cursor === '') {
    return {
      version: 1,
      config: null,
      watermark: null,
      export: null,
      run: null,
    };
  }
  try {
    const value = JSON.parse(cursor);
    if (
      !value ||
      value.version !== 1 ||
      typeof value.config !== 'string' ||
      !isInstantOrNull(value.watermark)
    ) {
      return undefined;
    }
    const run = value.run;
    if (
      run !== null &&
      (typeof run !== 'object' ||
        !isInstantOrNull(run.since) ||
        !isInstantOrNull(run.max))
    ) {
      return undefined;
    }
    if (
      value.export !== undefined &&
      value.export !== null &&
      typeof value.export !== 'string'
    ) {
      return undefined;
    }
    return {
      version: 1,
      config: value.config,
      watermark: value.watermark,
      export: value.export ?? null,
      run: run && {
        since: run.since,
        max: run.max,
        position: run.position ?? null,
      },
    };
  } catch {
    return undefined;
  }
}

export function serializeMappedCursor(cursor: MappedCursor): string {
  return JSON.stringify({
    version: 1,
    config: cursor.config,
    watermark: cursor.watermark,
    // Only sources that compare full exports write it.
    ...(cursor.export ? { export: cursor.export } : {}),
    run: cursor.run && {
      since: cursor.run.since,
      max: cursor.run.max,
      position: cursor.run.position ?? null,
    },
  });
}

/** The later of two UTC ISO instants (null for neither). */
export function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}
