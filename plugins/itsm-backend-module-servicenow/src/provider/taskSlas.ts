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

import type { ItsmProviderBatch } from '@backstage-itsm/plugin-itsm-node';
import { andQuery } from '../client/encodedQuery';
import { isTaskTable, ServiceNowTaskTable } from '../client/tables';
import {
  isServiceNowDateTime,
  readText,
  ServiceNowRow,
} from '../client/values';
import {
  NormalisedItem,
  normaliseSlaRow,
  normaliseTaskRow,
  slaTaskId,
} from './normalise';
import type { ServiceNowSyncSettings } from './settings';
import { isUnreadable, SyncRun } from './SyncRun';

/**
 * Normalises task rows, each with all its SLAs (one `taskIN` query per
 * chunk), or without SLAs when task_sla cannot be read in this run.
 */
export async function normaliseTasks(
  settings: ServiceNowSyncSettings,
  table: ServiceNowTaskTable,
  rows: ServiceNowRow[],
  run: SyncRun,
): Promise<NormalisedItem[]> {
  const options = run.normalise;
  const slas = new Map<string, NormalisedItem[]>();
  if (run.slas && rows.length > 0) {
    const ids = [
      ...new Set(
        rows
          .map(row => readText(row, 'sys_id', options.mode))
          .filter((id): id is string => !!id),
      ),
    ];
    let slaRows: ServiceNowRow[] = [];
    try {
      slaRows = await settings.reader.readByIds(
        ids,
        chunk =>
          andQuery(
            `taskIN${chunk.join(',')}`,
            settings.query.task_sla,
            'ORDERBYsys_id',
          ),
        'task_sla',
        run.fields.get('task_sla')!,
        run.call,
      );
    } catch (error) {
      if (!isUnreadable(error)) throw error;
      run.loseSlas(error);
    }
    for (const slaRow of slaRows) {
      const taskId = slaTaskId(slaRow, options.mode);
      if (!taskId) continue;
      if (!slas.has(taskId)) slas.set(taskId, []);
      slas.get(taskId)!.push(normaliseSlaRow(slaRow, options));
    }
  }
  return rows.map(row =>
    normaliseTaskRow(
      table,
      row,
      slas.get(readText(row, 'sys_id', options.mode) ?? '') ?? [],
      options,
    ),
  );
}

/** What the task phase of a run tells the SLA phase. */
export interface TaskReadsOfRun {
  /** SLA versions older than this existed before the run read anything. */
  runCutoff: string;
  /** Where each task table's read started in this run. */
  runLower: Map<ServiceNowTaskTable, string | null>;
  /** The rows each task table skipped as yielded by an earlier run. */
  skippedBySeen: Map<ServiceNowTaskTable, Set<string>>;
}

/**
 * Reads `task_sla` rows updated since the SLA cursor and yields their
 * tasks again with all their SLAs, unless this run read the task after
 * that SLA version existed.
 */
export async function* slaChanges(
  settings: ServiceNowSyncSettings,
  run: SyncRun,
  { runCutoff, runLower, skippedBySeen }: TaskReadsOfRun,
): AsyncGenerator<ItsmProviderBatch> {
  const { reader, taskTables } = settings;
  const { state, fields, call } = run;
  const slaCursor = (state.tables.task_sla ??= { since: null, seen: {} });
  const lower = reader.lowerBound(slaCursor);
  const mode = settings.client.displayValue;
  for await (const page of reader.readTable('task_sla', slaCursor, {
    lower,
    extraQuery: andQuery(
      `task.sys_class_nameIN${taskTables.join(',')}`,
      settings.query.task_sla,
    ),
    fields: fields.get('task_sla')!,
    call,
    logger: run.logger,
  })) {
    const wanted = new Map<ServiceNowTaskTable, Set<string>>();
    for (const row of page.fresh) {
      const parentTable = readText(row, 'task.sys_class_name', mode);
      const parentId = slaTaskId(row, mode);
      if (
        !parentId ||
        !parentTable ||
        !isTaskTable(parentTable) ||
        !taskTables.includes(parentTable) ||
        !fields.has(parentTable) ||
        run.failed.has(parentTable)
      ) {
        continue;
      }
      const slaUpdated = readText(row, 'sys_updated_on', mode);
      const parentUpdated = readText(row, 'task.sys_updated_on', mode);
      const parentLower = runLower.get(parentTable);
      // The task was read in this run, after this SLA version existed.
      const covered =
        isServiceNowDateTime(slaUpdated) &&
        slaUpdated < runCutoff &&
        isServiceNowDateTime(parentUpdated) &&
        (parentLower === null ||
          (parentLower !== undefined && parentUpdated >= parentLower)) &&
        !skippedBySeen.get(parentTable)?.has(parentId);
      if (!covered) {
        if (!wanted.has(parentTable)) wanted.set(parentTable, new Set());
        wanted.get(parentTable)!.add(parentId);
      }
    }
    const records: NormalisedItem[] = [];
    for (const [table, ids] of wanted) {
      const rows = await reader.rowsById(
        table,
        [...ids],
        fields.get(table)!,
        call,
      );
      records.push(...(await normaliseTasks(settings, table, rows, run)));
      run.slaParents += rows.length;
    }
    run.slaRows += page.fresh.length;
    const batch = run.batch(records);
    if (batch) yield batch;
  }
}
