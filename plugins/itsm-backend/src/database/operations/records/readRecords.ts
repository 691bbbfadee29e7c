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
  ItsmChangeOutcome,
  ItsmChangeType,
  ItsmRecord,
  ItsmRecordKind,
  ItsmRecordLink,
  ItsmRecordState,
  ItsmSla,
} from '@backstage-itsm/plugin-itsm-common';
import type { Knex } from 'knex';
import type { RecordFilter } from '../../ItsmStore';
import { applyFilter, R } from '../../permissionCriteria';
import {
  RECORD_READ_COLUMNS,
  RecordEntitiesRow,
  RecordsReadRow,
  RecordsRow,
  SlasRow,
  TABLE_RECORD_ENTITIES,
  TABLE_RECORDS,
  TABLE_SLAS,
} from '../../tables';
import { chunk, LOOKUP_CHUNK_SIZE, pushTo, toIso } from '../util/conversions';

/** `records as r` with the read columns, narrowed by a permission filter. */
export function selectRecords(
  knex: Knex,
  filter: RecordFilter | undefined,
): Knex.QueryBuilder {
  const builder = knex(`${TABLE_RECORDS} as ${R}`).select(
    RECORD_READ_COLUMNS.map(column => `${R}.${column}`),
  );
  if (filter) {
    applyFilter(builder, filter);
  }
  return builder;
}

/** Turns rows into API records: entities, SLAs and links in one query each. */
export async function toRecords(
  knex: Knex,
  rows: RecordsReadRow[],
  filter: RecordFilter | undefined,
): Promise<ItsmRecord[]> {
  if (rows.length === 0) {
    return [];
  }
  const ids = rows.map(row => row.id);
  const [entities, slas, links] = await Promise.all([
    readEntities(knex, ids),
    readSlas(knex, ids),
    readLinks(knex, rows, filter),
  ]);
  const link = (providerId: string, externalId: string | null) => {
    if (externalId === null) {
      return null;
    }
    return (
      links.get(linkKey(providerId, externalId)) ?? {
        externalId,
        id: null,
        number: null,
        title: null,
      }
    );
  };
  return rows.map(row => ({
    id: row.id,
    providerId: row.provider_id,
    externalId: row.external_id,
    kind: row.kind as ItsmRecordKind,
    department: row.department,
    number: row.number,
    title: row.title,
    url: row.url,
    state: row.state as ItsmRecordState,
    priority: row.priority === null ? null : Number(row.priority),
    openedAt: new Date(Number(row.opened_at)).toISOString(),
    acknowledgedAt: toIso(row.acknowledged_at),
    resolvedAt: toIso(row.resolved_at),
    closedAt: toIso(row.closed_at),
    impactStart: toIso(row.impact_start),
    impactEnd: toIso(row.impact_end),
    changeType: row.change_type as ItsmChangeType | null,
    plannedStart: toIso(row.planned_start),
    plannedEnd: toIso(row.planned_end),
    actualStart: toIso(row.actual_start),
    actualEnd: toIso(row.actual_end),
    outcome: row.outcome as ItsmChangeOutcome | null,
    causedByChange: link(row.provider_id, row.caused_by_change),
    problem: link(row.provider_id, row.problem_id),
    reopenCount: Number(row.reopen_count),
    assignmentGroup: row.assignment_group,
    assignee: row.assignee,
    sourceUpdatedAt: new Date(Number(row.source_updated_at)).toISOString(),
    entityRefs: entities.get(row.id)?.entityRefs ?? [],
    ownerRefs: entities.get(row.id)?.ownerRefs ?? [],
    slas: slas.get(row.id) ?? [],
  }));
}

