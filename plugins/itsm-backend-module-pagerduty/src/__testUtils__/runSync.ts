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

import { mockServices } from '@backstage/backend-test-utils';
import {
  createRecordingReporter,
  ItsmReported,
} from '@backstage-itsm/plugin-itsm-node/testUtils';
import {
  describeValidationError,
  ItsmNormalisedRecord,
  itsmRecordInputSchema,
} from '@backstage-itsm/plugin-itsm-common';
import type { ItsmProvider } from '@backstage-itsm/plugin-itsm-node';

/** What one run did, seen the way the ingestion engine sees it. */
export interface SyncRun {
  /** Records that passed the real schema, in yield order. */
  records: ItsmNormalisedRecord[];
  /** Items the engine would dead-letter, with the reason. */
  invalid: Array<{ item: unknown; reason: string; paths: string[] }>;
  batches: number;
  /** The cursor the engine would have committed last. */
  cursor: string | null;
  error?: unknown;
  logger: ReturnType<typeof mockServices.logger.mock>;
  /** What the provider told the run's reporter. */
  reported: Reported;
}

/** A reporter that keeps everything it is told (from itsm-node's test utilities). */
export const recordingReporter = createRecordingReporter;
export type Reported = ItsmReported;

/**
 * Runs one sync like the engine: validates every item with
 * `itsmRecordInputSchema`, commits each batch's cursor, keeps what the
 * provider reports (requests, retries, failed parts), and stops at the first
 * error (keeping what was committed before it).
 */
export async function runSync(
  provider: ItsmProvider,
  cursor: string | null,
  signal: AbortSignal = new AbortController().signal,
): Promise<SyncRun> {
  const logger = mockServices.logger.mock();
  const { reported, reporter } = recordingReporter();
  const run: SyncRun = {
    records: [],
    invalid: [],
    batches: 0,
    cursor,
    logger,
    reported,
  };
  try {
    for await (const batch of provider.sync({
      cursor,
      signal,
      logger,
      reporter,
    })) {
      run.batches += 1;
      for (const item of batch.records ?? []) {
        const parsed = itsmRecordInputSchema.safeParse(item);
        if (parsed.success) {
          run.records.push(parsed.data);
        } else {
          run.invalid.push({
            item,
            reason: describeValidationError(parsed.error),
            paths: parsed.error.issues.map(i => i.path.join('.')),
          });
        }
      }
      if (batch.cursor !== undefined) run.cursor = batch.cursor;
    }
  } catch (error) {
    run.error = error;
  }
  return run;
}
