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

import type {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type express from 'express';
import type { ItsmStore } from '../database/ItsmStore';
import type { IngestionEngine } from '../ingestion/IngestionEngine';
import { DEFAULT_PUSH_BODY_LIMIT } from '../ingestion/readPushProviders';
import { bindMetricsRoutes } from '../metrics/metricsRouter';
import type { MetricsEngine } from '../metrics/MetricsEngine';
import type { OwnershipService } from '../ownership/OwnershipService';
import { bindImprovementRoutes } from '../improvements/improvementsRouter';
import type { ImprovementService } from '../improvements/ImprovementService';
import { bindReviewRoutes } from '../reviews/reviewsRouter';
import type { ReviewService } from '../reviews/ReviewService';
import { createOpenApiRouter } from '../schema/openapi/generated/router';
import { bindGetOwnership } from './endpoints/getOwnership';
import { bindGetRecord } from './endpoints/getRecord';
import { bindIngestRecords } from './endpoints/ingestRecords';
import { bindListDeadLetters } from './endpoints/listDeadLetters';
import { bindListRecords } from './endpoints/listRecords';
import { bindListSyncStatus } from './endpoints/listSyncStatus';
import { bindTriggerSync } from './endpoints/triggerSync';
import type { EndpointContext } from './endpoints/types';
import { ItsmAuthorizer } from './ItsmAuthorizer';
import { bindItsmRoute } from './itsmRoute';
import { jsonBodies } from './jsonBodies';

export interface RouterOptions {
  store: ItsmStore;
  engine: IngestionEngine;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  auditor: AuditorService;
  catalog: CatalogService;
  logger: LoggerService;
  /** Serves GET /metrics when given. */
  metrics?: MetricsEngine;
  /** Serves GET /ownership when given. */
  ownership?: OwnershipService;
  /** Serves /improvements and /reviews when given (with `metrics`). */
  improvements?: ImprovementService;
  reviews?: ReviewService;
  /** Default Date.now. */
  clock?: () => number;
  /**
   * The largest JSON body of `POST /ingest/:providerId`, in bytes
   * (`itsm.ingestion.pushBodyLimit`). Default 10 MB.
   */
  pushBodyLimit?: number;
}

/**
 * The HTTP API of the itsm plugin (`/api/itsm`): the router generated from
 * `src/schema/openapi.yaml`, one endpoint per file in `./endpoints` (and
 * the metrics, improvements and reviews routes of their areas).
 *
 * Inputs are validated once, by the shared zod schemas of itsm-common in
 * each handler, so a 400 names the field as the frontend's own checks do;
 * the spec documents the same rules, and the router tests validate every
 * response against it.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { pushBodyLimit = DEFAULT_PUSH_BODY_LIMIT } = options;
  const context: EndpointContext = {
    store: options.store,
    engine: options.engine,
    httpAuth: options.httpAuth,
    auditor: options.auditor,
    catalog: options.catalog,
    authorizer: new ItsmAuthorizer(options),
  };

  const router: express.Router = await createOpenApiRouter({
    // Bodies are parsed after the generated router's middleware, whose error
    // handler would turn a 413 into a 400, and with each route's own limit.
    middleware: [(_req, _res, next) => next()],
    validatorOptions: { validateRequests: false },
  });
  router.use(jsonBodies(pushBodyLimit));

  bindItsmRoute(router, 'get', '/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  bindListRecords(router, context);
  bindGetRecord(router, context);
  bindListSyncStatus(router, context);
  bindListDeadLetters(router, context);
  bindTriggerSync(router, context);
  bindIngestRecords(router, context);
  if (options.ownership) {
    bindGetOwnership(router, { ...context, ownership: options.ownership });
  }

  if (options.metrics) {
    const { catalog, store, authorizer, auditor } = context;
    bindMetricsRoutes(router, {
      engine: options.metrics,
      catalog,
      store,
      authorizer,
    });
    if (options.improvements) {
      const improvementRoutes = {
        improvements: options.improvements,
        metrics: options.metrics,
        catalog,
        store,
        authorizer,
        auditor,
        clock: options.clock,
      };
      bindImprovementRoutes(router, improvementRoutes);
      if (options.reviews) {
        bindReviewRoutes(router, {
          ...improvementRoutes,
          reviews: options.reviews,
        });
      }
    }
  }

  return router;
}
