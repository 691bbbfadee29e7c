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

import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  itsmFeedbackInputSchema,
  ItsmRecordInput,
  itsmRecordInputSchema,
  ItsmRecordKind,
  ItsmRecordState,
  ItsmMetricBucket,
  ItsmMetricsResponse,
} from '@backstage-itsm/plugin-itsm-common';
import type { ItsmMetric } from '@backstage-itsm/plugin-itsm-node';
import type { Knex } from 'knex';
import { DatabaseItsmStore } from '../database/DatabaseItsmStore';
import type { RecordFilter } from '../database/ItsmStore';
import type { CoverageSource, ScopeEntity } from '../metrics/coverage';
import { MetricsEngine } from '../metrics/MetricsEngine';
import type { MetricWindow } from '../metrics/types';

/*
 * Test data for the metrics: records written through the real store
 * (`commitBatch`), with instants as epoch ms relative to T0.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** 2026-03-01T00:00:00Z: the start of the default window. */
export const T0 = Date.parse('2026-03-01T00:00:00Z');
/** The default window: 30 days from T0. */
export const W: MetricWindow = { from: T0, to: T0 + 30 * DAY };
/** "Now" of the tests: 40 days after T0. */
export const NOW = T0 + 40 * DAY;

export const A = 'component:default/payments-api';
export const B = 'component:default/checkout-web';
export const HR = 'component:default/employee-onboarding';

const OWNERS: Record<string, string> = {
  [A]: 'group:default/payments',
  [B]: 'group:default/checkout',
  [HR]: 'group:default/hr-operations',
};

/** A record in test terms; instants are epoch ms. */
export interface RecordSpec {
  id: string;
  kind?: ItsmRecordKind;
  /** Default: resolved when it has a resolution or closure instant, else in_progress. */
  state?: ItsmRecordState;
  /** Default 3. */
  priority?: number | null;
  opened: number;
  ack?: number;
  resolved?: number;
  closed?: number;
  impactStart?: number;
  impactEnd?: number;
  actualEnd?: number;
  changeType?: 'standard' | 'normal' | 'emergency';
  outcome?: 'successful' | 'successful_with_issues' | 'failed' | 'cancelled';
  causedBy?: string;
  reopen?: number;
  /** Default [A]. */
  entities?: string[];
  /** Default `sn:corp` (department it); `hr:desk` is department hr. */
  provider?: string;
  /** The source payload (modules keep e.g. a `category` in it). */
  payload?: unknown;
  slas?: Array<{
    kind: 'response' | 'resolution';
    stage: 'in_progress' | 'paused' | 'completed' | 'breached' | 'cancelled';
    breached: boolean;
    end?: number;
    breachAt?: number;
  }>;
}

/** A survey answer in test terms. */
export interface FeedbackSpec {
  id: string;
  scale: 'csat5' | 'nps10';
  score: number;
  at: number;
  entityRef?: string;
  /** External id of a record of the same provider. */
  record?: string;
  provider?: string;
}

const iso = (ms: number | undefined) =>
  ms === undefined ? null : new Date(ms).toISOString();

function toInput(spec: RecordSpec): ItsmRecordInput {
  const kind = spec.kind ?? 'incident';
  const ended =
    spec.resolved !== undefined ||
    spec.closed !== undefined ||
    (kind === 'change' && spec.actualEnd !== undefined);
  const endedState = kind === 'change' ? 'closed' : 'resolved';
  const latest = Math.max(
    ...[
      spec.opened,
      spec.ack,
      spec.resolved,
      spec.closed,
      spec.actualEnd,
    ].filter((v): v is number => v !== undefined),
  );
  return {
    externalId: spec.id,
    kind,
    number: spec.id.toUpperCase(),
    title: `Record ${spec.id}`,
    state: spec.state ?? (ended ? endedState : 'in_progress'),
    priority: spec.priority === undefined ? 3 : spec.priority,
    openedAt: iso(spec.opened)!,
    acknowledgedAt: iso(spec.ack),
    resolvedAt: iso(spec.resolved),
    closedAt: iso(spec.closed),
    impactStart: iso(spec.impactStart),
    impactEnd: iso(spec.impactEnd),
    actualEnd: iso(spec.actualEnd),
    changeType: kind === 'change' ? spec.changeType ?? 'normal' : null,
    outcome: kind === 'change' ? spec.outcome ?? 'successful' : null,
    causedByChange: spec.causedBy ?? null,
    reopenCount: spec.reopen ?? 0,
    ...(spec.payload !== undefined ? { payload: spec.payload } : {}),
    sourceUpdatedAt: iso(latest)!,
    slas: (spec.slas ?? []).map((sla, i) => ({
      name: `${sla.kind}-${i}`,
      kind: sla.kind,
      targetSeconds: 3600,
      stage: sla.stage,
      breached: sla.breached,
      startAt: iso(spec.opened)!,
      endAt: iso(sla.end),
      breachAt: iso(sla.breachAt),
    })),
  };
}

