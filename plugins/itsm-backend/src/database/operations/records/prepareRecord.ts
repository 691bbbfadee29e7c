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

import type { ItsmNormalisedRecord } from '@backstage-itsm/plugin-itsm-common';
import { createHash, randomUUID } from 'node:crypto';
import type {
  CommitBatchInput,
  RecordToStore,
  ResolvedEntity,
} from '../../ItsmStore';
import {
  ENTITY_REF_MAPPING,
  RecordEntitiesRow,
  RecordMappingsRow,
  RecordsRow,
  SlasRow,
} from '../../tables';
import {
  stringifyPayload,
  toMs,
  toNullableMs,
  uniqueBy,
} from '../util/conversions';

/** A record of a batch turned into rows. */
export interface PreparedRecord {
  row: RecordsRow;
  slas: Omit<SlasRow, 'record_id'>[];
  mappings: Omit<RecordMappingsRow, 'record_id'>[];
  entities: Omit<RecordEntitiesRow, 'record_id'>[];
}

/**
 * Builds the rows of one record, with the content hash that tells a re-read
 * from a change. Exported for the ingestion benchmark as well.
 */
export function prepareRecord(
  input: Pick<CommitBatchInput, 'providerId' | 'department'>,
  { record, entities }: RecordToStore,
  now: number,
): PreparedRecord {
  const content = toRecordContent(input, record);
  const slas = record.slas.map(sla => ({
    name: sla.name,
    kind: sla.kind,
    target_seconds: sla.targetSeconds,
    stage: sla.stage,
    breached: sla.breached,
    start_at: toMs(sla.startAt),
    end_at: toNullableMs(sla.endAt),
    breach_at: toNullableMs(sla.breachAt),
    business_elapsed_seconds: sla.businessElapsedSeconds,
  }));
  const mappings = uniqueBy(
    [
      ...record.entityRefs.map(value => ({
        annotation: ENTITY_REF_MAPPING,
        value,
      })),
      ...record.mappings.map(m => ({
        annotation: m.annotation,
        value: m.value,
      })),
    ],
    m => `${m.annotation}\u0000${m.value}`,
  );
  const contentHash = createHash('sha256')
    .update(JSON.stringify({ content, slas, mappings }))
    .digest('hex');
  return {
    row: {
      id: randomUUID(),
      ...content,
      content_hash: contentHash,
      created_at: now,
      updated_at: now,
    },
    slas,
    mappings,
    entities: uniqueEntities(entities).map(e => ({
      entity_ref: e.entityRef,
      via: e.via,
      owner_ref: e.ownerRef,
    })),
  };
}

/** One entry per entityRef (the primary key); the first one wins. */
export function uniqueEntities(entities: ResolvedEntity[]): ResolvedEntity[] {
  return uniqueBy(entities, e => e.entityRef);
}

/** The columns of a record that its content hash covers. */
function toRecordContent(
  input: Pick<CommitBatchInput, 'providerId' | 'department'>,
  record: ItsmNormalisedRecord,
): Omit<RecordsRow, 'id' | 'content_hash' | 'created_at' | 'updated_at'> {
  return {
    provider_id: input.providerId,
    external_id: record.externalId,
    kind: record.kind,
    department: input.department,
    number: record.number,
    title: record.title,
    url: record.url,
    state: record.state,
    priority: record.priority,
    opened_at: toMs(record.openedAt),
    acknowledged_at: toNullableMs(record.acknowledgedAt),
    resolved_at: toNullableMs(record.resolvedAt),
    closed_at: toNullableMs(record.closedAt),
    impact_start: toNullableMs(record.impactStart),
    impact_end: toNullableMs(record.impactEnd),
    change_type: record.changeType,
    planned_start: toNullableMs(record.plannedStart),
    planned_end: toNullableMs(record.plannedEnd),
    actual_start: toNullableMs(record.actualStart),
    actual_end: toNullableMs(record.actualEnd),
    outcome: record.outcome,
    caused_by_change: record.causedByChange,
    problem_id: record.problemId,
    reopen_count: record.reopenCount,
    assignment_group: record.assignmentGroup,
    assignee: record.assignee,
    source_updated_at: toMs(record.sourceUpdatedAt),
    payload:
      record.payload === undefined ? null : stringifyPayload(record.payload),
  };
}
