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

import type { ItsmRecordKind } from '@backstage-itsm/plugin-itsm-common';

/** The task tables the provider reads records from. */
export const TASK_TABLES = ['incident', 'change_request', 'problem'] as const;
/** @public */
export type ServiceNowTaskTable = (typeof TASK_TABLES)[number];

/** Every table the provider syncs: the task tables and their SLAs. */
export const SERVICENOW_TABLES = [...TASK_TABLES, 'task_sla'] as const;
/** @public */
export type ServiceNowTable = (typeof SERVICENOW_TABLES)[number];

/** The record kind of each task table. */
export const KIND_OF_TABLE: Record<ServiceNowTaskTable, ItsmRecordKind> = {
  incident: 'incident',
  change_request: 'change',
  problem: 'problem',
};

/** ServiceNow's log of deleted records: `tablename`, `documentkey`, `sys_created_on`. */
export const AUDIT_DELETE_TABLE = 'sys_audit_delete';

/** What the integration user needs to read a table, for messages. */
export function readAccessHint(table: string): string {
  if (table === AUDIT_DELETE_TABLE) {
    return `read access to ${table} (admin only out of the box; grant a read ACL on ${table} through a custom role)`;
  }
  return `the itil role, or a custom role with read ACLs on ${table} and ${table}.*`;
}

export function isTaskTable(table: string): table is ServiceNowTaskTable {
  return (TASK_TABLES as readonly string[]).includes(table);
}

/** Fields every task table has (all inherited from `task`). */
const TASK_FIELDS = [
  'sys_id',
  'number',
  'short_description',
  'state',
  'priority',
  'opened_at',
  'sys_created_on',
  'closed_at',
  'sys_updated_on',
  'assignment_group',
  'assignment_group.name',
  'assigned_to',
  'assigned_to.name',
  'cmdb_ci',
  'business_service',
];

/**
 * The fields requested per table (`sysparm_fields`). `required` must exist on
 * the instance: the run fails naming any that is missing, since the Table API
 * would silently leave it out. `optional` ones are read when present.
 */
export const TABLE_FIELDS: Record<
  ServiceNowTable,
  { required: string[]; optional: string[] }
> = {
  incident: {
    required: [
      ...TASK_FIELDS,
      'resolved_at',
      'caused_by',
      'problem_id',
      'reopen_count',
    ],
    optional: ['u_backstage_entity_id'],
  },
  change_request: {
    required: [
      ...TASK_FIELDS,
      'type',
      'close_code',
      'start_date',
      'end_date',
      'work_start',
      'work_end',
    ],
    optional: ['u_backstage_entity_id'],
  },
  problem: {
    required: [...TASK_FIELDS],
    // resolved_at and reopen_count came with the Madrid problem state model.
    optional: ['resolved_at', 'reopen_count', 'u_backstage_entity_id'],
  },
  task_sla: {
    required: [
      'sys_id',
      'task',
      'task.sys_class_name',
      'task.sys_updated_on',
      'sla',
      'sla.name',
      'sla.target',
      'sla.duration',
      'stage',
      'has_breached',
      'start_time',
      'end_time',
      'planned_end_time',
      'business_duration',
      'sys_updated_on',
    ],
    optional: [],
  },
};
