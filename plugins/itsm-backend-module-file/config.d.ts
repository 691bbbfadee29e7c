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
       * File providers, keyed by id: each reads the JSON, NDJSON and CSV
       * files of one folder and becomes the ITSM provider `file:<id>`.
       */
      file?: {
        [id: string]: {
          /**
           * The folder to read (not its subfolders). A relative path resolves
           * against the backend's working directory (`packages/backend` under
           * `yarn start`). Required.
           */
          path: string;
          /**
           * The service desk that owns the records: a lower-case id such as
           * `it`, `hr` or `facilities`. Defaults to `it`.
           */
          department?: string;
          /**
           * The record kinds the files hold. It declares, it does not filter.
           * Defaults to all of them: incident, change, problem, request.
           */
          kinds?: Array<'incident' | 'change' | 'problem' | 'request'>;
          /**
           * Whether the folder always holds every record of the source (a
           * snapshot), not only what changed. When true, a stored record
           * that a complete read of the changed folder no longer finds was
           * deleted at the source: it becomes a tombstone, kept for audit,
           * never shown or counted. A read with an item that cannot be
           * parsed deletes nothing. Defaults to false: records of files that
           * were removed, or rows left out, are kept.
           */
          fullExport?: boolean;
          /**
           * The catalog annotations the files' mappings name, e.g.
           * `servicenow.com/ci-sysid`. An entity bearing one of them is
           * covered by this provider before any record maps to it: its
           * counts are 0, not unknown. Defaults to none (an entity is then
           * covered once a record maps to it).
           */
          mapsOnAnnotations?: string[];
          /**
           * When to read the folder. Defaults to the ITSM plugin's provider
           * schedule (every 30 minutes, timeout 15 minutes).
           */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        };
      };
    };
  };
}
