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

import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  itsm?: {
    providers?: {
      /**
       * Providers fed only through the push API, `POST /api/itsm/ingest/push:<id>`,
       * by tools that cannot be polled. Callers must be services (a Backstage
       * service token or a static external-access token) allowed `itsm.ingest`.
       */
      push?: {
        [providerId: string]: {
          /** The service desk that owns the records. Default `it`. */
          department?: string;
          /** Record kinds accepted. Default all: incident, change, problem, request. */
          kinds?: Array<'incident' | 'change' | 'problem' | 'request'>;
          /**
           * The catalog annotations the pushed records' mappings name, e.g.
           * `servicenow.com/ci-sysid`. An entity bearing one of them is
           * covered by this provider before any record maps to it: its
           * counts are 0, not unknown. Default none.
           */
          mapsOnAnnotations?: string[];
        };
      };
    };
    ingestion?: {
      /**
       * How long a sync run may go without committing a batch while it
       * retries transient failures (429, 5xx, timeouts, dropped connections)
       * before it fails. Every committed batch starts the budget again, so a
       * long sync through rate limits and outages finishes as long as it makes
       * progress; an error that is not transient fails the run at once.
       * A duration (`{ minutes: 5 }`, `5m`, `PT5M`) or milliseconds.
       * Default 5 minutes.
       */
      retryBudget?: HumanDuration | string | number;
      /**
       * The largest JSON body one push may carry
       * (`POST /api/itsm/ingest/push:<id>`): bytes, or a size such as `10mb`
       * or `512kb` (units of 1024). A larger body is refused with 413 before
       * it is read. Every other route accepts at most 256 kB. Default 10 MB.
       */
      pushBodyLimit?: string | number;
    };
    entityResolution?: {
      /**
       * When records are mapped again to catalog entities, so that changes in
       * the catalog's annotations and owners reach stored records. Default
       * every 10 minutes, first after 30 seconds.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
  };
}
