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
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  itsmImprovementCreatePermission,
  itsmImprovementDeletePermission,
  itsmImprovementReadPermission,
  itsmImprovementUpdatePermission,
  itsmIngestPermission,
  itsmMetricsReadPermission,
  itsmRecordReadPermission,
  itsmReviewHoldPermission,
  itsmReviewUpdatePermission,
  itsmSyncReadPermission,
  itsmSyncTriggerPermission,
} from '@backstage-itsm/plugin-itsm-common';
import {
  ItsmMetric,
  itsmMetricsExtensionPoint,
  ItsmOwnershipSource,
  itsmOwnershipSourcesExtensionPoint,
  ItsmProvider,
  ItsmProviderRegistration,
  itsmProvidersExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import { DatabaseItsmStore } from './database/DatabaseItsmStore';
import { EntityResolver } from './ingestion/EntityResolver';
import { IngestionEngine } from './ingestion/IngestionEngine';
import { readIngestionOptions } from './ingestion/readIngestionOptions';
import {
  readPushBodyLimit,
  readPushProviders,
} from './ingestion/readPushProviders';
import { MetricsEngine } from './metrics/MetricsEngine';
import { OwnershipService } from './ownership/OwnershipService';
import {
  itsmRecordPermissionResourceRef,
  itsmRecordPermissionRules,
} from './permissions/rules';
import { createRouter } from './service/createRouter';
import { ImprovementService } from './improvements/ImprovementService';
import { DatabaseImprovementStore } from './improvements/DatabaseImprovementStore';
import {
  itsmImprovementPermissionResourceRef,
  itsmImprovementPermissionRules,
} from './permissions/improvementRules';
import { DatabaseReviewStore } from './reviews/DatabaseReviewStore';
import { ReviewService } from './reviews/ReviewService';

/** Permission rules judge stored fields only; progress is not part of them. */
const UNMEASURED = {
  records: [],
  hiddenRecordCount: 0,
  progress: {
    status: 'no_data' as const,
    baseline: null,
    current: null,
    n: 0,
    target: null,
    fraction: null,
    elapsed: null,
    window: null,
    weeks: [],
    overdue: false,
  },
};

/**
 * The ITSM backend plugin: stores ITSM records from every registered
 * provider, maps them to catalog entities, and serves them at `/api/itsm`.
 * @public
 */
export const itsmPlugin = createBackendPlugin({
  pluginId: 'itsm',
  register(env) {
    const registrations: Array<ItsmProvider | ItsmProviderRegistration> = [];
    env.registerExtensionPoint(itsmProvidersExtensionPoint, {
      addProvider(...providers) {
        registrations.push(...providers);
      },
    });
    const ownershipSources: ItsmOwnershipSource[] = [];
    env.registerExtensionPoint(itsmOwnershipSourcesExtensionPoint, {
      addOwnershipSource(...sources) {
        ownershipSources.push(...sources);
      },
    });
    const metrics: ItsmMetric[] = [];
    env.registerExtensionPoint(itsmMetricsExtensionPoint, {
      addMetric(...added) {
        metrics.push(...added);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        userInfo: coreServices.userInfo,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const { config, logger, database, scheduler, httpRouter } = deps;
        const store = await DatabaseItsmStore.create({ database });
        const improvementStore = new DatabaseImprovementStore(
          await database.getClient(),
        );
        const resolver = new EntityResolver(deps);
        const engine = new IngestionEngine({
          ...deps,
          ...readIngestionOptions(config),
          store,
          resolver,
        });
        engine.register(...registrations, ...readPushProviders(config));
        const pushBodyLimit = readPushBodyLimit(config);

        deps.permissionsRegistry.addResourceType({
          resourceRef: itsmRecordPermissionResourceRef,
          permissions: [itsmRecordReadPermission],
          rules: Object.values(itsmRecordPermissionRules),
          getResources: async ids =>
            Promise.all(ids.map(id => store.getRecord(id))),
        });
        deps.permissionsRegistry.addResourceType({
          resourceRef: itsmImprovementPermissionResourceRef,
          permissions: [
            itsmImprovementReadPermission,
            itsmImprovementUpdatePermission,
            itsmImprovementDeletePermission,
          ],
          rules: Object.values(itsmImprovementPermissionRules),
          getResources: async ids =>
            Promise.all(
              ids.map(async id => {
                const item = await improvementStore.get(id);
                return item && { ...item, ...UNMEASURED };
              }),
            ),
        });
        deps.permissionsRegistry.addPermissions([
          itsmSyncReadPermission,
          itsmSyncTriggerPermission,
          itsmIngestPermission,
          itsmMetricsReadPermission,
          itsmImprovementCreatePermission,
          itsmReviewHoldPermission,
          itsmReviewUpdatePermission,
        ]);

        await engine.start();
        const resolution = config.getOptionalConfig(
          'itsm.entityResolution.schedule',
        );
        await scheduler.scheduleTask({
          id: 'itsm-reresolve-entities',
          scope: 'global',
          ...(resolution
            ? readSchedulerServiceTaskScheduleDefinitionFromConfig(resolution)
            : {
                frequency: { minutes: 10 },
                timeout: { minutes: 10 },
                initialDelay: { seconds: 30 },
              }),
          fn: async () => {
            const changed = await resolver.reresolveAll(store);
            logger.info(
              `Re-resolved ITSM record entities: ${changed} records changed`,
            );
          },
        });

        const db = await database.getClient();
        const metricsEngine = new MetricsEngine({
          db,
          metrics,
          // Which annotations each source maps on, what it cannot measure.
          sources: engine.providers,
          logger,
        });
        const improvements = new ImprovementService({
          store: improvementStore,
          records: store,
          metrics: metricsEngine,
          catalog: deps.catalog,
          userInfo: deps.userInfo,
        });
        httpRouter.use(
          await createRouter({
            ...deps,
            store,
            engine,
            pushBodyLimit,
            metrics: metricsEngine,
            improvements,
            reviews: new ReviewService({
              store: new DatabaseReviewStore(db),
              records: store,
              metrics: metricsEngine,
              improvements,
              improvementStore,
              permissions: deps.permissions,
            }),
            ownership: new OwnershipService({
              ...deps,
              sources: ownershipSources,
            }),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
