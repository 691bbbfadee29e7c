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

import { randomUUID } from 'node:crypto';
import { ConflictError } from '@backstage/errors';
import type {
  ItsmRecord,
  ItsmReviewImprovement,
  ItsmReviewRecord,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import type { ItsmStore, RecordFilter } from '../database/ItsmStore';
import type { DbBigInt } from '../database/tables';
import type { ImprovementCaller } from '../improvements/ImprovementService';
import { ImprovementService } from '../improvements/ImprovementService';
import {
  ImprovementStore,
  OPEN_STATUSES,
  StoredImprovement,
} from '../improvements/ImprovementStore';
import type { MetricsEngine } from '../metrics/MetricsEngine';
import { scopedRecords } from '../metrics/sql';
import type { ImprovementFilter } from '../permissions/improvementRules';
import type { ReviewPeriod } from './period';

/** Most rows each list of a review holds. */
export const REVIEW_LIST_LIMIT = 25;
/** Worst incidents listed. */
export const WORST_INCIDENTS = 10;

const T_REVIEWS = 'service_reviews';

interface HeldReviewRow {
  id: string;
  entity_ref: string;
  period_from: DbBigInt;
  period_to: DbBigInt;
  label: string;
  held_by: string;
  held_at: DbBigInt;
  decisions: string;
  snapshot: string;
}

/** A reader of reviews: the improvement caller plus the filters reviews need. */
export interface ReviewCaller extends ImprovementCaller {
  /** `itsm.metrics.read`: which records the numbers count. */
  metricsFilter: RecordFilter | undefined;
  /** `itsm.improvement.read`. */
  improvementFilter: ImprovementFilter | undefined;
}

/**
 * Service reviews: the period report of an entity or a team (DESIGN.md
 * section 8). A live review is computed on each read; a held review is a
 * snapshot taken with every record in it, and each reader sees it through
 * their own record and improvement permissions.
 */
export class ReviewService {
  constructor(
    private readonly options: {
      db: Knex;
      records: ItsmStore;
      metrics: MetricsEngine;
      improvements: ImprovementService;
      improvementStore: ImprovementStore;
    },
  ) {}

  async getReview(
    entityRef: string,
    period: ReviewPeriod,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    const scope = await caller.probe.scope(entityRef);
    const held = await this.#findHeld(scope.entityRef, period);
    if (held) {
      return this.#forReader(fromHeldRow(held), caller);
    }
    const review = await this.#build(entityRef, period, caller, {
      record: caller.recordFilter,
      metrics: caller.metricsFilter,
      improvement: caller.improvementFilter,
    });
    return review;
  }

  /**
   * Holds the review of a period: saves it as it stands now, with every
   * record in it, so the same period reads the same later. Holding a period
   * twice is a conflict.
   */
  async hold(
    entityRef: string,
    period: ReviewPeriod,
    decisions: string,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    const scope = await caller.probe.scope(entityRef);
    const existing = await this.#findHeld(scope.entityRef, period);
    if (existing) {
      throw heldConflict(existing);
    }
    const review = await this.#build(entityRef, period, caller, {});
    const heldAt = caller.probe.now;
    const row: HeldReviewRow = {
      id: randomUUID(),
      entity_ref: scope.entityRef,
      period_from: period.from,
      period_to: period.to,
      label: period.label,
      held_by: caller.actor,
      held_at: heldAt,
      decisions,
      snapshot: JSON.stringify(review),
    };
    try {
      await this.options.db(T_REVIEWS).insert(row);
    } catch (error) {
      // A concurrent hold of the same period won the unique key.
      const winner = await this.#findHeld(scope.entityRef, period);
      if (winner) {
        throw heldConflict(winner);
      }
      throw error;
    }
    return this.#forReader(fromHeldRow(row), caller);
  }

  async #findHeld(
    entityRef: string,
    period: ReviewPeriod,
  ): Promise<HeldReviewRow | undefined> {
    return this.options
      .db<HeldReviewRow>(T_REVIEWS)
      .where({
        entity_ref: entityRef,
        period_from: period.from,
        period_to: period.to,
      })
      .first();
  }

  /** A held review as one reader may see it: records and improvements they may not read are left out. */
  async #forReader(
    review: ItsmServiceReview,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    const recordIds = [
      ...review.worstIncidents.map(r => r.id),
      ...review.failedChanges.flatMap(f => [
        f.change.id,
        ...f.causedIncidents.map(r => r.id),
      ]),
      ...review.slaBreaches.map(b => b.record.id),
      ...review.openProblems.map(r => r.id),
    ];
    const readable = new Set(
      (
        await this.options.records.getRecords(recordIds, caller.recordFilter)
      ).map(r => r.id),
    );
    const improvementIds = [
      ...review.improvements.due,
      ...review.improvements.overdue,
      ...review.improvements.completed,
    ].map(i => i.id);
    const visibleImprovements = new Set(
      (
        await this.options.improvementStore.list({
          ids: improvementIds,
          filter: caller.improvementFilter,
          limit: improvementIds.length + 1,
        })
      ).items.map(i => i.id),
    );
    const keep = (r: ItsmReviewRecord) => readable.has(r.id);
    const keepImprovement = (i: ItsmReviewImprovement) =>
      visibleImprovements.has(i.id);
    const hidden = new Set(recordIds.filter(id => !readable.has(id))).size;
    return {
      ...review,
      worstIncidents: review.worstIncidents.filter(keep),
      failedChanges: review.failedChanges
        .filter(f => keep(f.change))
        .map(f => ({ ...f, causedIncidents: f.causedIncidents.filter(keep) })),
      slaBreaches: review.slaBreaches.filter(b => keep(b.record)),
      openProblems: review.openProblems.filter(keep),
      improvements: {
        due: review.improvements.due.filter(keepImprovement),
        overdue: review.improvements.overdue.filter(keepImprovement),
        completed: review.improvements.completed.filter(keepImprovement),
      },
      hiddenRecordCount: review.hiddenRecordCount + hidden,
    };
  }

  async #build(
    entityRef: string,
    period: ReviewPeriod,
    caller: ReviewCaller,
    filters: {
      record?: RecordFilter;
      metrics?: RecordFilter;
      improvement?: ImprovementFilter;
    },
  ): Promise<ItsmServiceReview> {
    const { db, metrics, records } = this.options;
    const now = caller.probe.now;
    const scope = await caller.probe.scope(entityRef);
    const window = { from: period.from, to: period.to };
    // Record selection only: the outage threshold plays no part in it.
    const sqlScope = {
      db,
      entityRefs: scope.entityRefs,
      now,
      outagePriorityThreshold: 0,
    };

    const [response, worstIds, failedIds, breachRows, problemIds] =
      await Promise.all([
        metrics.getMetrics({
          entity: scope.entity,
          entityRef: scope.entityRef,
          entityRefs: scope.entityRefs,
          window,
          bucket: 'week',
          filter: filters.metrics,
          now,
          sources: true,
        }),
        this.#worstIncidentIds(sqlScope, period),
        this.#failedChangeIds(sqlScope, period),
        this.#slaBreaches(sqlScope, period),
        this.#openProblemIds(sqlScope, period),
      ]);
    const causes = await this.#causedIncidentIds(sqlScope, failedIds);

    const allIds = [
      ...worstIds,
      ...failedIds,
      ...[...causes.values()].flat(),
      ...breachRows.map(b => b.record_id),
      ...problemIds,
    ];
    const visible = new Map(
      (await records.getRecords(allIds, filters.record)).map(r => [r.id, r]),
    );
    const pick = (ids: string[]) =>
      ids.flatMap(id => {
        const r = visible.get(id);
        return r ? [reviewRecord(r, period.to)] : [];
      });

    const improvements = await this.#improvements(
      scope.entityRefs,
      period,
      caller,
      filters.improvement,
    );

    return {
      entityRef: scope.entityRef,
      entityTitle: scope.entity.metadata.title ?? scope.entity.metadata.name,
      period: {
        label: period.label,
        from: new Date(period.from).toISOString(),
        to: new Date(period.to).toISOString(),
      },
      previous: response.previous,
      generatedAt: new Date(now).toISOString(),
      metrics: response.metrics,
      series: response.series ?? {},
      health: response.health,
      worstIncidents: pick(worstIds),
      failedChanges: failedIds.flatMap(id => {
        const change = visible.get(id);
        return change
          ? [
              {
                change: reviewRecord(change, period.to),
                causedIncidents: pick(causes.get(id) ?? []),
              },
            ]
          : [];
      }),
      slaBreaches: breachRows.flatMap(row => {
        const r = visible.get(row.record_id);
        return r
          ? [
              {
                record: reviewRecord(r, period.to),
                sla: row.name,
                kind: row.kind as 'response' | 'resolution',
                targetSeconds:
                  row.target_seconds === null
                    ? null
                    : Number(row.target_seconds),
                breachAt:
                  row.breach_at === null
                    ? null
                    : new Date(Number(row.breach_at)).toISOString(),
              },
            ]
          : [];
      }),
      openProblems: pick(problemIds),
      improvements,
      hiddenRecordCount: new Set(allIds.filter(id => !visible.has(id))).size,
      sources: response.sources ?? [],
      held: null,
    };
  }

  async #improvements(
    entityRefs: string[],
    period: ReviewPeriod,
    caller: ReviewCaller,
    filter: ImprovementFilter | undefined,
  ): Promise<ItsmServiceReview['improvements']> {
    const { items } = await this.options.improvementStore.list({
      entityRefs,
      filter,
      limit: 500,
    });
    const fromDate = new Date(period.from).toISOString().slice(0, 10);
    const toDate = new Date(period.to).toISOString().slice(0, 10);
    const cutoff = new Date(Math.min(period.to, caller.probe.now))
      .toISOString()
      .slice(0, 10);
    const open = (i: StoredImprovement) => OPEN_STATUSES.includes(i.status);
    const summarise = async (
      list: StoredImprovement[],
    ): Promise<ItsmReviewImprovement[]> =>
      Promise.all(
        list.map(async item => {
          const progress = await this.options.improvements.progress(
            item,
            caller.probe,
          );
          return {
            id: item.id,
            title: item.title,
            ownerRef: item.ownerRef,
            status: item.status,
            dueDate: item.dueDate,
            metricId: item.metric?.metricId ?? null,
            baseline: progress.baseline,
            current: progress.current,
            target: progress.target,
            progressStatus: progress.status,
          };
        }),
      );
    return {
      due: await summarise(
        items.filter(
          i =>
            open(i) &&
            i.dueDate !== null &&
            i.dueDate >= cutoff &&
            i.dueDate < toDate,
        ),
      ),
      overdue: await summarise(
        items.filter(i => open(i) && i.dueDate !== null && i.dueDate < cutoff),
      ),
      completed: await summarise(
        items.filter(
          i =>
            i.status === 'done' &&
            i.completedAt !== null &&
            i.completedAt.slice(0, 10) >= fromDate &&
            i.completedAt.slice(0, 10) < toDate,
        ),
      ),
    };
  }

  /** P1s first, then the longest: impact window, else open to resolve (or period end). */
  async #worstIncidentIds(
    scope: Parameters<typeof scopedRecords>[0],
    period: ReviewPeriod,
  ): Promise<string[]> {
    const duration = `coalesce(r.impact_end, r.resolved_at, r.closed_at, ${Number(
      period.to,
    )}) - coalesce(r.impact_start, r.opened_at)`;
    const rows: Array<{ id: string }> = await scopedRecords(scope)
      .select('r.id')
      .where('r.kind', 'incident')
      .whereNot('r.state', 'cancelled')
      .where('r.opened_at', '>=', period.from)
      .where('r.opened_at', '<', period.to)
      .orderByRaw(
        `case when r.priority = 1 then 0 else 1 end, ${duration} desc, r.opened_at, r.id`,
      )
      .limit(WORST_INCIDENTS);
    return rows.map(r => r.id);
  }

  async #failedChangeIds(
    scope: Parameters<typeof scopedRecords>[0],
    period: ReviewPeriod,
  ): Promise<string[]> {
    const end = 'coalesce(r.actual_end, r.closed_at, r.planned_end)';
    const rows: Array<{ id: string }> = await scopedRecords(scope)
      .select('r.id')
      .where('r.kind', 'change')
      .where('r.outcome', 'failed')
      .whereRaw(`${end} >= ? and ${end} < ?`, [period.from, period.to])
      .orderByRaw(`${end} desc, r.id`)
      .limit(REVIEW_LIST_LIMIT);
    return rows.map(r => r.id);
  }

  /** Incidents linked to each change (same source, by the change's external id). */
  async #causedIncidentIds(
    scope: Parameters<typeof scopedRecords>[0],
    changeIds: string[],
  ): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (changeIds.length === 0) {
      return result;
    }
    const rows: Array<{ change_id: string; id: string }> = await scope
      .db('records as c')
      .join('records as i', join =>
        join
          .on('i.provider_id', '=', 'c.provider_id')
          .andOn('i.caused_by_change', '=', 'c.external_id'),
      )
      .whereIn('c.id', changeIds)
      .where('i.kind', 'incident')
      .select({ change_id: 'c.id', id: 'i.id' })
      .orderBy([{ column: 'i.opened_at' }, { column: 'i.id' }]);
    for (const row of rows) {
      result.set(row.change_id, [...(result.get(row.change_id) ?? []), row.id]);
    }
    return result;
  }

  async #slaBreaches(
    scope: Parameters<typeof scopedRecords>[0],
    period: ReviewPeriod,
  ): Promise<
    Array<{
      record_id: string;
      name: string;
      kind: string;
      target_seconds: number | string | null;
      breach_at: DbBigInt | null;
    }>
  > {
    const at = 'coalesce(s.breach_at, s.end_at, s.start_at)';
    return scopedRecords(scope)
      .join('slas as s', 's.record_id', 'r.id')
      .where('s.breached', true)
      .whereNot('s.stage', 'cancelled')
      .whereRaw(`${at} >= ? and ${at} < ?`, [period.from, period.to])
      .select(
        's.record_id',
        's.name',
        's.kind',
        's.target_seconds',
        's.breach_at',
      )
      .orderByRaw(`${at} desc, s.record_id, s.name`)
      .limit(REVIEW_LIST_LIMIT);
  }

  /** Problems open at the end of the period. */
  async #openProblemIds(
    scope: Parameters<typeof scopedRecords>[0],
    period: ReviewPeriod,
  ): Promise<string[]> {
    const end = 'coalesce(r.resolved_at, r.closed_at)';
    const rows: Array<{ id: string }> = await scopedRecords(scope)
      .select('r.id')
      .where('r.kind', 'problem')
      .whereNot('r.state', 'cancelled')
      .where('r.opened_at', '<', period.to)
      .whereRaw(`(${end} is null or ${end} >= ?)`, [period.to])
      .orderByRaw('coalesce(r.priority, 9), r.opened_at, r.id')
      .limit(REVIEW_LIST_LIMIT);
    return rows.map(r => r.id);
  }
}

function heldConflict(row: HeldReviewRow): ConflictError {
  return new ConflictError(
    `The review of ${row.entity_ref} for ${row.label} was already held by ${
      row.held_by
    } on ${new Date(Number(row.held_at)).toISOString()}`,
  );
}

function fromHeldRow(row: HeldReviewRow): ItsmServiceReview {
  const snapshot: ItsmServiceReview = JSON.parse(row.snapshot);
  return {
    ...snapshot,
    held: {
      id: row.id,
      heldBy: row.held_by,
      heldAt: new Date(Number(row.held_at)).toISOString(),
      decisions: row.decisions,
    },
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
