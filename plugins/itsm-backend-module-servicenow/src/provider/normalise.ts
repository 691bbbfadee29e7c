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
  ANNOTATION_SERVICENOW_CI_SYSID,
  ANNOTATION_SERVICENOW_ENTITY_ID,
  ItsmEntityMapping,
} from '@backstage-itsm/plugin-itsm-common';
import type { ChoiceMapper } from './choices';
import {
  KIND_OF_TABLE,
  ServiceNowTable,
  ServiceNowTaskTable,
} from '../client/tables';
import {
  DisplayValueMode,
  parseDurationSeconds,
  readField,
  readInstant,
  readText,
  ServiceNowRow,
} from '../client/values';

/** What normalisation needs to know about the instance. */
export interface NormaliseOptions {
  /** The instance's base URL, without a trailing slash. */
  baseUrl: string;
  /** How the rows were requested (`sysparm_display_value`). */
  mode: DisplayValueMode;
  choices: ChoiceMapper;
  /**
   * The incident field that holds when it was acknowledged, e.g.
   * `u_acknowledged_at`. ServiceNow has none out of the box, so by default
   * incidents carry no acknowledgedAt.
   */
  acknowledgedAtField?: string;
  /** Told about every choice value that has no mapping, e.g. `incident state "42"`. */
  onUnmapped?: (table: ServiceNowTable, field: string, raw: string) => void;
}

/**
 * A normalised item, shaped like `ItsmRecordInput` when the row was sound.
 * When it was not, the field at fault carries a text that the engine's schema
 * refuses and that names the raw value, e.g.
 * `state: 'unmapped ServiceNow incident state "42"'`; the engine then
 * dead-letters the item with `state: Invalid option ...`, and the dead
 * letter's payload (this item) keeps both the explanation, also listed in
 * `_errors`, and the raw row.
 */
export type NormalisedItem = Record<string, unknown>;

/** The deep link to a record in the instance's UI. */
export function recordUrl(
  baseUrl: string,
  table: string,
  sysId: string,
): string {
  return `${baseUrl}/nav_to.do?uri=${table}.do?sys_id=${sysId}`;
}

class Reader {
  readonly errors: string[] = [];

  constructor(
    private readonly table: ServiceNowTable,
    private readonly row: ServiceNowRow,
    private readonly options: NormaliseOptions,
  ) {}

  text(field: string): string | undefined {
    return readText(this.row, field, this.options.mode);
  }

  /** The sys_id of a reference; none with display strings only. */
  refId(field: string): string | null {
    return readField(this.row, field, this.options.mode).value ?? null;
  }

  /** A reference's name: its display value, else a dot-walked name, else the raw value. */
  refName(field: string, nameField: string): string | null {
    const ref = readField(this.row, field, this.options.mode);
    return ref.display ?? this.text(nameField) ?? ref.value ?? null;
  }

  /** An ISO instant, null when empty, or a refusable text naming the raw value. */
  instant(field: string): string | null {
    const result = readInstant(this.row, field, this.options.mode);
    if (result.ok) return result.iso;
    return this.invalid(
      `invalid ServiceNow date-time in ${this.table}.${field}: "${result.raw}"`,
    );
  }

  /**
   * A mapped choice, null when empty, or a refusable text naming the raw
   * value. `choiceField` names the list in `choices.<table>` when it differs
   * from the row's field (`sla.target` maps through `task_sla.target`).
   */
  choice(field: string, choiceField: string = field): string | null {
    const result = this.options.choices.map(
      this.table,
      choiceField,
      readField(this.row, field, this.options.mode),
    );
    if (result.ok) return result.value;
    this.options.onUnmapped?.(this.table, choiceField, result.raw);
    return this.invalid(
      `unmapped ServiceNow ${this.table} ${choiceField} "${result.raw}"`,
    );
  }

  /** Like {@link Reader.choice}, for a field that must not be empty. */
  requiredChoice(field: string): string {
    return (
      this.choice(field) ??
      this.invalid(`missing ServiceNow ${this.table} ${field}`)
    );
  }

  /** A whole number, null when empty, or a refusable text naming the raw value. */
  count(field: string): number | string | null {
    const text = this.text(field);
    if (text === undefined) return null;
    if (/^\d+(?:\.0+)?$/.test(text.trim())) return Number(text);
    return this.invalid(
      `invalid ServiceNow number in ${this.table}.${field}: "${text}"`,
    );
  }

  invalid(message: string): string {
    this.errors.push(message);
    return message;
  }
}

/**
 * Normalises one `task_sla` row (requested with the dot-walked `sla.name`,
 * `sla.target` and `sla.duration` of its `contract_sla`).
 *
 * The SLA kind is the definition's `target` (response or resolution). A
 * definition without a target (`None`) counts as a response SLA when its
 * name says "response", else as a resolution SLA.
 */
