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

import type {
  ItsmRecordKind,
  ItsmSyncStatus,
} from '@backstage-itsm/plugin-itsm-common';
import type { SyncRunObservations } from './ItsmStore';

/** What a run observed when nothing was reported. */
export const NO_RUN_OBSERVATIONS: SyncRunObservations = Object.freeze({
  requests: 0,
  retries: 0,
  waitMs: 0,
  lastRetryMessage: null,
  failedParts: [],
});

/** The sync status of a provider that has never run. */
export function neverRunSyncStatus(provider: {
  id: string;
  department: string;
  kinds: ReadonlyArray<ItsmRecordKind>;
}): ItsmSyncStatus {
  const { failedParts, ...observed } = NO_RUN_OBSERVATIONS;
  return {
    providerId: provider.id,
    department: provider.department,
    kinds: [...provider.kinds],
    hasCursor: false,
    lastStartedAt: null,
    lastSucceededAt: null,
    lastFinishedAt: null,
    lastError: null,
    failedParts: [...failedParts],
    lastRun: {
      read: 0,
      upserted: 0,
      unchanged: 0,
      deadLettered: 0,
      deleted: 0,
      ...observed,
    },
    totals: { records: 0, deadLetters: 0, tombstones: 0 },
  };
}