export interface ComputeOptions {
  metrics?: string[];
  window?: MetricWindow;
  entityRefs?: string[];
  filter?: RecordFilter;
  annotations?: Record<string, string>;
  /** The scope's entities with their annotations; default: A with `annotations`. */
  entities?: ScopeEntity[];
  /** Ask for `sources` and `coverage`, as the HTTP answers do. */
  sources?: boolean;
  bucket?: ItsmMetricBucket;
  explain?: string;
  now?: number;
}

/** A store and metrics engine on a test database. */
export class MetricsHarness {
  static async create(
    knex: Knex,
    metrics: ItsmMetric[] = [],
    sources: CoverageSource[] = [],
  ): Promise<MetricsHarness> {
    const store = await DatabaseItsmStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    return new MetricsHarness(
      knex,
      store,
      new MetricsEngine({ db: knex, metrics, sources }),
    );
  }

  private constructor(
    readonly knex: Knex,
    readonly store: DatabaseItsmStore,
    readonly engine: MetricsEngine,
  ) {}

  /** Writes records and answers through the store, one batch per provider. */
  async seed(records: RecordSpec[], feedback: FeedbackSpec[] = []) {
    const providers = new Set([
      ...records.map(r => r.provider ?? 'sn:corp'),
      ...feedback.map(f => f.provider ?? 'sn:corp'),
    ]);
    for (const providerId of providers) {
      await this.store.commitBatch({
        providerId,
        department: providerId.startsWith('hr:') ? 'hr' : 'it',
        records: records
          .filter(r => (r.provider ?? 'sn:corp') === providerId)
          .map(spec => ({
            record: itsmRecordInputSchema.parse(toInput(spec)),
            entities: (spec.entities ?? [A]).map(entityRef => ({
              entityRef,
              via: 'provider',
              ownerRef: OWNERS[entityRef] ?? null,
            })),
          })),
        feedback: feedback
          .filter(f => (f.provider ?? 'sn:corp') === providerId)
          .map(f =>
            itsmFeedbackInputSchema.parse({
              externalId: f.id,
              scale: f.scale,
              score: f.score,
              respondedAt: iso(f.at),
              entityRef: f.entityRef ?? null,
              recordExternalId: f.record ?? null,
            }),
          ),
        deadLetters: [],
      });
    }
  }

  async compute(options: ComputeOptions = {}): Promise<ItsmMetricsResponse> {
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'payments-api', annotations: options.annotations },
      spec: { owner: 'group:default/payments' },
    };
    return this.engine.getMetrics({
      entity,
      entityRef: A,
      entityRefs: options.entityRefs ?? [A],
      entities: options.entities,
      window: options.window ?? W,
      bucket: options.bucket,
      metricIds: options.metrics,
      explain: options.explain,
      filter: options.filter,
      now: options.now ?? NOW,
      sources: options.sources,
    });
  }

  async clear() {
    for (const table of [
      'feedback',
      'slas',
      'record_entities',
      'record_mappings',
      'records',
      'sync_state',
      'dead_letters',
    ]) {
      await this.knex(table).delete();
    }
  }
}
