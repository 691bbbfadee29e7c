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
import {
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  itsmDeadLettersQuerySchema,
  itsmIngestPermission,
  itsmOwnershipQuerySchema,
  itsmRecordsQuerySchema,
  itsmSyncReadPermission,
  itsmSyncTriggerPermission,
} from '@backstage-itsm/plugin-itsm-common';
import express, { NextFunction, Request, RequestHandler } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseEntityRefInput, parseInput } from './validation';
import { neverRunSyncStatus } from '../database/syncStatus';
import type { ItsmStore, RecordFilter } from '../database/ItsmStore';
import type { IngestionEngine } from '../ingestion/IngestionEngine';
import { DEFAULT_PUSH_BODY_LIMIT } from '../ingestion/readPushProviders';
import { bindMetricsRoutes } from '../metrics/metricsRouter';
import type { MetricsEngine } from '../metrics/MetricsEngine';
import type { OwnershipService } from '../ownership/OwnershipService';
import { bindImprovementRoutes } from '../improvements/improvementsRouter';
import type { ImprovementService } from '../improvements/ImprovementService';
import { bindReviewRoutes } from '../reviews/reviewsRouter';
import type { ReviewService } from '../reviews/ReviewService';
import { ItsmAuthorizer } from './ItsmAuthorizer';

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

/** Most items one push may carry. */
export const MAX_INGEST_ITEMS = 5000;

/**
 * The largest JSON body of every route but `/ingest`: 256 kB. The largest
 * valid body, a review's decisions of 50,000 characters, fits in UTF-8.
 */
export const BODY_LIMIT = 256 * 1024;

