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
  ItsmRecord,
  ItsmReviewRecord,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import type { ItsmStore, RecordFilter } from '../database/ItsmStore';
import type { ImprovementService } from '../improvements/ImprovementService';
import type { ImprovementStore } from '../improvements/ImprovementStore';
import type { MetricProbe } from '../improvements/MetricProbe';
import type { MetricsEngine } from '../metrics/MetricsEngine';
import type { ImprovementFilter } from '../permissions/improvementRules';
import type { ReviewWindow } from './period';
import { summariseReviewImprovements } from './reviewImprovements';
import type { ReviewStore } from './ReviewStore';

/** Where a review's figures and lists come from. */
export interface ReviewSources {
  store: ReviewStore;
  records: ItsmStore;
  metrics: MetricsEngine;
  improvements: ImprovementService;
  improvementStore: ImprovementStore;
}

/** The permission filters a review is computed under; none: everything counts. */
export interface ReviewFilters {
  record?: RecordFilter;
  metrics?: RecordFilter;
  improvement?: ImprovementFilter;
}

/**
 * Computes the review of an entity (with its parts) over a window: metrics
 * with weekly series, the worst incidents, failed changes with the incidents
 * they caused, SLA breaches, open problems and improvements, each list as
 * the filters let it be seen.
 */
export async function buildReview(
  sources: ReviewSources,
  entityRef: string,
  window: ReviewWindow,
  probe: MetricProbe,
  filters: ReviewFilters,
): Promise<ItsmServiceReview> {
  const { store, metrics, records } = sources;
  const now = probe.now;
  const scope = await probe.scope(entityRef);
  const recordScope = {
    entityRefs: scope.entityRefs,
    now,
    from: window.from,
    to: window.to,
  };

  const [response, worstIds, failedIds, breaches, problemIds] =
    await Promise.all([
      metrics.getMetrics({
        entity: scope.entity,
        entityRef: scope.entityRef,
        entityRefs: scope.entityRefs,
        entities: scope.entities,
        window: { from: window.from, to: window.to },
        bucket: 'week',
        filter: filters.metrics,
        now,
        sources: true,
      }),
      store.listWorstIncidentIds(recordScope),
      store.listFailedChangeIds(recordScope),
      store.listSlaBreaches(recordScope),
      store.listOpenProblemIds(recordScope),
    ]);
  const causes = await store.listCausedIncidentIds(failedIds);

  const allIds = [
    ...worstIds,
    ...failedIds,
    ...[...causes.values()].flat(),
    ...breaches.map(b => b.recordId),
    ...problemIds,
  ];
  const visible = new Map(
    (await records.getRecords(allIds, filters.record)).map(r => [r.id, r]),
  );
  const shown = (id: string) => {
    const r = visible.get(id);
    return r ? [reviewRecord(r, window.to)] : [];
  };
  const pick = (ids: string[]) => ids.flatMap(shown);

  const improvements = await summariseReviewImprovements(
    sources,
    scope.entityRefs,
    window,
    probe,
    filters.improvement,
  );

  return {
    entityRef: scope.entityRef,
    entityTitle: scope.entity.metadata.title ?? scope.entity.metadata.name,
    period: {
      label: window.label,
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
    },
    previous: response.previous,
    generatedAt: new Date(now).toISOString(),
    metrics: response.metrics,
    series: response.series ?? {},
    health: response.health,
    worstIncidents: pick(worstIds),
    failedChanges: failedIds.flatMap(id =>
      shown(id).map(change => ({
        change,
        causedIncidents: pick(causes.get(id) ?? []),
      })),
    ),
    slaBreaches: breaches.flatMap(({ recordId, ...breach }) =>
      shown(recordId).map(record => ({
        record,
        sla: breach.name,
        kind: breach.kind,
        targetSeconds: breach.targetSeconds,
        breachAt: breach.breachAt,
      })),
    ),
    openProblems: pick(problemIds),
    improvements,
    hiddenRecordCount: new Set(allIds.filter(id => !visible.has(id))).size,
    sources: response.sources ?? [],
    held: null,
  };
}

function reviewRecord(record: ItsmRecord, periodEnd: number): ItsmReviewRecord {
  const start = Date.parse(record.impactStart ?? record.openedAt);
  const endIso = record.impactEnd ?? record.resolvedAt ?? record.closedAt;
  const end = endIso ? Date.parse(endIso) : periodEnd;
  return {
    id: record.id,
    number: record.number,
    title: record.title,
    kind: record.kind,
    state: record.state,
    priority: record.priority,
    url: record.url,
    openedAt: record.openedAt,
    resolvedAt: record.resolvedAt,
    durationSeconds:
      record.kind === 'incident' || record.kind === 'problem'
        ? Math.max(0, Math.round((end - start) / 1000))
        : null,
  };
}
