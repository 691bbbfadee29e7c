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

import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  type ItsmHeldReview,
  type ItsmHeldReviewAmendment,
  type ItsmReviewImprovement,
  type ItsmReviewRecord,
  type ItsmServiceReview,
  parseItsmReviewPeriod,
} from '@backstage-itsm/plugin-itsm-common';
import type { ItsmStore, RecordFilter } from '../database/ItsmStore';
import type { ImprovementStore } from '../improvements/ImprovementStore';
import type { ImprovementFilter } from '../permissions/improvementRules';
import type { ReviewWindow } from './period';
import type { HeldReview } from './ReviewStore';

/** The window a review was held for. */
export function heldWindow(held: HeldReview): ReviewWindow {
  const period = parseItsmReviewPeriod(held.label);
  return {
    label: held.label,
    from: held.from,
    to: held.to,
    ...(period ? { period } : {}),
  };
}

/** The `held` part of a review: who held it, when, the decisions and how figures are shown. */
export function heldOf(
  held: HeldReview,
  amendments: ItsmHeldReviewAmendment[],
  figures: ItsmHeldReview['figures'],
): ItsmHeldReview {
  return {
    id: held.id,
    heldBy: held.heldBy,
    heldAt: new Date(held.heldAt).toISOString(),
    decisions: held.decisions,
    amendments,
    figures,
  };
}

export function heldConflict(held: HeldReview): ConflictError {
  return new ConflictError(
    `The review of ${held.entityRef} for ${held.label} was already held by ${
      held.heldBy
    } on ${new Date(held.heldAt).toISOString()}`,
  );
}

export function notHeld(id: string): NotFoundError {
  return new NotFoundError(`No held review found with id '${id}'`);
}

/**
 * A held review's snapshot as one reader may see it: records and
 * improvements they may not read are left out, and the records counted
 * as hidden.
 */
export async function sealHeldReview(
  sources: { records: ItsmStore; improvementStore: ImprovementStore },
  review: ItsmServiceReview,
  filters: {
    record: RecordFilter | undefined;
    improvement: ImprovementFilter | undefined;
  },
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
    (await sources.records.getRecords(recordIds, filters.record)).map(
      r => r.id,
    ),
  );
  const improvementIds = [
    ...review.improvements.due,
    ...review.improvements.overdue,
    ...review.improvements.completed,
  ].map(i => i.id);
  const visibleImprovements = new Set(
    (
      await sources.improvementStore.list({
        ids: improvementIds,
        filter: filters.improvement,
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
