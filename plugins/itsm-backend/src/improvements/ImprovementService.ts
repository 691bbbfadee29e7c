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
import type {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ITSM_DEPARTMENT,
  ITSM_IMPROVEMENT_TRANSITIONS,
  ItsmImprovement,
  ItsmImprovementDetails,
  ItsmImprovementEvent,
  ItsmImprovementList,
  ItsmImprovementMetric,
  ItsmImprovementProgress,
} from '@backstage-itsm/plugin-itsm-common';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { DateTime } from 'luxon';
import type { ItsmStore, RecordFilter } from '../database/ItsmStore';
import type { MetricsEngine } from '../metrics/MetricsEngine';
import type { ImprovementFilter } from '../permissions/improvementRules';
import { MeasurementBudgetExceededError, MetricProbe } from './MetricProbe';
import {
  ImprovementStore,
  ListImprovementsQuery,
  NewImprovementEvent,
  StoredImprovement,
} from './ImprovementStore';
import { computeProgress, isBetterThan } from './progress';
import {
  CreateImprovementInput,
  invalidField,
  MetricBindingInput,
  UpdateImprovementInput,
} from './validation';

/**
 * Whom the caller may name as the owner of an improvement: anyone when
 * `admin` (the policy allows them `itsm.improvement.update` without
 * conditions), else themself or a group they belong to.
 */
export interface OwnerChoice {
  admin: boolean;
}

/** Who is asking, and what they may see. */
export interface ImprovementCaller {
  credentials: BackstageCredentials;
  /** The user or service ref written to the history. */
  actor: string;
  /** The caller's `itsm.record.read` filter (motivating records). */
  recordFilter: RecordFilter | undefined;
  /** Reads metrics under the caller's `itsm.metrics.read` filter. */
  probe: MetricProbe;
}

const EDITABLE_FIELDS = [
  'title',
  'description',
  'entityRefs',
  'ownerRef',
  'priority',
  'dueDate',
  'recordIds',
  'status',
  'metric',
] as const;

/**
 * The continual-improvement register: validation, history, baselines taken
 * from the metrics engine on approval, and progress measured from live
 * metrics on every read.
 */
export class ImprovementService {
  constructor(
    private readonly options: {
      store: ImprovementStore;
      records: ItsmStore;
      metrics: MetricsEngine;
      catalog: CatalogService;
      /** The caller's ownership claims, for the owners they may name. */
      userInfo: UserInfoService;
    },
  ) {}

  async list(
    query: ListImprovementsQuery,
    caller: ImprovementCaller,
  ): Promise<ItsmImprovementList> {
    const { items, totalCount } = await this.options.store.list(query);
    return { items: await this.enrich(items, caller), totalCount };
  }

