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

import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  isItsmPartUnavailableStatus,
  ItsmSyncReporter,
} from '@backstage-itsm/plugin-itsm-node';
import { PagerDutyRequestError } from '../client';

/** The endpoints a run reads, as named in the sync status when one fails. */
export const PAGERDUTY_PARTS = {
  updates: '/log_entries',
  incidents: '/incidents',
  changes: '/change_events',
  reread: '/incidents?statuses[]=resolved',
  causes: '/incidents/{id}/related_change_events',
} as const;

/** What every request of one run carries. */
export interface PagerDutyRun {
  signal: AbortSignal;
  reporter: ItsmSyncReporter;
  logger: LoggerService;
  /** Set once related change events turned out unreadable for this key. */
  causes: { unavailable: boolean };
}

/**
 * Whether an error means an endpoint is not there for this API key, for good:
 * a 403 (a scoped key without it), 400 or 404. A 401 is the key itself,
 * which no endpoint will take.
 */
export function isPartUnavailable(
  error: unknown,
): error is PagerDutyRequestError {
  return (
    error instanceof PagerDutyRequestError &&
    error.status !== 401 &&
    isItsmPartUnavailableStatus(error.status)
  );
}
