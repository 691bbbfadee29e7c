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

/** A duration as an object, e.g. `{ days: 7 }`. */
interface PagerDutyConfigDuration {
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
}

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
           * Seconds one attempt of a request may take, body included, before
           * it is tried again. Defaults to 30. Ownership look-ups take at
           * most 10 seconds in all.
           */
          timeoutSeconds?: number;
          /**
           * Seconds one request may keep retrying 429s (after PagerDuty's
           * `Retry-After` or `ratelimit-reset`), 5xx (exponential backoff
           * with full jitter), timeouts and dropped connections, waits
           * included, before the run stops; the next run resumes from its
           * last committed batch. 1 to 86400. Defaults to 300.
           */
          retryBudgetSeconds?: number;
          /**
           * Requests a second this account sends at most, sync and ownership
           * look-ups together. PagerDuty allows 960 REST API requests a
           * minute per API key, 16 a second: the default. Lower it when
           * other tools use the same key. Above 0, at most 1000.
           */
          maxRequestsPerSecond?: number;
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
           * PagerDuty's change correlation
           * (`GET /incidents/{id}/related_change_events`). A change linked
           * to an incident counts as failed in the change failure rate, the
           * only way a PagerDuty change can fail (PagerDuty does not know
           * whether a change succeeded). The link is a heuristic: PagerDuty
           * relates a change by time, service or machine learning, it does
           * not know the cause. The metrics say so beside the change failure
           * rate.
           */
          causedByChange?: {
            /**
             * Look up related change events for incidents of this PagerDuty
             * priority or more urgent (1..5), and for high-urgency incidents
             * without a priority (accounts without priorities); 0 turns the
             * look-up off, and the change failure rate of PagerDuty changes
             * is then unknown. Defaults to 2.
             */
            maxPriority?: number;
            /**
             * The correlation reasons that link a related change as the
             * cause, in order of preference (the first listed reason any
             * related change has wins). PagerDuty documents three, the
             * default, in this order: `intelligent` (machine learning),
             * `most_recent` (the latest change on the incident's service)
             * and `related_service` (a change on a service it depends on).
             * Anything else is refused at start; `[]` links nothing.
             */
            reasons?: string[];
          };
          /**
           * The priority given to incidents without a PagerDuty priority
           * (accounts without priorities, or a priority not named `P1`..`P5`
           * or `SEV1`..`SEV5`), by their urgency: a priority from 1 to 5, or
           * `none` to leave it empty. Defaults to `{ high: 3, low: 4 }`.
           *
           * Urgency is a notification setting (page someone now, or in
           * working hours), not impact. Availability and MTBF count
           * incidents at or above the entity's outage threshold as outages
           * (P1 and P2 unless the annotation
           * `backstage-itsm.io/outage-priority-threshold` says otherwise), so
           * mapping high urgency to 1 or 2 would turn every page into an
           * outage. With the default a page without a priority is not an
           * outage; `none` keeps such incidents out of every priority-based
           * figure. The metrics show the mapping beside availability.
           */
          urgencyPriority?: {
            /** Defaults to 3. */
            high?: number | 'none';
            /** Defaults to 4. */
            low?: number | 'none';
          };
          /**
           * Edits in PagerDuty that leave no log entry (a title, a priority
           * or a field changed on a resolved incident) are not seen by the
           * incremental read. Every `every`, the sync reads again the
           * incidents resolved within `within` before it
           * (`GET /incidents?date_range=all&statuses[]=resolved&sort_by=resolved_at:desc`).
           * Durations as `6h`, `P7D` or `{ days: 7 }`.
           */
          rereadResolved?: {
            /** How often. Defaults to 6 hours. */
            every?: string | PagerDutyConfigDuration;
            /** Which: the incidents resolved this long before. Defaults to 7 days. */
            within?: string | PagerDutyConfigDuration;
          };
        };
      };
    };
  };
}
