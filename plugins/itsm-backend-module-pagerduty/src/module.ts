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

import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  itsmOwnershipSourcesExtensionPoint,
  itsmProvidersExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import { PagerDutyClient } from './client';
import { readPagerDutyConfigs } from './config';
import { PagerDutyOwnershipSource } from './ownership';
import { PagerDutyItsmProvider } from './provider';

/**
 * Registers, per `itsm.providers.pagerduty.<id>` config block, an ITSM
 * provider `pagerduty:<id>` (incidents with their log entries, change
 * events) and an ownership source of the same id (on-call, escalation).
 * @public
 */
export const itsmModulePagerduty = createBackendModule({
  pluginId: 'itsm',
  moduleId: 'pagerduty',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        providers: itsmProvidersExtensionPoint,
        ownership: itsmOwnershipSourcesExtensionPoint,
      },
      async init({ config, logger, providers, ownership }) {
        for (const account of readPagerDutyConfigs(config)) {
          // One client per account, so the sync and the ownership card share
          // PagerDuty's rate limit (per API key) and its 429 pauses.
          const client = new PagerDutyClient({
            accountId: account.id,
            configPath: account.configPath,
            baseUrl: account.baseUrl,
            token: account.token,
            timeoutMs: account.timeoutMs,
            retryBudgetMs: account.retryBudgetMs,
            maxRequestsPerSecond: account.maxRequestsPerSecond,
          });
          const provider = new PagerDutyItsmProvider({
            id: account.id,
            client,
            since: account.since,
            pageSize: account.pageSize,
            overlapMs: account.overlapMs,
            concurrency: account.concurrency,
            serviceIds: account.serviceIds,
            causedByChange: account.causedByChange,
            urgencyPriority: account.urgencyPriority,
            rereadResolved: account.rereadResolved,
          });
          // Without a schedule, the plugin's default one.
          providers.addProvider({ provider, schedule: account.schedule });
          ownership.addOwnershipSource(
            new PagerDutyOwnershipSource({
              id: account.id,
              client,
              // The ownership card waits: 10 s a request at most, retries included.
              deadlineMs: Math.min(account.timeoutMs, 10_000),
              serviceIds: account.serviceIds,
            }),
          );
          logger.info(
            `Registered ITSM provider and ownership source ${
              account.id
            } reading ${account.baseUrl}${
              account.serviceIds
                ? ` (services ${account.serviceIds.join(', ')})`
                : ''
            }`,
          );
        }
      },
    });
  },
});