  async get(
    id: string,
    caller: ImprovementCaller,
    filter: ImprovementFilter | undefined,
  ): Promise<ItsmImprovementDetails> {
    const item = await this.#require(id, filter);
    const [enriched] = await this.enrich([item], caller);
    const events = await this.options.store.listEvents(id);
    return { ...enriched, events: await this.#sealEvents(events, caller) };
  }

  async create(
    input: CreateImprovementInput,
    caller: ImprovementCaller,
    owners: OwnerChoice,
  ): Promise<ItsmImprovement> {
    const now = caller.probe.now;
    if (input.dueDate !== null && input.dueDate < today(now)) {
      throw invalidField(
        'dueDate',
        `must be today (${today(now)}) or later, got ${input.dueDate}`,
      );
    }
    const entities = await this.#entities(input.entityRefs, caller);
    const ownerRef = await this.#owner(input.ownerRef, caller, owners);
    await this.#checkRecords(input.recordIds, caller);
    const metric = input.metric
      ? await this.#binding(input.metric, entities[0], caller)
      : null;
    if (metric) {
      // Not yet a baseline: the current value, so a target that is already
      // met, or worse than today, is refused as it would be on approval.
      const current = await caller.probe.current(
        metric.metricId,
        metric.entityRef,
        metric.windowDays,
      );
      checkTarget(metric, current.value, 'the current value');
    }
    const at = new Date(now).toISOString();
    const item: StoredImprovement = {
      id: randomUUID(),
      title: input.title,
      description: input.description,
      entityRefs: entities.map(e => stringifyEntityRef(e)),
      ownerRef,
      department:
        input.department ??
        entities
          .map(e => e.metadata.annotations?.[ANNOTATION_ITSM_DEPARTMENT])
          .find(Boolean) ??
        'it',
      status: 'proposed',
      priority: input.priority,
      dueDate: input.dueDate,
      recordIds: [...new Set(input.recordIds)],
      metric,
      createdAt: at,
      createdBy: caller.actor,
      updatedAt: at,
      updatedBy: caller.actor,
      completedAt: null,
    };
    await this.options.store.create(item, {
      actor: caller.actor,
      type: 'created',
      changes: { status: { from: null, to: 'proposed' } },
      comment: input.comment ?? null,
    });
    const [enriched] = await this.enrich([item], caller);
    return enriched;
  }

  /**
   * Applies a change. `readFilter` decides whether the caller sees the item
   * at all (404), `updateFilter` whether they may change it (403); a caller
   * whose update is unconditional may name any owner, others only
   * themselves or their groups.
   */
  async update(
    id: string,
    input: UpdateImprovementInput,
    caller: ImprovementCaller,
    filters: {
      read: ImprovementFilter | undefined;
      update: ImprovementFilter | undefined;
    },
  ): Promise<ItsmImprovement> {
    const before = await this.#require(id, filters.read);
    if (filters.update && !(await this.options.store.get(id, filters.update))) {
      throw new NotAllowedError(
        `You are not allowed to change improvement '${id}'; its owner and administrators may`,
      );
    }
    const now = caller.probe.now;
    const next: StoredImprovement = { ...before };
    if (input.title !== undefined) next.title = input.title;
    if (input.description !== undefined) next.description = input.description;
    if (input.priority !== undefined) next.priority = input.priority;
    let primary: Entity | undefined;
    if (input.entityRefs !== undefined) {
      const entities = await this.#entities(input.entityRefs, caller);
      next.entityRefs = entities.map(e => stringifyEntityRef(e));
      primary = entities[0];
    }
    if (input.ownerRef !== undefined && input.ownerRef !== before.ownerRef) {
      next.ownerRef = await this.#owner(input.ownerRef, caller, {
        admin: filters.update === undefined,
      });
    }
    if (input.recordIds !== undefined) {
      const added = input.recordIds.filter(r => !before.recordIds.includes(r));
      await this.#checkRecords(added, caller);
      // Links the caller cannot see are not theirs to remove.
      const readable = await this.#readable(before.recordIds, caller);
      const hidden = before.recordIds.filter(r => !readable.has(r));
      next.recordIds = [...new Set([...input.recordIds, ...hidden])];
    }
    if (input.dueDate !== undefined && input.dueDate !== before.dueDate) {
      if (input.dueDate !== null && input.dueDate < today(now)) {
        throw invalidField(
          'dueDate',
          `must be today (${today(now)}) or later, got ${input.dueDate}`,
        );
      }
      next.dueDate = input.dueDate;
    }

    if (input.status !== undefined && input.status !== before.status) {
      const allowed = ITSM_IMPROVEMENT_TRANSITIONS[before.status];
      if (!allowed.includes(input.status)) {
        throw invalidField(
          'status',
          `cannot go from ${before.status} to ${input.status}; from ${
            before.status
          } the next status is ${
            allowed.length ? allowed.join(' or ') : 'none (it is final)'
          }`,
        );
      }
      next.status = input.status;
      next.completedAt =
        input.status === 'done' ? new Date(now).toISOString() : null;
    }

