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
import { readServiceNowConfigs } from './config';
import { ServiceNowClient } from './client';
import { ServiceNowOwnershipSource } from './ownership';
import { ServiceNowItsmProvider } from './provider';

/**
 * Registers, per `itsm.providers.servicenow.<id>` config block, an ITSM
 * provider `servicenow:<id>` (incidents, changes, problems and their SLAs)
 * and an ownership source serving the CMDB owner, support group and
 * criticality of an entity's configuration item.
 * @public
 */
export const itsmModuleServicenow = createBackendModule({
  pluginId: 'itsm',
  moduleId: 'servicenow',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        providers: itsmProvidersExtensionPoint,
        ownership: itsmOwnershipSourcesExtensionPoint,
      },
      async init({ config, logger, providers, ownership }) {
        for (const instance of readServiceNowConfigs(config)) {
          const client = new ServiceNowClient({
            instance: instance.id,
            baseUrl: instance.baseUrl,
            auth: instance.auth,
            timeoutMs: instance.timeoutSeconds * 1000,
            retryBudgetMs: instance.retryBudgetSeconds * 1000,
            maxRequestsPerSecond: instance.maxRequestsPerSecond,
            displayValue: instance.displayValue,
            configKey: instance.configKey,
          });
          const provider = new ServiceNowItsmProvider({
            id: instance.id,
            client,
            tables: instance.tables,
            query: instance.query,
            pageSize: instance.pageSize,
            overlapSeconds: instance.overlapSeconds,
            reconcileEveryMs: instance.reconcileEveryMs,
            choices: instance.choices,
            acknowledgedAtField: instance.acknowledgedAtField,
            configKey: instance.configKey,
          });
          // Without a schedule, the plugin's default one.
          providers.addProvider({ provider, schedule: instance.schedule });
          ownership.addOwnershipSource(
            new ServiceNowOwnershipSource({
              id: instance.id,
              client,
              cacheSeconds: instance.ownershipCacheSeconds,
            }),
          );
          logger.info(
            `Registered ITSM provider ${
              instance.id
            } reading ${instance.tables.join(', ')} from ${instance.baseUrl} (${
              instance.auth.type
            } auth)`,
          );
        }
      },
    });
  },
});