/** The mapped entities of records and the distinct owners of those entities. */
async function readEntities(
  knex: Knex,
  ids: string[],
): Promise<Map<string, { entityRefs: string[]; ownerRefs: string[] }>> {
  const result = new Map<
    string,
    { entityRefs: string[]; ownerRefs: string[] }
  >();
  for (const batch of chunk(ids, LOOKUP_CHUNK_SIZE)) {
    const rows: Pick<
      RecordEntitiesRow,
      'record_id' | 'entity_ref' | 'owner_ref'
    >[] = await knex(TABLE_RECORD_ENTITIES)
      .select('record_id', 'entity_ref', 'owner_ref')
      .whereIn('record_id', batch)
      .orderBy([{ column: 'record_id' }, { column: 'entity_ref' }]);
    for (const row of rows) {
      let entry = result.get(row.record_id);
      if (!entry) {
        entry = { entityRefs: [], ownerRefs: [] };
        result.set(row.record_id, entry);
      }
      entry.entityRefs.push(row.entity_ref);
      if (row.owner_ref && !entry.ownerRefs.includes(row.owner_ref)) {
        entry.ownerRefs.push(row.owner_ref);
      }
    }
  }
  return result;
}

async function readSlas(
  knex: Knex,
  ids: string[],
): Promise<Map<string, ItsmSla[]>> {
  const result = new Map<string, ItsmSla[]>();
  for (const batch of chunk(ids, LOOKUP_CHUNK_SIZE)) {
    const rows: Required<SlasRow>[] = await knex(TABLE_SLAS)
      .select('*')
      .whereIn('record_id', batch)
      .orderBy([{ column: 'record_id' }, { column: 'id' }]);
    for (const row of rows) {
      pushTo(result, row.record_id, {
        name: row.name,
        kind: row.kind as ItsmSla['kind'],
        targetSeconds:
          row.target_seconds === null ? null : Number(row.target_seconds),
        stage: row.stage as ItsmSla['stage'],
        breached: Boolean(row.breached),
        startAt: new Date(Number(row.start_at)).toISOString(),
        endAt: toIso(row.end_at),
        breachAt: toIso(row.breach_at),
        businessElapsedSeconds:
          row.business_elapsed_seconds === null
            ? null
            : Number(row.business_elapsed_seconds),
      });
    }
  }
  return result;
}

/**
 * Resolves caused_by_change and problem_id (external ids in the record's
 * own provider). A linked record the filter hides reads as not arrived.
 */
async function readLinks(
  knex: Knex,
  rows: RecordsReadRow[],
  filter: RecordFilter | undefined,
): Promise<Map<string, ItsmRecordLink>> {
  const wanted = new Map<string, { providerId: string; externalId: string }>();
  for (const row of rows) {
    for (const externalId of [row.caused_by_change, row.problem_id]) {
      if (externalId !== null) {
        wanted.set(linkKey(row.provider_id, externalId), {
          providerId: row.provider_id,
          externalId,
        });
      }
    }
  }
  const result = new Map<string, ItsmRecordLink>();
  for (const batch of chunk([...wanted.values()], LOOKUP_CHUNK_SIZE)) {
    const byProvider = new Map<string, string[]>();
    for (const { providerId, externalId } of batch) {
      pushTo(byProvider, providerId, externalId);
    }
    const query = knex(`${TABLE_RECORDS} as ${R}`)
      .select(
        `${R}.id`,
        `${R}.provider_id`,
        `${R}.external_id`,
        `${R}.number`,
        `${R}.title`,
      )
      .where(any => {
        for (const [providerId, externalIds] of byProvider) {
          any.orWhere(one =>
            one
              .where(`${R}.provider_id`, providerId)
              .whereIn(`${R}.external_id`, externalIds),
          );
        }
      });
    if (filter) {
      applyFilter(query, filter);
    }
    const found: Pick<
      RecordsRow,
      'id' | 'provider_id' | 'external_id' | 'number' | 'title'
    >[] = await query;
    for (const row of found) {
      result.set(linkKey(row.provider_id, row.external_id), {
        externalId: row.external_id,
        id: row.id,
        number: row.number,
        title: row.title,
      });
    }
  }
  return result;
}

function linkKey(providerId: string, externalId: string): string {
  return JSON.stringify([providerId, externalId]);
}