export function normaliseSlaRow(
  row: ServiceNowRow,
  options: NormaliseOptions,
): NormalisedItem {
  const r = new Reader('task_sla', row, options);
  const name =
    r.text('sla.name') ??
    readField(row, 'sla', options.mode).display ??
    r.refId('sla') ??
    'SLA';
  const kind =
    r.choice('sla.target', 'target') ??
    (/response/i.test(name) ? 'response' : 'resolution');
  const sla: NormalisedItem = {
    name,
    kind,
    targetSeconds: parseDurationSeconds(r.text('sla.duration')) ?? null,
    stage: r.requiredChoice('stage'),
    breached: r.text('has_breached') === 'true',
    startAt:
      r.instant('start_time') ??
      r.invalid('missing ServiceNow task_sla start_time'),
    endAt: r.instant('end_time'),
    breachAt: r.instant('planned_end_time'),
    businessElapsedSeconds:
      parseDurationSeconds(r.text('business_duration')) ?? null,
  };
  if (r.errors.length > 0) {
    sla._errors = r.errors;
  }
  return sla;
}

/** The sys_id of the task a `task_sla` row belongs to. */
export function slaTaskId(
  row: ServiceNowRow,
  mode: DisplayValueMode,
): string | undefined {
  return readField(row, 'task', mode).value;
}

/**
 * Normalises one row of a task table into an ITSM record (DESIGN.md section
 * 4), with the SLAs of the task attached.
 */
export function normaliseTaskRow(
  table: ServiceNowTaskTable,
  row: ServiceNowRow,
  slas: NormalisedItem[],
  options: NormaliseOptions,
): NormalisedItem {
  const r = new Reader(table, row, options);
  const sysId = r.text('sys_id') ?? '';
  const number = r.text('number') ?? null;
  const kind = KIND_OF_TABLE[table];
  const state = r.requiredChoice('state');
  const priority = r.choice('priority');

  const record: NormalisedItem = {
    externalId: sysId,
    kind,
    number,
    title: r.text('short_description')?.trim() || number || sysId,
    url: sysId ? recordUrl(options.baseUrl, table, sysId) : null,
    state,
    priority:
      priority === null || !/^[1-5]$/.test(priority)
        ? priority
        : Number(priority),
    openedAt:
      r.instant('opened_at') ??
      r.instant('sys_created_on') ??
      r.invalid(`missing ServiceNow ${table} opened_at`),
    acknowledgedAt:
      table === 'incident' && options.acknowledgedAtField
        ? r.instant(options.acknowledgedAtField)
        : null,
    resolvedAt: table === 'change_request' ? null : r.instant('resolved_at'),
    closedAt: r.instant('closed_at'),
    causedByChange: table === 'incident' ? r.refId('caused_by') : null,
    problemId: table === 'incident' ? r.refId('problem_id') : null,
    reopenCount: table === 'change_request' ? null : r.count('reopen_count'),
    assignmentGroup: r.refName('assignment_group', 'assignment_group.name'),
    assignee: r.refName('assigned_to', 'assigned_to.name'),
    sourceUpdatedAt:
      r.instant('sys_updated_on') ??
      r.invalid(`missing ServiceNow ${table} sys_updated_on`),
    mappings: mappingsOf(r),
    slas,
    payload: row,
  };

  if (table === 'change_request') {
    record.changeType = r.choice('type');
    // A cancelled change is cancelled whatever its close code says.
    record.outcome =
      state === 'cancelled' ? 'cancelled' : r.choice('close_code');
    record.plannedStart = r.instant('start_date');
    record.plannedEnd = r.instant('end_date');
    record.actualStart = r.instant('work_start');
    record.actualEnd = r.instant('work_end');
  }
  const errors = [
    ...r.errors,
    ...slas.flatMap((sla, index) =>
      ((sla._errors as string[] | undefined) ?? []).map(
        error => `slas.${index}: ${error}`,
      ),
    ),
  ];
  if (errors.length > 0) {
    record._errors = errors;
  }
  return record;
}

/**
 * `cmdb_ci` and `business_service` (both when set) map on
 * `servicenow.com/ci-sysid`; `u_backstage_entity_id`, when the instance has
 * it, on `servicenow.com/entity-id`. References given only as display names
 * (`sysparm_display_value=true`) have no sys_id and map nothing.
 */
function mappingsOf(r: Reader): ItsmEntityMapping[] {
  const mappings: ItsmEntityMapping[] = [];
  for (const field of ['cmdb_ci', 'business_service']) {
    const value = r.refId(field);
    if (
      value &&
      !mappings.some(
        m =>
          m.annotation === ANNOTATION_SERVICENOW_CI_SYSID && m.value === value,
      )
    ) {
      mappings.push({ annotation: ANNOTATION_SERVICENOW_CI_SYSID, value });
    }
  }
  const entityId = r.text('u_backstage_entity_id')?.trim();
  if (entityId) {
    mappings.push({
      annotation: ANNOTATION_SERVICENOW_ENTITY_ID,
      value: entityId,
    });
  }
  return mappings;
}