/** A request body larger than its route accepts (413). */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  statusCode = 413;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  }
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} kB` : `${bytes} bytes`;
}

/**
 * Parses JSON bodies with the limit of the route: `pushBodyLimit` for
 * `/ingest`, BODY_LIMIT everywhere else. A body over the limit is a 413
 * naming it (Content-Length is checked before anything is read), malformed
 * JSON a 400; the parser's own errors never reach the caller as they are.
 */
function jsonBodies(pushBodyLimit: number): RequestHandler {
  const small = express.json({ limit: BODY_LIMIT });
  const push = express.json({ limit: pushBodyLimit });
  return (req, res, next: NextFunction) => {
    const isPush = req.path.startsWith('/ingest/');
    (isPush ? push : small)(req, res, (error?: unknown) => {
      if (!error) {
        next();
        return;
      }
      const { type } = error as { type?: string };
      if (type === 'entity.too.large') {
        const limit = formatBytes(isPush ? pushBodyLimit : BODY_LIMIT);
        next(
          new PayloadTooLargeError(
            isPush
              ? `Request body too large: a push accepts at most ${limit} (itsm.ingestion.pushBodyLimit); send the items in several requests`
              : `Request body too large: ${req.method} ${req.baseUrl}${req.path} accepts at most ${limit}`,
          ),
        );
      } else if (type === 'entity.parse.failed') {
        next(
          new InputError(
            `Invalid body: not JSON (${(error as Error).message})`,
          ),
        );
      } else {
        next(error);
      }
    });
  };
}

const ingestBodySchema = z
  .object({
    records: z.array(z.unknown()).optional(),
    feedback: z.array(z.unknown()).optional(),
  })
  .strict()
  .refine(
    b =>
      (b.records?.length ?? 0) + (b.feedback?.length ?? 0) <= MAX_INGEST_ITEMS,
    {
      path: ['records'],
      message: `at most ${MAX_INGEST_ITEMS} items per request`,
    },
  );

/** The HTTP API of the itsm plugin (`/api/itsm`); see `src/schema/openapi.yaml`. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    store,
    engine,
    httpAuth,
    permissions,
    permissionsRegistry,
    auditor,
    catalog,
    pushBodyLimit = DEFAULT_PUSH_BODY_LIMIT,
  } = options;
  const authorizer = new ItsmAuthorizer({
    httpAuth,
    permissions,
    permissionsRegistry,
  });

  /** The caller's read filter: undefined for all records; throws on a plain deny. */
  async function readFilter(req: Request): Promise<RecordFilter | undefined> {
    return authorizer.recordReadFilter(await authorizer.credentials(req));
  }

  /** Normalises entity refs and checks they exist in the catalog (404 otherwise). */
  async function checkEntities(
    req: Request,
    refs: string[],
  ): Promise<string[]> {
    const normalised = refs.map(ref => parseEntityRefInput(ref, 'entityRef'));
    const credentials = await httpAuth.credentials(req);
    const { items } = await catalog.getEntitiesByRefs(
      {
        entityRefs: normalised,
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    );
    const missing = normalised.filter((_, i) => !items[i]);
    if (missing.length > 0) {
      throw new NotFoundError(
        `No entity found with ref ${missing.map(r => `'${r}'`).join(', ')}`,
      );
    }
    return normalised;
  }

  const router = Router();
  router.use(jsonBodies(pushBodyLimit));

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/records', async (req, res) => {
    const query = parseInput(itsmRecordsQuerySchema, req.query, 'query');
    const filter = await readFilter(req);
    const entityRefs = query.entityRef
      ? await checkEntities(req, query.entityRef)
      : undefined;
    const page = await store.listRecords({
      entityRefs,
      kinds: query.kind,
      states: query.state,
      priorities: query.priority,
      providerIds: query.providerId,
      from: query.from,
      to: query.to,
      q: query.q,
      limit: query.limit,
      cursor: query.cursor,
      order: query.order,
      filter,
    });
    res.json(page);
  });

  router.get('/records/:id', async (req, res) => {
    const filter = await readFilter(req);
    const record = await store.getRecord(req.params.id, filter);
    if (!record) {
      throw new NotFoundError(
        `No ITSM record found with id '${req.params.id}'`,
      );
    }
    res.json(record);
  });

  /** Sync status and dead letters are for operators: `itsm.sync.read`. */
  async function requireSyncRead(req: Request): Promise<void> {
    await authorizer.require(
      await authorizer.credentials(req),
      itsmSyncReadPermission,
      'You are not allowed to read the sync status',
    );
  }

  router.get('/sync', async (req, res) => {
    await requireSyncRead(req);
    const statuses = await store.listSyncStatus();
    const byId = new Map(statuses.map(s => [s.providerId, s]));
    const items = engine.providers.map(
      p => byId.get(p.id) ?? neverRunSyncStatus(p),
    );
    res.json({ items });
  });

  router.get('/sync/:providerId/dead-letters', async (req, res) => {
    await requireSyncRead(req);
    engine.getProvider(req.params.providerId);
    const { limit } = parseInput(
      itsmDeadLettersQuerySchema,
      req.query,
      'query',
    );
    // Dead letters hold raw source payloads: only those who may read every record see them.
    const filter = await readFilter(req);
    if (filter) {
      throw new NotAllowedError(
        'Reading dead letters needs unconditional itsm.record.read',
      );
    }
    res.json({
      items: await store.listDeadLetters({
        providerId: req.params.providerId,
        limit,
      }),
    });
  });

  router.post('/sync/:providerId', async (req, res) => {
    const { providerId } = req.params;
    const auditorEvent = await auditor.createEvent({
      eventId: 'sync-trigger',
      severityLevel: 'medium',
      request: req,
      meta: { providerId },
    });
    try {
      await authorizer.require(
        await httpAuth.credentials(req),
        itsmSyncTriggerPermission,
        `You are not allowed to trigger a sync of '${providerId}'`,
      );
      await engine.trigger(providerId);
      await auditorEvent.success();
      res.status(202).json({ providerId, status: 'triggered' });
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.post('/ingest/:providerId', async (req, res) => {
    const { providerId } = req.params;
    const auditorEvent = await auditor.createEvent({
      eventId: 'ingest',
      severityLevel: 'medium',
      request: req,
      meta: { providerId },
    });
    try {
      await authorizer.require(
        await httpAuth.credentials(req, { allow: ['service'] }),
        itsmIngestPermission,
        `You are not allowed to push records to '${providerId}'`,
      );
      engine.getPushProvider(providerId);
      const body = parseInput(ingestBodySchema, req.body ?? {}, 'body');
      const result = await engine.ingest(providerId, body);
      await auditorEvent.success({ meta: { ...result } });
      res.json(result);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  if (options.ownership) {
    const ownership = options.ownership;
    router.get('/ownership', async (req, res) => {
      const { entityRef } = parseInput(
        itsmOwnershipQuerySchema,
        req.query,
        'query',
      );
      const [ref] = await checkEntities(req, [entityRef]);
      const credentials = await httpAuth.credentials(req);
      res.json(await ownership.getOwnership(ref, credentials));
    });
  }

  if (options.metrics) {
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
