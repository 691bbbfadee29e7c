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

import {
  Entity,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ITSM_BUILTIN_METRIC_DEFINITIONS,
  itsmOwnerRefOf,
  ItsmMetricDefinition,
  ItsmMetricUnit,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';

/**
 * Who owns the actions agreed at a review: a group owns its own review; an
 * entity's owner from its `ownedBy` relation, else `spec.owner`.
 */
export function reviewOwnerRef(
  entityRef: string,
  entity?: Entity,
): string | undefined {
  if (entityRef.toLowerCase().startsWith('group:')) return entityRef;
  if (!entity) return undefined;
  if (entity.kind.toLowerCase() === 'group') return stringifyEntityRef(entity);
  const related = entity.relations?.find(
    r => r.type === RELATION_OWNED_BY,
  )?.targetRef;
  if (related) return related;
  return itsmOwnerRefOf(entity);
}

/** `service-review-component-default-payments-api-2026-Q3.md`. */
export function reviewFileName(entityRef: string, period: string): string {
  const slug = (s: string) =>
    s
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase();
  return `service-review-${slug(entityRef)}-${period}.md`;
}

/** Saves text as a file through the browser's download. */
export function downloadText(text: string, fileName: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  try {
    anchor.click();
  } finally {
    anchor.remove();
    URL.revokeObjectURL(url);
  }
}

/** The unit and title of a metric an improvement names, from the review or the built-ins. */
export function reviewMetricInfo(
  review: ItsmServiceReview,
  metricId: string,
): { title: string; unit: ItsmMetricUnit } {
  const definition =
    review.metrics[metricId]?.definition ??
    (
      ITSM_BUILTIN_METRIC_DEFINITIONS as Record<
        string,
        ItsmMetricDefinition | undefined
      >
    )[metricId];
  return {
    title: definition?.title ?? metricId,
    unit: review.metrics[metricId]?.unit ?? definition?.unit ?? 'count',
  };
}

/** Whether a review has nothing in it: no metric with observations and no record listed. */
export function isEmptyReview(review: ItsmServiceReview): boolean {
  return (
    Object.values(review.metrics).every(m => m.n === 0) &&
    review.worstIncidents.length === 0 &&
    review.failedChanges.length === 0 &&
    review.slaBreaches.length === 0 &&
    review.openProblems.length === 0 &&
    review.hiddenRecordCount === 0
  );
}

/** Whether the review's hold button works, and why not when it does not. */
export interface HoldAvailability {
  enabled: boolean;
  /** Shown beside a disabled button; none while the permission is asked. */
  reason?: string;
}

/**
 * A review can be held once its month or quarter has ended (the backend
 * refuses the current and future periods), by those the permission policy
 * allows `itsm.review.hold` on the entity (its owners and administrators in
 * the demo).
 */
export function holdAvailability(
  review: Pick<ItsmServiceReview, 'period'>,
  permission: { allowed: boolean; loading: boolean },
  now: number = Date.now(),
): HoldAvailability {
  const end = Date.parse(review.period.to);
  if (end > now) {
    const from = new Date(end).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    });
    return {
      enabled: false,
      reason: `A review can be held once its period has ended: from ${from}.`,
    };
  }
  if (permission.loading) {
    return { enabled: false };
  }
  if (!permission.allowed) {
    return {
      enabled: false,
      reason:
        'Only the owners of this entity and ITSM administrators can hold its review.',
    };
  }
  return { enabled: true };
}
