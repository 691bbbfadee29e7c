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

import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ItsmBuiltinMetricId,
  ItsmRecordKind,
  itsmOwnerRefOf,
} from '@backstage-itsm/plugin-itsm-common';
import type { ItsmProvider } from '@backstage-itsm/plugin-itsm-node';
import type {
  AllOfCriteria,
  AnyOfCriteria,
  NotCriteria,
} from '@backstage/plugin-permission-common';
import type { RecordCriterion, RecordFilter } from '../database/ItsmStore';

/**
 * The counts of DESIGN.md section 7: 0 when a source covers the entity and
 * nothing was counted, null only when none covers it.
 */
export const COUNT_METRIC_IDS: ReadonlySet<string> =
  new Set<ItsmBuiltinMetricId>([
    'incident_count',
    'change_count',
    'backlog',
    'problem_backlog',
  ]);

/** What the metrics need to know of a registered provider. */
export type CoverageSource = Pick<
  ItsmProvider,
  | 'id'
  | 'department'
  | 'kinds'
  | 'mapsOnAnnotations'
  | 'unmeasurable'
  | 'metricNotes'
>;

/** An entity of a metric's scope, as coverage reads it. */
export interface ScopeEntity {
  entityRef: string;
  /** Its owner (full ref), for the caller's `owner` conditions. */
  ownerRef: string | null;
  /** The annotations it bears with a non-empty value (keys only). */
  annotations: string[];
}

/** Whose sources cover a metric's scope. */
export interface ScopeCoverage {
  covered: boolean;
  /** The covering providers' ids, sorted: by annotation or by a record. */
  providerIds: string[];
  /** The annotations the registered providers map on, sorted. */
  annotations: string[];
}

/**
 * An entity as coverage reads it: the annotations whose value names at
 * least one id (as the resolver splits them, on commas), and its owner.
 */
export function scopeEntityOf(entity: Entity): ScopeEntity {
  const annotations = Object.entries(entity.metadata.annotations ?? {})
    .filter(
      ([, value]) =>
        typeof value === 'string' &&
        value.split(',').some(part => part.trim() !== ''),
    )
    .map(([key]) => key);
  return {
    entityRef: stringifyEntityRef(entity),
    ownerRef: itsmOwnerRefOf(entity) ?? null,
    annotations,
  };
}

/** The sorted union of the annotations the sources map on. */
export function mappingAnnotations(
  sources: ReadonlyArray<CoverageSource>,
): string[] {
  return [
    ...new Set(sources.flatMap(source => source.mapsOnAnnotations ?? [])),
  ].sort();
}

/**
 * Whether the caller's filter would let them count a record of this
 * department and kind mapped to an entity of this owner: the same test
 * `applyFilter` makes in SQL, on a record that does not exist yet.
 */
export function filterAdmits(
  filter: RecordFilter | undefined,
  record: { department: string; kind: ItsmRecordKind; ownerRef: string | null },
): boolean {
  if (!filter) {
    return true;
  }
  if ('allOf' in filter) {
    return (filter as AllOfCriteria<RecordCriterion>).allOf.every(child =>
      filterAdmits(child, record),
    );
  }
  if ('anyOf' in filter) {
    return (filter as AnyOfCriteria<RecordCriterion>).anyOf.some(child =>
      filterAdmits(child, record),
    );
  }
  if ('not' in filter) {
    return !filterAdmits((filter as NotCriteria<RecordCriterion>).not, record);
  }
  const criterion = filter as RecordCriterion;
  switch (criterion.key) {
    case 'department':
      return criterion.values.includes(record.department);
    case 'kind':
      return criterion.values.includes(record.kind);
    case 'owner':
      return (
        record.ownerRef !== null && criterion.values.includes(record.ownerRef)
      );
    default:
      return false;
  }
}

/**
 * The sources that cover the scope by annotation: a registered provider
 * maps on an annotation one of the scope's entities bears, and the caller's
 * filter would let them count a record of it there (of some kind it yields).
 * A caller whose conditions seal a source's records is not told that it
 * covers the entity, so a 0 is never shown for records they may not count.
 */
export function coveringByAnnotation(
  sources: ReadonlyArray<CoverageSource>,
  entities: ReadonlyArray<ScopeEntity>,
  filter: RecordFilter | undefined,
): string[] {
  return sources
    .filter(source => {
      const mapsOn = new Set(source.mapsOnAnnotations ?? []);
      if (mapsOn.size === 0) {
        return false;
      }
      return entities.some(
        entity =>
          entity.annotations.some(annotation => mapsOn.has(annotation)) &&
          source.kinds.some(kind =>
            filterAdmits(filter, {
              department: source.department,
              kind,
              ownerRef: entity.ownerRef,
            }),
          ),
      );
    })
    .map(source => source.id);
}

/**
 * What the covering sources say of a metric: `unknownReason` when every
 * covering source is registered and declares it unmeasurable (their
 * reasons, each once), and `notes` (their notes on it, and where only some
 * of them cannot measure it, which and why).
 */
export function sourceStatements(
  metricId: ItsmBuiltinMetricId,
  providerIds: ReadonlyArray<string>,
  sources: ReadonlyMap<string, CoverageSource>,
): { unknownReason?: string; notes: string[] } {
  const notes: string[] = [];
  const reasons: Array<{ id: string; reason: string }> = [];
  let measured = false;
  for (const id of providerIds) {
    const source = sources.get(id);
    const reason = source?.unmeasurable?.[metricId];
    if (reason) {
      reasons.push({ id, reason });
    } else {
      // A source no longer registered still has its records counted.
      measured = true;
    }
    const note = source?.metricNotes?.[metricId];
    if (note && !notes.includes(note)) {
      notes.push(note);
    }
  }
  if (reasons.length > 0 && !measured) {
    return {
      unknownReason: [...new Set(reasons.map(r => r.reason))].join('; '),
      notes,
    };
  }
  for (const { id, reason } of reasons) {
    notes.push(
      `Partly measured: ${reason} (${id}); its records are counted here as they are.`,
    );
  }
  return { notes };
}