    const events: NewImprovementEvent[] = [];
    if (input.metric !== undefined) {
      if (input.metric === null) {
        next.metric = null;
      } else {
        const entity =
          primary ?? (await caller.probe.scope(next.entityRefs[0])).entity;
        const binding = await this.#binding(input.metric, entity, caller);
        const old = before.metric;
        const sameMeasure =
          old !== null &&
          old.metricId === binding.metricId &&
          old.entityRef === binding.entityRef &&
          old.windowDays === binding.windowDays;
        next.metric = sameMeasure
          ? {
              ...binding,
              baseline: old.baseline,
              baselineN: old.baselineN,
              baselineCapturedAt: old.baselineCapturedAt,
            }
          : binding;
      }
    }

    // A baseline is taken when the item is approved, and again when an
    // approved item is bound to a different measure.
    const approvedOrLater = ['approved', 'in_progress', 'done'].includes(
      next.status,
    );
    if (next.metric && approvedOrLater && next.metric.baseline === null) {
      const value = await caller.probe.current(
        next.metric.metricId,
        next.metric.entityRef,
        next.metric.windowDays,
      );
      checkTarget(next.metric, value.value, 'the baseline');
      // Without data there is no baseline yet; the next change after data
      // arrives takes it.
      if (value.value !== null) {
        next.metric = {
          ...next.metric,
          baseline: value.value,
          baselineN: value.n,
          baselineCapturedAt: new Date(now).toISOString(),
        };
        events.push({
          actor: caller.actor,
          type: 'baseline_captured',
          changes: {
            baseline: {
              from: before.metric?.baseline ?? null,
              to: value.value,
            },
          },
          comment: `${value.n} records from ${new Date(
            value.from,
          ).toISOString()} to ${new Date(value.to).toISOString()}`,
        });
      }
    } else if (next.metric && next.metric.baseline !== null) {
      checkTarget(next.metric, next.metric.baseline, 'the baseline');
    }

