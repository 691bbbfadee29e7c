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
import type { PermissionsService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  itsmReviewHoldPermission,
  itsmReviewUpdatePermission,
  ItsmHeldReview,
  ItsmHeldReviewAmendment,
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
const T_AMENDMENTS = 'service_review_amendments';

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

interface AmendmentRow {
  seq: DbBigInt;
  review_id: string;
  at: DbBigInt;
  actor: string;
  decisions_before: string;
  decisions_after: string;
}

/** A reader of reviews: the improvement caller plus the filters reviews need. */
export interface ReviewCaller extends ImprovementCaller {
  /** `itsm.metrics.read`: which records the numbers count. */
  metricsFilter: RecordFilter | undefined;
  /** `itsm.improvement.read`. */
  improvementFilter: ImprovementFilter | undefined;
}

/** What a release removed, for the audit trail. */
export interface ReleasedReview {
  id: string;
  entityRef: string;
  period: string;
  decisions: string;
}

/**
 * Service reviews: the period report of an entity or a team (DESIGN.md
 * section 8). A live review is computed on each read. A held review is a
 * snapshot of an ended month or quarter, taken with every record in it;
 * each reader sees it through their own record and improvement permissions,
 * and its figures only when they may count every record
 * (`itsm.metrics.read` unconditional), since the snapshot counts them all.
 * Holding needs `itsm.review.hold`, amending the decisions or releasing the
 * snapshot `itsm.review.update`, both decided on the catalog entity.
 */
export class ReviewService {
  constructor(
    private readonly options: {
      db: Knex;
      records: ItsmStore;
      metrics: MetricsEngine;
      improvements: ImprovementService;
      improvementStore: ImprovementStore;
      /** Decides hold, amend and release on the entity under review. */
      permissions: PermissionsService;
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
      return this.#present(held, period, caller);
    }
    return this.#live(entityRef, period, caller);
  }

  /**
   * Holds the review of an ended month or quarter: saves it as it stands
   * now, with every record in it, so the same period reads the same later.
   * Holding a period twice is a conflict.
   */
  async hold(
    entityRef: string,
    period: ReviewPeriod,
    decisions: string,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    if (!period.named || period.to > caller.probe.now) {
      throw new InputError(
        `Invalid body: period: only a month or quarter that has ended can be held, not ${period.label}`,
      );
    }
    const scope = await caller.probe.scope(entityRef);
    await this.#authorize(
      itsmReviewHoldPermission,
      scope.entityRef,
      caller,
      `You are not allowed to hold the review of ${scope.entityRef}; its owners and administrators may`,
    );
    const existing = await this.#findHeld(scope.entityRef, period);
    if (existing) {
      throw heldConflict(existing);
    }
    // The snapshot counts every record: readers see its figures only when
    // they may count every record too (see #present).
    const review = await this.#build(
      entityRef,
      period,
      { ...caller, probe: caller.probe.withFilter(undefined) },
      {},
    );
    const row: HeldReviewRow = {
      id: randomUUID(),
      entity_ref: scope.entityRef,
      period_from: period.from,
      period_to: period.to,
      label: period.label,
      held_by: caller.actor,
      held_at: caller.probe.now,
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
    return this.#present(row, period, caller);
  }

  /**
   * Replaces the decisions of a held review, keeping the change (who, when,
   * before and after) in its history. The figures stay frozen.
   */
  async amend(
    id: string,
    decisions: string,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    const held = await this.#requireUpdatable(id, caller, 'amend');
    const { db } = this.options;
    await db.transaction(async tx => {
      const query = tx<HeldReviewRow>(T_REVIEWS).where({ id });
      const current = await (db.client.config.client === 'pg'
        ? query.forUpdate()
        : query
      ).first();
      if (!current) {
        throw notHeld(id);
      }
      if (current.decisions === decisions) {
        return;
      }
      await tx(T_REVIEWS).where({ id }).update({ decisions });
      await tx(T_AMENDMENTS).insert({
        review_id: id,
        at: caller.probe.now,
        actor: caller.actor,
        decisions_before: current.decisions,
        decisions_after: decisions,
      });
    });
    const row = await this.#findById(id);
    if (!row) {
      throw notHeld(id);
    }
    return this.#present(row, periodOf(held), caller);
  }

  /**
   * Releases a held review: the snapshot and its amendments are deleted, and
   * the period reads live again until someone holds it anew.
   */
  async release(id: string, caller: ReviewCaller): Promise<ReleasedReview> {
    const held = await this.#requireUpdatable(id, caller, 'release');
    await this.options.db.transaction(async tx => {
      await tx(T_AMENDMENTS).where({ review_id: id }).delete();
      if ((await tx(T_REVIEWS).where({ id }).delete()) === 0) {
        throw notHeld(id);
      }
    });
    return {
      id,
      entityRef: held.entity_ref,
      period: held.label,
      decisions: held.decisions,
    };
  }

  /** The held review, when the caller sees its entity and may change it. */
  async #requireUpdatable(
    id: string,
    caller: ReviewCaller,
    verb: 'amend' | 'release',
  ): Promise<HeldReviewRow> {
    const held = await this.#findById(id);
    if (!held) {
      throw notHeld(id);
    }
    try {
      await caller.probe.scope(held.entity_ref);
    } catch (error) {
      // An entity the caller cannot see: so is its review.
      if ((error as Error).name === 'NotFoundError') {
        throw notHeld(id);
      }
      throw error;
    }
    await this.#authorize(
      itsmReviewUpdatePermission,
      held.entity_ref,
      caller,
      `You are not allowed to ${verb} the held review of ${held.entity_ref}; its owners and administrators may`,
    );
    return held;
  }

  async #authorize(
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
    caller: ReviewCaller,
    message: string,
  ): Promise<void> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials: caller.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(message);
    }
  }

  /** The review computed now, as the caller may see it. */
  #live(
    entityRef: string,
    period: ReviewPeriod,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    return this.#build(entityRef, period, caller, {
      record: caller.recordFilter,
      metrics: caller.metricsFilter,
      improvement: caller.improvementFilter,
    });
  }

  /**
   * A held review for one reader. The snapshot counts every record, so its
   * figures go only to readers whose `itsm.metrics.read` is unconditional;
   * anyone else gets the figures and lists computed now under their
   * conditions, with the decisions of the hold (`held.figures: 'live'`).
   */
  async #present(
    row: HeldReviewRow,
    period: ReviewPeriod,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    const amendments = await this.#amendments(row.id);
    if (caller.metricsFilter === undefined) {
      const snapshot: ItsmServiceReview = JSON.parse(row.snapshot);
      return this.#forReader(
        { ...snapshot, held: heldOf(row, amendments, 'frozen') },
        caller,
      );
    }
    const live = await this.#live(row.entity_ref, period, caller);
    return { ...live, held: heldOf(row, amendments, 'live') };
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

  async #findById(id: string): Promise<HeldReviewRow | undefined> {
    return this.options.db<HeldReviewRow>(T_REVIEWS).where({ id }).first();
  }

  async #amendments(reviewId: string): Promise<ItsmHeldReviewAmendment[]> {
    const rows: AmendmentRow[] = await this.options
      .db<AmendmentRow>(T_AMENDMENTS)
      .where({ review_id: reviewId })
      .orderBy('seq');
    return rows.map(r => ({
      at: new Date(Number(r.at)).toISOString(),
      by: r.actor,
      decisions: { from: r.decisions_before, to: r.decisions_after },
    }));
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
          entities: scope.entities,
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

function notHeld(id: string): NotFoundError {
  return new NotFoundError(`No held review found with id '${id}'`);
}

function periodOf(row: HeldReviewRow): ReviewPeriod {
  return {
    label: row.label,
    from: Number(row.period_from),
    to: Number(row.period_to),
    named: !row.label.includes('..'),
  };
}

function heldOf(
  row: HeldReviewRow,
  amendments: ItsmHeldReviewAmendment[],
  figures: ItsmHeldReview['figures'],
): ItsmHeldReview {
  return {
    id: row.id,
    heldBy: row.held_by,
    heldAt: new Date(Number(row.held_at)).toISOString(),
    decisions: row.decisions,
    amendments,
    figures,
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
