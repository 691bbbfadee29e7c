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

import type { ItsmMappedSourceConfig } from '@backstage-itsm/plugin-itsm-mapping-node';

export interface Config {
  itsm?: {
    facilities?: {
      /**
       * Facilities work order sources, keyed by id: each reads a CSV export
       * or a REST API of a CAFM or IWMS tool (Planon, Archibus, TRIRIGA,
       * ...) and becomes the ITSM provider `facilities:<id>` (department
       * `facilities`, kind `request`). Categories: building_access, hvac,
       * cleaning, meeting_rooms, desk_moves. Map the promised completion
       * time to `dueAt` for the on-time completion metric. See the module's
       * README.
       *
       * A REST source retries each request for `rest.retryBudget` (default
       * 5 minutes) and may be held to `rest.maxRequestsPerSecond`; the
       * `rest.maxAttempts` of older versions is no longer read, and setting
       * it stops the backend with an error naming `rest.retryBudget`. A CSV
       * source with `csv.fullExport: true` deletes the work orders a changed
       * export no longer holds (see the README's "Deleted work orders").
       */
      sources?: {
        [id: string]: ItsmMappedSourceConfig;
      };
    };
  };
}
