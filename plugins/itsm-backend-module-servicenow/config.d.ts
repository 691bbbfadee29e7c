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

/** Choice values of one table field: ServiceNow value (code) -> normalised value. */
type ChoiceMap = { [value: string]: string | number };

export interface Config {
  itsm?: {
    providers?: {
      /**
       * ServiceNow instances, keyed by id: each becomes the ITSM provider
       * `servicenow:<id>` (incidents, changes, problems and their task SLAs,
       * department `it`) and an ownership source (CMDB owner, support group
       * and criticality of an entity's configuration item). The id is part
       * of every record's key: do not rename it once records were loaded.
       */
      servicenow?: {
        [id: string]: {
          /**
           * The instance's base URL, e.g. `https://example.service-now.com`.
           * Required. It may not carry a user name or password (put them in
           * `auth`): a URL is named in logs and errors, credentials never are.
           */
          baseUrl: string;
          /**
           * How to authenticate. Required. `basic` with an integration user,
           * or `oauth` with an OAuth application registry entry: client
           * credentials grant, or the password grant when `username` and
           * `password` are given. Tokens come from `<baseUrl>/oauth_token.do`.
           */
          auth:
            | {
                type: 'basic';
                username: string;
                /** @visibility secret */
                password: string;
              }
            | {
                type: 'oauth';
                clientId: string;
                /** @visibility secret */
                clientSecret: string;
                /** For the password grant, together with password. */
                username?: string;
                /**
                 * For the password grant, together with username.
                 * @visibility secret
                 */
                password?: string;
              };
          /**
           * When to sync. Defaults to the ITSM plugin's provider schedule
           * (every 30 minutes, timeout 15 minutes).
           */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
          /**
           * Tables to sync. Defaults to all: incident, change_request,
           * problem and task_sla. Without task_sla, records carry no SLAs.
           */
          tables?: Array<
            'incident' | 'change_request' | 'problem' | 'task_sla'
          >;
          /**
           * An extra encoded query per table, ANDed to the provider's own
           * (e.g. `assignment_group.nameSTARTSWITHPayments`). Its field names
           * are checked against the table each run. It may not start with
           * `NQ`, `EQ` or `^EQ`, nor contain `^NQ` or `^EQ`: each would end
           * the provider's own conditions and read rows outside them. No
           * `ORDERBY` either.
           */
          query?: {
            incident?: string;
            change_request?: string;
            problem?: string;
            task_sla?: string;
          };
          /** Rows per Table API page (`sysparm_limit`), 2 to 10000. Defaults to 500. */
          pageSize?: number;
          /**
           * How far before its cursor each run reads again, in seconds, to
           * catch rows committed late with an earlier `sys_updated_on` (and
           * clock skew). Defaults to 120.
           */
          overlapSeconds?: number;
          /**
           * `sysparm_display_value`: `false` (default) reads raw values;
           * `all` also reads display values, which gives assignment group
           * and assignee names without dot-walking. `true` is refused: its
           * date-times are in the integration user's time zone.
           */
          displayValue?: boolean | 'false' | 'all';
          /**
           * Choice values of this instance that differ from the out-of-box
           * lists, per table and field: ServiceNow value -> normalised value.
           * state: new, in_progress, on_hold, resolved, closed, cancelled;
           * priority: 1..5 or none; change_request type: standard, normal,
           * emergency; change_request close_code: successful,
           * successful_with_issues, failed, cancelled; task_sla stage:
           * in_progress, paused, completed, breached, cancelled; task_sla
           * target (of the SLA definition): response, resolution. A value
           * no list maps sends its record to the dead letters.
           */
          choices?: {
            incident?: { state?: ChoiceMap; priority?: ChoiceMap };
            change_request?: {
              state?: ChoiceMap;
              priority?: ChoiceMap;
              type?: ChoiceMap;
              close_code?: ChoiceMap;
            };
            problem?: { state?: ChoiceMap; priority?: ChoiceMap };
            task_sla?: { stage?: ChoiceMap; target?: ChoiceMap };
          };
          /** Seconds before a request counts as timed out (retried). Defaults to 30. */
          timeoutSeconds?: number;
          /**
           * Seconds one request may spend retrying 429s, 5xx, timeouts and
           * dropped connections, waits included (a 429's `Retry-After` is
           * honoured). After that the run fails as retryable and the ITSM
           * plugin resumes it from its last committed batch. 0 to 86400;
           * defaults to 300.
           */
          retryBudgetSeconds?: number;
          /**
           * Requests per second to the instance, all tables together; 0
           * for no limit. ServiceNow's rate limit rules count per user per
           * hour and are set by the instance's admin: with one in place, set
           * this to at most its hourly limit / 3600 (e.g. 1.3 for 5,000 an
           * hour) so that a sync never runs into it. Defaults to 10, which
           * keeps bursts off the instance without slowing a sync.
           */
          maxRequestsPerSecond?: number;
          /**
           * How often the ids of each task table are listed and compared
           * with the stored records to find those deleted at the source,
           * when the integration user may not read `sys_audit_delete`. A
           * duration: `{ hours: 24 }`, `24h` or `P1D`. Defaults to once a day.
           */
          reconcileEvery?:
            | {
                years?: number;
                months?: number;
                weeks?: number;
                days?: number;
                hours?: number;
                minutes?: number;
                seconds?: number;
                milliseconds?: number;
              }
            | string;
          /**
           * The incident field that holds when it was acknowledged, e.g.
           * `u_acknowledged_at`. ServiceNow has none out of the box, so by
           * default incidents have no acknowledgedAt (and no MTTA).
           */
          acknowledgedAtField?: string;
          /** Seconds the ownership facts of a CI are cached. Defaults to 300; 0 disables. */
          ownershipCacheSeconds?: number;
        };
      };
    };
  };
}
