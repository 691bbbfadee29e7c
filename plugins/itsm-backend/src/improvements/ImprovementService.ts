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
  ItsmImprovementCreateInput,
  ItsmImprovementList,
  ItsmImprovementProgress,
  ItsmImprovementUpdateInput,
} from '@backstage-itsm/plugin-itsm-common';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { ItsmStore, RecordFilter } from '../database/ItsmStore';
import type { MetricsEngine } from '../metrics/MetricsEngine';
import type { ImprovementFilter } from '../permissions/improvementRules';
import { invalidField } from '../service/validation';
import {
  changeEvent,
  diffImprovements,
  eventRecordIds,
  sealEvents,
} from './improvementHistory';
import {
  checkDueDate,
  checkTarget,
  ImprovementInputs,
} from './ImprovementInputs';
import type {
  ImprovementStore,
  ListImprovementsQuery,
  NewImprovementEvent,
  StoredImprovement,
} from './ImprovementStore';
import { measureProgress } from './measureProgress';
import type { MetricProbe } from './MetricProbe';

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

/**
 * The continual-improvement register: validation, history, baselines taken
 * from the metrics engine on approval, and progress measured from live
 * metrics on every read.
 */
export class ImprovementService {
  readonly #store: ImprovementStore;
  readonly #records: ItsmStore;
  readonly #inputs: ImprovementInputs;

  constructor(options: {
    store: ImprovementStore;
    records: ItsmStore;
    metrics: MetricsEngine;
    catalog: CatalogService;
    /** The caller's ownership claims, for the owners they may name. */
    userInfo: UserInfoService;
  }) {
    this.#store = options.store;
    this.#records = options.records;
    this.#inputs = new ImprovementInputs(options);
  }

  async list(
    query: ListImprovementsQuery,
    caller: ImprovementCaller,
  ): Promise<ItsmImprovementList> {
    const { items, totalCount } = await this.#store.list(query);
    return { items: await this.enrich(items, caller), totalCount };
  }