    const changes = diff(before, next);
    if (Object.keys(changes).length === 0 && events.length === 0) {
      if (!input.comment) {
        const [same] = await this.enrich([before], caller);
        return same;
      }
    }
    next.updatedAt = new Date(
      Math.max(now, Date.parse(before.updatedAt) + 1),
    ).toISOString();
    next.updatedBy = caller.actor;
    let type: NewImprovementEvent['type'] = 'commented';
    if ('status' in changes) {
      type = 'status_changed';
    } else if (Object.keys(changes).length > 0) {
      type = 'updated';
    }
    const main: NewImprovementEvent = {
      actor: caller.actor,
      type,
      changes,
      comment: input.comment ?? null,
    };
    if (main.type !== 'commented' || main.comment) {
      events.unshift(main);
    }
    await this.options.store.update(next, before.updatedAt, events);
    const [enriched] = await this.enrich([next], caller);
    return enriched;
  }

  async delete(
    id: string,
    filters: {
      read: ImprovementFilter | undefined;
      delete: ImprovementFilter | undefined;
    },
  ): Promise<StoredImprovement> {
    const item = await this.#require(id, filters.read);
    if (filters.delete && !(await this.options.store.get(id, filters.delete))) {
      throw new NotAllowedError(
        `You are not allowed to delete improvement '${id}'; its owner and administrators may`,
      );
    }
    await this.options.store.delete(id);
    return item;
  }

  /** Adds progress from live metrics and the motivating records the caller may read. */
  async enrich(
    items: StoredImprovement[],
    caller: ImprovementCaller,
  ): Promise<ItsmImprovement[]> {
    const visible = new Map(
      (
        await this.options.records.getRecords(
          items.flatMap(i => i.recordIds),
          caller.recordFilter,
        )
      ).map(r => [r.id, r]),
    );
    return Promise.all(
      items.map(async item => {
        const records = item.recordIds.flatMap(id => {
          const r = visible.get(id);
          return r
            ? [{ id: r.id, number: r.number, title: r.title, kind: r.kind }]
            : [];
        });
        // The ids themselves stay here: a sealed record's id is not the caller's.
        const { recordIds, ...shown } = item;
        return {
          ...shown,
          records,
          hiddenRecordCount: recordIds.length - records.length,
          progress: await this.progress(item, caller.probe),
        };
      }),
    );
  }

  async progress(
    item: StoredImprovement,
    probe: MetricProbe,
  ): Promise<ItsmImprovementProgress> {
    const { metric } = item;
    if (!metric) {
      return computeProgress({ ...item, metric: null, now: probe.now });
    }
    try {
      const [current, weeks] = await Promise.all([
        probe.current(metric.metricId, metric.entityRef, metric.windowDays),
        probe.weeks(metric.metricId, metric.entityRef, metric.sustainWeeks),
      ]);
      return computeProgress({
        ...item,
        current,
        weeks,
        now: probe.now,
      });
    } catch (error) {
      if ((error as Error).name === 'NotFoundError') {
        // The entity left the catalog: nothing to measure any more.
        return computeProgress({ ...item, now: probe.now });
      }
      if (error instanceof MeasurementBudgetExceededError) {
        return {
          ...computeProgress({ ...item, now: probe.now }),
          status: 'not_measured',
        };
      }
      throw error;
    }
  }

  /** The ids among `ids` that the caller may read. */
  async #readable(
    ids: string[],
    caller: ImprovementCaller,
  ): Promise<Set<string>> {
    if (ids.length === 0) {
      return new Set();
    }
    const records = await this.options.records.getRecords(
      ids,
      caller.recordFilter,
    );
    return new Set(records.map(r => r.id));
  }

  /** History as the caller may see it: record ids they may not read are left out. */
  async #sealEvents(
    events: ItsmImprovementEvent[],
    caller: ImprovementCaller,
  ): Promise<ItsmImprovementEvent[]> {
    const lists = (e: ItsmImprovementEvent) => {
      const change = e.changes.recordIds;
      return change
        ? [change.from, change.to].filter((v): v is string[] =>
            Array.isArray(v),
          )
        : [];
    };
    const readable = await this.#readable(
      [...new Set(events.flatMap(e => lists(e).flat()))],
      caller,
    );
    const keep = (v: unknown) =>
      Array.isArray(v) ? v.filter(id => readable.has(id)) : v;
    return events.map(e => {
      const change = e.changes.recordIds;
      if (!change) {
        return e;
      }
      const from = keep(change.from);
      const to = keep(change.to);
      const changes = { ...e.changes };
      if (JSON.stringify(from) === JSON.stringify(to)) {
        delete changes.recordIds;
      } else {
        changes.recordIds = { from, to };
      }
      return { ...e, changes };
    });
  }

  async #require(
    id: string,
    filter: ImprovementFilter | undefined,
  ): Promise<StoredImprovement> {
    const item = await this.options.store.get(id, filter);
    if (!item) {
      throw new NotFoundError(`No improvement found with id '${id}'`);
    }
    return item;
  }

  async #entities(
    refs: string[],
    caller: ImprovementCaller,
  ): Promise<Entity[]> {
    const { items } = await this.options.catalog.getEntitiesByRefs(
      {
        entityRefs: refs,
        fields: ['kind', 'metadata', 'spec.owner'],
      },
      { credentials: caller.credentials },
    );
    return refs.map((ref, i) => {
      const entity = items[i];
      if (!entity) {
        throw invalidField(
          `entityRefs[${i}]`,
          `no entity '${ref}' in the catalog`,
        );
      }
      return entity;
    });
  }

  /** The owner of an item: a group or user in the catalog the caller may name. */
  async #owner(
    ownerRef: string,
    caller: ImprovementCaller,
    owners: OwnerChoice,
  ): Promise<string> {
    const { kind } = parseEntityRef(ownerRef);
    if (kind !== 'group' && kind !== 'user') {
      throw invalidField('ownerRef', `must be a group or a user, got ${kind}`);
    }
    const entity = await this.options.catalog.getEntityByRef(ownerRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw invalidField('ownerRef', `no ${kind} '${ownerRef}' in the catalog`);
    }
    if (!owners.admin) {
      const claims = await this.#claims(caller.credentials);
      if (!claims.includes(ownerRef)) {
        throw new NotAllowedError(
          `ownerRef: you may name yourself or a group you belong to (${
            claims.join(', ') || 'none'
          }), not '${ownerRef}'; administrators may name any owner`,
        );
      }
    }
    return ownerRef;
  }

  /** The caller's ownership claims (themself and their groups); none for a service. */
  async #claims(credentials: BackstageCredentials): Promise<string[]> {
    const principal = credentials.principal as { type?: string };
    if (principal.type !== 'user') {
      return [];
    }
    const info = await this.options.userInfo.getUserInfo(credentials);
    return info.ownershipEntityRefs;
  }

  async #checkRecords(ids: string[], caller: ImprovementCaller): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    const found = new Set(
      (await this.options.records.getRecords(ids, caller.recordFilter)).map(
        r => r.id,
      ),
    );
    const missing = ids.findIndex(id => !found.has(id));
    if (missing >= 0) {
      throw invalidField(
        `recordIds[${missing}]`,
        `no record '${ids[missing]}' that you may read`,
      );
    }
  }

  async #binding(
    input: MetricBindingInput,
    primary: Entity,
    caller: ImprovementCaller,
  ): Promise<ItsmImprovementMetric> {
    const definition = this.options.metrics.definition(input.metricId);
    if (!definition) {
      throw invalidField(
        'metric.metricId',
        `unknown metric '${
          input.metricId
        }'; known: ${this.options.metrics.metricIds.join(', ')}`,
      );
    }
    if (!definition.direction) {
      throw invalidField(
        'metric.metricId',
        `${definition.title} has no better direction to improve towards`,
      );
    }
    const entityRef = input.entityRef ?? stringifyEntityRef(primary);
    try {
      await caller.probe.scope(entityRef);
    } catch (error) {
      if ((error as Error).name === 'NotFoundError') {
        throw invalidField(
          'metric.entityRef',
          `no entity '${entityRef}' in the catalog`,
        );
      }
      throw error;
    }
    if (definition.unit === 'ratio' && (input.target < 0 || input.target > 1)) {
      throw invalidField(
        'metric.target',
        `${definition.title} is a ratio from 0 to 1, got ${input.target}`,
      );
    }
    if (definition.unit !== 'score' && input.target < 0) {
      throw invalidField(
        'metric.target',
        `${definition.title} cannot be negative, got ${input.target}`,
      );
    }
    return {
      metricId: input.metricId,
      entityRef,
      target: input.target,
      direction: definition.direction,
      windowDays: input.windowDays,
      sustainWeeks: input.sustainWeeks,
      baseline: null,
      baselineN: null,
      baselineCapturedAt: null,
    };
  }
}

