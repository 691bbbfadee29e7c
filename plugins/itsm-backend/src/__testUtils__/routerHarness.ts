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

import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockErrorHandler, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import express from 'express';
import { DatabaseImprovementStore } from '../improvements/DatabaseImprovementStore';
import { ImprovementService } from '../improvements/ImprovementService';
import type { ImprovementStore } from '../improvements/ImprovementStore';
import type { IngestionEngine } from '../ingestion/IngestionEngine';
import { itsmImprovementPermissionRules } from '../permissions/improvementRules';
import { itsmRecordPermissionRules } from '../permissions/rules';
import { DatabaseReviewStore } from '../reviews/DatabaseReviewStore';
import { ReviewService } from '../reviews/ReviewService';
import { specCheckedServer } from '../schema/specCheckedServer';
import { createRouter } from '../service/createRouter';
import { fakeUserInfo } from './fakeUserInfo';
import {
  DAY,
  HOUR,
  HR,
  MetricsHarness,
  MINUTE,
  NOW,
  RecordSpec,
  T0,
} from './metricsHarness';

/** Incidents and changes of payments-api in March 2026 (T0 is 1 March). */
export const MARCH_RECORDS: RecordSpec[] = [
  {
    id: 'p1',
    priority: 1,
    opened: T0 + 2 * DAY,
    resolved: T0 + 2 * DAY + HOUR,
  },
  {
    id: 'long',
    opened: T0 + 5 * DAY,
    resolved: T0 + 5 * DAY + 10 * HOUR,
    slas: [
      {
        kind: 'resolution',
        stage: 'breached',
        breached: true,
        end: T0 + 5 * DAY + 10 * HOUR,
        breachAt: T0 + 5 * DAY + 4 * HOUR,
      },
    ],
  },
  { id: 'short', opened: T0 + 6 * DAY, resolved: T0 + 6 * DAY + 30 * MINUTE },
  {
    id: 'chg1',
    kind: 'change',
    outcome: 'failed',
    opened: T0 + 7 * DAY,
    actualEnd: T0 + 8 * DAY - HOUR,
  },
  {
    id: 'chg2',
    kind: 'change',
    opened: T0 + 7 * DAY,
    actualEnd: T0 + 7 * DAY + HOUR,
  },
  {
    id: 'caused',
    priority: 2,
    opened: T0 + 8 * DAY,
    resolved: T0 + 8 * DAY + 2 * HOUR,
    causedBy: 'chg1',
  },
  { id: 'prb1', kind: 'problem', opened: T0 + 3 * DAY },
  {
    id: 'prb2',
    kind: 'problem',
    opened: T0 + DAY,
    resolved: T0 + 10 * DAY,
  },
  // The last 30 days before NOW (10 April) hold these two: MTTR 2h 45m.
  {
    id: 'recent1',
    opened: T0 + 12 * DAY,
    resolved: T0 + 12 * DAY + 4 * HOUR,
  },
  {
    id: 'recent2',
    opened: T0 + 13 * DAY,
    resolved: T0 + 13 * DAY + 90 * MINUTE,
  },
  {
    id: 'hr1',
    kind: 'request',
    provider: 'hr:desk',
    entities: [HR],
    opened: T0 + 4 * DAY,
    resolved: T0 + 6 * DAY,
  },
];

/**
 * Two fast payments-api incidents, one in each of the two weeks before
 * NOW's week: with them MTTR over the last 30 days drops to 1h 52m 30s.
 */
export const FAST_FIXES: RecordSpec[] = [
  {
    id: 'fast1',
    opened: Date.parse('2026-03-24T10:00:00Z'),
    resolved: Date.parse('2026-03-24T11:00:00Z'),
  },
  {
    id: 'fast2',
    opened: Date.parse('2026-03-31T10:00:00Z'),
    resolved: Date.parse('2026-03-31T11:00:00Z'),
  },
];

/** A permission query as the router asks it. */
export interface PermissionQuery {
  permission: { name: string; resourceType?: string };
  resourceRef?: string;
}

/** The itsm router on a metrics harness's database, as the plugin wires it. */
export interface RouterHarness {
  /** The router behind a proxy checking every response against the spec. */
  app: string;
  /** The same router unchecked: the spec proxy reads JSON bodies only, not Markdown. */
  raw: express.Express;
  auditor: ReturnType<typeof mockServices.auditor.mock>;
  improvementStore: ImprovementStore;
}

/**
 * Builds the itsm router on the harness's store and metrics engine, with the
 * improvement and review services on the same database. Permissions ask
 * `decision` for each query and allow what it leaves undecided; conditional
 * decisions resolve against the record and improvement rules.
 */
export async function createRouterHarness(options: {
  metrics: MetricsHarness;
  entities: Entity[];
  /** Each user's groups, for the ownership claims of the user info service. */
  membership: Record<string, string[]>;
  decision: (
    query: PermissionQuery,
    credentials?: BackstageCredentials,
  ) => PolicyDecision | undefined;
}): Promise<RouterHarness> {
  const { metrics, entities, membership, decision } = options;
  const permissions = mockServices.permissions.mock();
  const decide = async (
    queries: PermissionQuery[],
    request?: { credentials: BackstageCredentials },
  ) =>
    queries.map(
      q =>
        decision(q, request?.credentials) ?? { result: AuthorizeResult.ALLOW },
    );
  permissions.authorizeConditional.mockImplementation(decide as any);
  permissions.authorize.mockImplementation(decide as any);
  const permissionsRegistry = mockServices.permissionsRegistry.mock();
  permissionsRegistry.getPermissionRuleset.mockImplementation(
    (ref: any) =>
      ({
        getRuleByName: (name: string) =>
          Object.values(
            ref.resourceType === 'itsm-improvement'
              ? itsmImprovementPermissionRules
              : itsmRecordPermissionRules,
          ).find(r => r.name === name)!,
      } as any),
  );
  const catalog = catalogServiceMock({ entities });
  const improvementStore = new DatabaseImprovementStore(metrics.knex);
  const improvements = new ImprovementService({
    store: improvementStore,
    records: metrics.store,
    metrics: metrics.engine,
    catalog,
    userInfo: fakeUserInfo(membership),
  });
  const auditor = mockServices.auditor.mock();
  const router = await createRouter({
    store: metrics.store,
    engine: {} as IngestionEngine,
    httpAuth: mockServices.httpAuth(),
    permissions,
    permissionsRegistry,
    auditor,
    catalog,
    logger: mockServices.logger.mock(),
    metrics: metrics.engine,
    improvements,
    reviews: new ReviewService({
      store: new DatabaseReviewStore(metrics.knex),
      records: metrics.store,
      metrics: metrics.engine,
      improvements,
      improvementStore,
      permissions,
    }),
    clock: () => NOW,
  });
  const raw = express().use(router).use(mockErrorHandler());
  return { app: await specCheckedServer(raw), raw, auditor, improvementStore };
}