  async get(
    id: string,
    caller: ImprovementCaller,
    filter: ImprovementFilter | undefined,
  ): Promise<ItsmImprovementDetails> {
    const item = await this.#require(id, filter);
    const [enriched] = await this.enrich([item], caller);
    const events = await this.#store.listEvents(id);
    const readable = await this.#inputs.readable(
      [...new Set(events.flatMap(eventRecordIds))],
      caller.recordFilter,
    );
    return { ...enriched, events: sealEvents(events, readable) };
  }

  async create(
    input: ItsmImprovementCreateInput,
    caller: ImprovementCaller,
    owners: OwnerChoice,
  ): Promise<ItsmImprovement> {
    const now = caller.probe.now;
    checkDueDate(input.dueDate, now);
    const entities = await this.#inputs.entities(
      input.entityRefs,
      caller.credentials,
    );
    const ownerRef = await this.#inputs.owner(
      input.ownerRef,
      caller.credentials,
      owners.admin,
    );
    await this.#inputs.checkRecords(input.recordIds, caller.recordFilter);
    const metric = input.metric
      ? await this.#inputs.binding(input.metric, entities[0], caller.probe)
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
    await this.#store.create(item, {
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
    input: ItsmImprovementUpdateInput,
    caller: ImprovementCaller,
    filters: {
      read: ImprovementFilter | undefined;
      update: ImprovementFilter | undefined;
    },
  ): Promise<ItsmImprovement> {
    const before = await this.#requireAllowed(
      id,
      filters.read,
      filters.update,
      'change',
    );
    const now = caller.probe.now;
    const next: StoredImprovement = { ...before };
    if (input.title !== undefined) next.title = input.title;
    if (input.description !== undefined) next.description = input.description;
    if (input.priority !== undefined) next.priority = input.priority;
    let primary: Entity | undefined;
    if (input.entityRefs !== undefined) {
      const entities = await this.#inputs.entities(
        input.entityRefs,
        caller.credentials,
      );
      next.entityRefs = entities.map(e => stringifyEntityRef(e));
      primary = entities[0];
    }
    if (input.ownerRef !== undefined && input.ownerRef !== before.ownerRef) {
      next.ownerRef = await this.#inputs.owner(
        input.ownerRef,
        caller.credentials,
        filters.update === undefined,
      );
    }
    if (input.recordIds !== undefined) {
      const added = input.recordIds.filter(r => !before.recordIds.includes(r));
      await this.#inputs.checkRecords(added, caller.recordFilter);
      // Links the caller cannot see are not theirs to remove.
      const readable = await this.#inputs.readable(
        before.recordIds,
        caller.recordFilter,
      );
      const hidden = before.recordIds.filter(r => !readable.has(r));
      next.recordIds = [...new Set([...input.recordIds, ...hidden])];
    }
    if (input.dueDate !== undefined && input.dueDate !== before.dueDate) {
      checkDueDate(input.dueDate, now);
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

    if (input.metric !== undefined) {
      if (input.metric === null) {
        next.metric = null;
      } else {
        const entity =
          primary ?? (await caller.probe.scope(next.entityRefs[0])).entity;
        const binding = await this.#inputs.binding(
          input.metric,
          entity,
          caller.probe,
        );
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

    const events = await this.#takeBaseline(before, next, caller);
    const changes = diffImprovements(before, next);
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
    const main = changeEvent(caller.actor, changes, input.comment);
    if (main) {
      events.unshift(main);
    }
    await this.#store.update(next, before.updatedAt, events);
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
    const item = await this.#requireAllowed(
      id,
      filters.read,
      filters.delete,
      'delete',
    );
    await this.#store.delete(id);
    return item;
  }

  /** Adds progress from live metrics and the motivating records the caller may read. */
  async enrich(
    items: StoredImprovement[],
    caller: ImprovementCaller,
  ): Promise<ItsmImprovement[]> {
    const visible = new Map(
      (
        await this.#records.getRecords(
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
    return measureProgress(item, probe);
  }

  /**
   * A baseline is taken when the item is approved, and again when an
   * approved item is bound to a different measure; sets it on `next` and
   * returns its history event. A target must improve on the baseline.
   */
  async #takeBaseline(
    before: StoredImprovement,
    next: StoredImprovement,
    caller: ImprovementCaller,
  ): Promise<NewImprovementEvent[]> {
    const approvedOrLater = ['approved', 'in_progress', 'done'].includes(
      next.status,
    );
    if (!next.metric || !approvedOrLater || next.metric.baseline !== null) {
      if (next.metric && next.metric.baseline !== null) {
        checkTarget(next.metric, next.metric.baseline, 'the baseline');
      }
      return [];
    }
    const value = await caller.probe.current(
      next.metric.metricId,
      next.metric.entityRef,
      next.metric.windowDays,
    );
    checkTarget(next.metric, value.value, 'the baseline');
    // Without data there is no baseline yet; the next change after data
    // arrives takes it.
    if (value.value === null) {
      return [];
    }
    next.metric = {
      ...next.metric,
      baseline: value.value,
      baselineN: value.n,
      baselineCapturedAt: new Date(caller.probe.now).toISOString(),
    };
    return [
      {
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
      },
    ];
  }

  async #require(
    id: string,
    filter: ImprovementFilter | undefined,
  ): Promise<StoredImprovement> {
    const item = await this.#store.get(id, filter);
    if (!item) {
      throw new NotFoundError(`No improvement found with id '${id}'`);
    }
    return item;
  }

  /**
   * The item, when the caller sees it (else 404) and `allowed` lets them
   * `verb` it (else 403).
   */
  async #requireAllowed(
    id: string,
    read: ImprovementFilter | undefined,
    allowed: ImprovementFilter | undefined,
    verb: 'change' | 'delete',
  ): Promise<StoredImprovement> {
    const item = await this.#require(id, read);
    if (allowed && !(await this.#store.get(id, allowed))) {
      throw new NotAllowedError(
        `You are not allowed to ${verb} improvement '${id}'; its owner and administrators may`,
      );
    }
    return item;
  }
}