/** Refuses a target that is not an improvement on `reference`. */
function checkTarget(
  metric: ItsmImprovementMetric,
  reference: number | null,
  what: string,
): void {
  if (reference === null) {
    return;
  }
  if (!isBetterThan(metric.target, reference, metric.direction)) {
    const side = metric.direction === 'lower_is_better' ? 'below' : 'above';
    throw invalidField(
      'metric.target',
      `the target ${metric.target} must be ${side} ${what} ${reference} for ${
        metric.metricId
      } (${metric.direction.replace(/_/g, ' ')})`,
    );
  }
}

function today(now: number): string {
  return DateTime.fromMillis(now, { zone: 'utc' }).toISODate()!;
}

function diff(
  before: StoredImprovement,
  after: StoredImprovement,
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of EDITABLE_FIELDS) {
    const from =
      field === 'metric' ? bindingSummary(before.metric) : before[field];
    const to = field === 'metric' ? bindingSummary(after.metric) : after[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) {
      changes[field] = { from, to };
    }
  }
  return changes;
}

/** The parts of a binding a person chooses (the baseline has its own event). */
function bindingSummary(metric: ItsmImprovementMetric | null) {
  return metric
    ? {
        metricId: metric.metricId,
        entityRef: metric.entityRef,
        target: metric.target,
        windowDays: metric.windowDays,
        sustainWeeks: metric.sustainWeeks,
      }
    : null;
}
