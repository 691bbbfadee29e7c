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
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  itsmReviewHoldPermission,
  itsmReviewUpdatePermission,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import type { RecordFilter } from '../database/ItsmStore';
import type { ImprovementCaller } from '../improvements/ImprovementService';
import type { ImprovementFilter } from '../permissions/improvementRules';
import { buildReview, type ReviewSources } from './buildReview';
import {
  heldConflict,
  heldOf,
  heldWindow,
  notHeld,
  sealHeldReview,
} from './heldReviewView';
import type { ReviewWindow } from './period';
import type { HeldReview } from './ReviewStore';

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
    private readonly options: ReviewSources & {
      /** Decides hold, amend and release on the entity under review. */
      permissions: PermissionsService;
    },
  ) {}

  async getReview(
    entityRef: string,
    window: ReviewWindow,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    const scope = await caller.probe.scope(entityRef);
    const held = await this.options.store.findHeldReview(
      scope.entityRef,
      window,
    );
    if (held) {
      return this.#present(held, window, caller);
    }
    return this.#live(entityRef, window, caller);
  }

  /**
   * Holds the review of an ended month or quarter: saves it as it stands
   * now, with every record in it, so the same period reads the same later.
   * Holding a period twice is a conflict.
   */
  async hold(
    entityRef: string,
    window: ReviewWindow,
    decisions: string,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    if (!window.period || window.to > caller.probe.now) {
      throw new InputError(
        `Invalid body: period: only a month or quarter that has ended can be held, not ${window.label}`,
      );
    }
    const { store } = this.options;
    const scope = await caller.probe.scope(entityRef);
    await this.#authorize(
      itsmReviewHoldPermission,
      scope.entityRef,
      caller,
      `You are not allowed to hold the review of ${scope.entityRef}; its owners and administrators may`,
    );
    const existing = await store.findHeldReview(scope.entityRef, window);
    if (existing) {
      throw heldConflict(existing);
    }
    // The snapshot counts every record: readers see its figures only when
    // they may count every record too (see #present).
    const snapshot = await buildReview(
      this.options,
      entityRef,
      window,
      caller.probe.withFilter(undefined),
      {},
    );
    const held: HeldReview = {
      id: randomUUID(),
      entityRef: scope.entityRef,
      from: window.from,
      to: window.to,
      label: window.label,
      heldBy: caller.actor,
      heldAt: caller.probe.now,
      decisions,
      snapshot,
    };
    try {
      await store.createHeldReview(held);
    } catch (error) {
      // A concurrent hold of the same period won the unique key.
      const winner = await store.findHeldReview(scope.entityRef, window);
      if (winner) {
        throw heldConflict(winner);
      }
      throw error;
    }
    return this.#present(held, window, caller);
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
    const { store } = this.options;
    const amended = await store.amendHeldReview({
      id,
      decisions,
      at: caller.probe.now,
      actor: caller.actor,
    });
    const current = amended ? await store.getHeldReview(id) : undefined;
    if (!current) {
      throw notHeld(id);
    }
    return this.#present(current, heldWindow(held), caller);
  }

  /**
   * Releases a held review: the snapshot and its amendments are deleted, and
   * the period reads live again until someone holds it anew.
   */
  async release(id: string, caller: ReviewCaller): Promise<ReleasedReview> {
    const held = await this.#requireUpdatable(id, caller, 'release');
    if (!(await this.options.store.deleteHeldReview(id))) {
      throw notHeld(id);
    }
    return {
      id,
      entityRef: held.entityRef,
      period: held.label,
      decisions: held.decisions,
    };
  }

  /** The held review, when the caller sees its entity and may change it. */
  async #requireUpdatable(
    id: string,
    caller: ReviewCaller,
    verb: 'amend' | 'release',
  ): Promise<HeldReview> {
    const held = await this.options.store.getHeldReview(id);
    if (!held) {
      throw notHeld(id);
    }
    try {
      await caller.probe.scope(held.entityRef);
    } catch (error) {
      // An entity the caller cannot see: so is its review.
      if ((error as Error).name === 'NotFoundError') {
        throw notHeld(id);
      }
      throw error;
    }
    await this.#authorize(
      itsmReviewUpdatePermission,
      held.entityRef,
      caller,
      `You are not allowed to ${verb} the held review of ${held.entityRef}; its owners and administrators may`,
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
    window: ReviewWindow,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    return buildReview(this.options, entityRef, window, caller.probe, {
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
    held: HeldReview,
    window: ReviewWindow,
    caller: ReviewCaller,
  ): Promise<ItsmServiceReview> {
    const amendments = await this.options.store.listHeldReviewAmendments(
      held.id,
    );
    if (caller.metricsFilter === undefined) {
      const sealed = await sealHeldReview(this.options, held.snapshot, {
        record: caller.recordFilter,
        improvement: caller.improvementFilter,
      });
      return { ...sealed, held: heldOf(held, amendments, 'frozen') };
    }
    const live = await this.#live(held.entityRef, window, caller);
    return { ...live, held: heldOf(held, amendments, 'live') };
  }
}
