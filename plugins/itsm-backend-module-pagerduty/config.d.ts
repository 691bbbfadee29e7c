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

import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  itsm?: {
    providers?: {
      /**
       * PagerDuty accounts, keyed by id: each becomes the ITSM provider and
       * ownership source `pagerduty:<id>`, department `it`.
       */
      pagerduty?: {
        [id: string]: {
          /**
           * A PagerDuty REST API key (a read-only key is enough), sent as
           * `Authorization: Token token=<token>`. Required.
           * @visibility secret
           */
          token: string;
          /**
           * The REST API base URL. Defaults to `https://api.pagerduty.com`
           * (EU accounts use the same host; tests point it at a mock).
           */
          baseUrl?: string;
          /**
           * When to sync. Defaults to the ITSM plugin's provider schedule
           * (every 30 minutes, timeout 15 minutes).
           */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
          /**
           * Start of history on the first run, an ISO 8601 instant with a
           * zone, e.g. `2025-01-01T00:00:00Z`. Defaults to 365 days before
           * the first run. Later runs continue from their cursor.
           */
          since?: string;
          /**
           * Results per request (`limit`), 1 to 100. Defaults to 100.
           */
          pageSize?: number;
          /**
           * Seconds one request may take, body included, before it fails as
           * retryable. Defaults to 30. Ownership look-ups use at most 10.
           */
          timeoutSeconds?: number;
          /**
           * Seconds each incremental run reaches back before its watermarks,
           * to catch entries PagerDuty writes late. Defaults to 120.
           */
          overlapSeconds?: number;
          /**
           * Incidents whose details (log entries, related change events)
           * are read at once, 1 to 16. Defaults to 4.
           */
          concurrency?: number;
          /**
           * Only read these PagerDuty services (incidents, change events and
           * ownership). Defaults to every service the token can see.
           */
          serviceIds?: string[];
          /**
           * How incidents are linked to the change that caused them, from
           * `GET /incidents/{id}/related_change_events`.
           */
          causedByChange?: {
            /**
             * Look up related change events for incidents of this priority
             * or more urgent (1..5; 0 turns the look-up off). Defaults to 2.
             */
            maxPriority?: number;
            /**
             * The correlation reasons that make a related change the cause.
             * Defaults to `['cause']`. PagerDuty documents `most_recent`,
             * `related_service` and `intelligent`, which say "related", not
             * "caused": add `intelligent` to trust PagerDuty's change
             * correlation.
             */
            reasons?: string[];
          };
        };
      };
    };
  };
}
