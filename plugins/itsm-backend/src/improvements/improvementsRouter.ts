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
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  itsmImprovementCreatePermission,
  itsmImprovementCreateSchema,
  itsmImprovementDeletePermission,
  itsmImprovementsQuerySchema,
  itsmImprovementUpdatePermission,
  itsmImprovementUpdateSchema,
} from '@backstage-itsm/plugin-itsm-common';
import type { Request, Router } from 'express';
import { DateTime } from 'luxon';
import type { ItsmStore, RecordFilter } from '../database/ItsmStore';
import type { MetricsEngine } from '../metrics/MetricsEngine';
import type { ItsmAuthorizer } from '../service/ItsmAuthorizer';
import { bindItsmRoute, parseItsmQuery } from '../service/itsmRoute';
import { parseInput } from '../service/validation';
import {
  ImprovementCaller,
  ImprovementService,
  OwnerChoice,
} from './ImprovementService';
import { MetricProbe } from './MetricProbe';

/** The most metrics one request measures for the progress of its improvements. */
export const MAX_PROGRESS_MEASUREMENTS = 60;

export interface ImprovementRouteOptions {
  improvements: ImprovementService;
  metrics: MetricsEngine;
  catalog: CatalogService;
  store: ItsmStore;
  authorizer: ItsmAuthorizer;
  auditor: AuditorService;
  clock?: () => number;
}

/** The user or service a change is attributed to in the history. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.userEntityRef) {
    return principal.userEntityRef;
  }
  return principal.subject ? `service:${principal.subject}` : 'unknown';
}

/** The caller of an improvement or review route, with their filters. */
export async function improvementCaller(
  req: Request,
  options: Pick<
    ImprovementRouteOptions,
    'authorizer' | 'metrics' | 'catalog' | 'clock'
  >,
): Promise<ImprovementCaller & { metricsFilter: RecordFilter | undefined }> {
  const { authorizer } = options;
  const credentials = await authorizer.credentials(req);
  const [recordFilter, metricsFilter] = await Promise.all([
    authorizer.recordReadFilter(credentials),
    authorizer.metricsFilter(credentials),
  ]);
  return {
    credentials,
    actor: actorOf(credentials),
    recordFilter,
    metricsFilter,
    probe: new MetricProbe({
      metrics: options.metrics,
      catalog: options.catalog,
      credentials,
      filter: metricsFilter,
      now: (options.clock ?? Date.now)(),
      budget: MAX_PROGRESS_MEASUREMENTS,
    }),
  };
}

/**
 * An improvement administrator is a caller the policy allows
 * `itsm.improvement.update` without conditions (as unconditional
 * `itsm.record.read` makes a dead-letter reader); they may name any owner.
 */
async function ownerChoice(
  authorizer: ItsmAuthorizer,
  credentials: BackstageCredentials,
): Promise<OwnerChoice> {
  try {
    const filter = await authorizer.improvementFilter(
      credentials,
      itsmImprovementUpdatePermission,
    );
    return { admin: filter === undefined };
  } catch (error) {
    if (error instanceof NotAllowedError) {
      return { admin: false };
    }
    throw error;
  }
}

/**
 * `GET|POST /improvements`, `GET|PATCH|DELETE /improvements/:id`: the
 * continual-improvement register (DESIGN.md section 9).
 */
export function bindImprovementRoutes(
  router: Router,
  options: ImprovementRouteOptions,
): void {
  const { improvements, authorizer, auditor } = options;

  bindItsmRoute(router, 'get', '/improvements', async (req, res) => {
    const query = parseItsmQuery(itsmImprovementsQuerySchema, req);
    const caller = await improvementCaller(req, options);
    const filter = await authorizer.improvementFilter(caller.credentials);
    const today = DateTime.fromMillis(caller.probe.now, {
      zone: 'utc',
    }).toISODate()!;
    const entityRefs = query.entityRef
      ? [(await caller.probe.scope(query.entityRef)).entityRef]
      : undefined;
    // A group's or user's improvements: about what it owns (the catalog's
    // ownerOf relations, as the caller sees them) or owned by it.
    const ownedBy = query.ownedBy
      ? await caller.probe.scope(query.ownedBy).then(scope => ({
          entityRefs: scope.entityRefs,
          ownerRefs: [scope.entityRef],
        }))
      : undefined;
    // Each page measures the progress of its items: at most
    // ITSM_MAX_IMPROVEMENTS_PAGE items and MAX_PROGRESS_MEASUREMENTS measurements.
    res.json(
      await improvements.list(
        {
          entityRefs,
          ownedBy,
          ownerRefs: query.ownerRef,
          statuses: query.status,
          department: query.department,
          dueBefore: query.overdue === 'true' ? today : undefined,
          q: query.q,
          sort: query.sort,
          order: query.order,
          limit: query.limit,
          offset: query.offset,
          filter,
        },
        caller,
      ),
    );
  });

  bindItsmRoute(router, 'get', '/improvements/{id}', async (req, res) => {
    const caller = await improvementCaller(req, options);
    const filter = await authorizer.improvementFilter(caller.credentials);
    res.json(await improvements.get(req.params.id, caller, filter));
  });

  bindItsmRoute(router, 'post', '/improvements', async (req, res) => {
    const auditorEvent = await auditor.createEvent({
      eventId: 'improvement-create',
      severityLevel: 'low',
      request: req,
    });
    try {
      const caller = await improvementCaller(req, options);
      await authorizer.require(
        caller.credentials,
        itsmImprovementCreatePermission,
        'You are not allowed to create improvements',
      );
      const input = parseInput(itsmImprovementCreateSchema, req.body, 'body');
      const created = await improvements.create(
        input,
        caller,
        await ownerChoice(authorizer, caller.credentials),
      );
      await auditorEvent.success({
        meta: { improvementId: created.id, ownerRef: created.ownerRef },
      });
      res.status(201).json(created);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  bindItsmRoute(router, 'patch', '/improvements/{id}', async (req, res) => {
    const auditorEvent = await auditor.createEvent({
      eventId: 'improvement-update',
      severityLevel: 'low',
      request: req,
      meta: { improvementId: req.params.id },
    });
    try {
      const caller = await improvementCaller(req, options);
      const input = parseInput(itsmImprovementUpdateSchema, req.body, 'body');
      const [read, update] = await Promise.all([
        authorizer.improvementFilter(caller.credentials),
        authorizer.improvementFilter(
          caller.credentials,
          itsmImprovementUpdatePermission,
          'You are not allowed to change improvements',
        ),
      ]);
      const updated = await improvements.update(req.params.id, input, caller, {
        read,
        update,
      });
      await auditorEvent.success({
        meta: { status: updated.status },
      });
      res.json(updated);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  bindItsmRoute(router, 'delete', '/improvements/{id}', async (req, res) => {
    const auditorEvent = await auditor.createEvent({
      eventId: 'improvement-delete',
      severityLevel: 'medium',
      request: req,
      meta: { improvementId: req.params.id },
    });
    try {
      const credentials = await authorizer.credentials(req);
      const [read, remove] = await Promise.all([
        authorizer.improvementFilter(credentials),
        authorizer.improvementFilter(
          credentials,
          itsmImprovementDeletePermission,
          'You are not allowed to delete improvements',
        ),
      ]);
      const deleted = await improvements.delete(req.params.id, {
        read,
        delete: remove,
      });
      await auditorEvent.success({
        meta: { title: deleted.title, ownerRef: deleted.ownerRef },
      });
      res.status(204).end();
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });
}
