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
  ItsmReviewImprovement,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import type { ImprovementService } from '../improvements/ImprovementService';
import {
  type ImprovementStore,
  OPEN_STATUSES,
  type StoredImprovement,
} from '../improvements/ImprovementStore';
import type { MetricProbe } from '../improvements/MetricProbe';
import type { ImprovementFilter } from '../permissions/improvementRules';
import type { ReviewWindow } from './period';

/** Most improvements a review reads. */
const REVIEW_IMPROVEMENTS_LIMIT = 500;

/**
 * The improvements of a review: open items due in the window (not yet
 * overdue), open items overdue at its end (or now, for a window still
 * under way), and items completed in it, each with its progress.
 */
export async function summariseReviewImprovements(
  sources: {
    improvements: ImprovementService;
    improvementStore: ImprovementStore;
  },
  entityRefs: string[],
  window: ReviewWindow,
  probe: MetricProbe,
  filter: ImprovementFilter | undefined,
): Promise<ItsmServiceReview['improvements']> {
  const { items } = await sources.improvementStore.list({
    entityRefs,
    filter,
    limit: REVIEW_IMPROVEMENTS_LIMIT,
  });
  const fromDate = dateOf(window.from);
  const toDate = dateOf(window.to);
  const cutoff = dateOf(Math.min(window.to, probe.now));
  const open = (i: StoredImprovement) => OPEN_STATUSES.includes(i.status);
  const summarise = async (
    list: StoredImprovement[],
  ): Promise<ItsmReviewImprovement[]> =>
    Promise.all(
      list.map(async item => {
        const progress = await sources.improvements.progress(item, probe);
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

/** The UTC calendar date of an instant, `YYYY-MM-DD`. */
function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
