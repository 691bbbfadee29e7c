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
  ItsmBuiltinMetricId,
  ItsmRecordKind,
} from '@backstage-itsm/plugin-itsm-common';
import { noopItsmSyncReporter } from '@backstage-itsm/plugin-itsm-node';
import type {
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderSyncContext,
} from '@backstage-itsm/plugin-itsm-node';
import { ServiceNowError } from '../client/errors';
import type { ServiceNowClient } from '../client/ServiceNowClient';
import {
  KIND_OF_TABLE,
  ServiceNowTable,
  ServiceNowTaskTable,
  TASK_TABLES,
} from '../client/tables';
import { formatServiceNowDateTime } from '../client/values';
import { checkFields } from './checkFields';
import { ChoiceMapper, ChoiceOverrides } from './choices';
import { emptyCursor, parseCursor } from './cursor';
import { auditDeletions, reconcile } from './deletions';
import { ServiceNowTableReader } from './ServiceNowTableReader';
import type { ServiceNowSyncSettings } from './settings';
import { isUnreadable, SyncRun } from './SyncRun';
import { normaliseTasks, slaChanges } from './taskSlas';

/** Rows per Table API page unless configured. @public */
export const DEFAULT_PAGE_SIZE = 500;
/** How far each run reads back before its cursor, unless configured. @public */
export const DEFAULT_OVERLAP_SECONDS = 120;
/** How often each task table's ids are reconciled unless configured: once a day. @public */
export const DEFAULT_RECONCILE_EVERY_MS = 24 * 60 * 60 * 1000;
/** Rows per page of an id listing (`sys_id` only) unless configured. */
export const DEFAULT_RECONCILE_PAGE_SIZE = 10_000;

/** Options of {@link ServiceNowItsmProvider}. @public */
export interface ServiceNowItsmProviderOptions {
  /** Provider id, `servicenow:<config key>`. */
  id: string;
  client: ServiceNowClient;
  /** Which tables to sync; defaults to incident, change_request, problem and task_sla. */
  tables?: ReadonlyArray<ServiceNowTable>;
  /** An extra encoded query per table, ANDed to the provider's own. */
  query?: Partial<Record<ServiceNowTable, string>>;
  /** Rows per page (`sysparm_limit`), at least 2; defaults to 500. */
  pageSize?: number;
  /** How far before its cursor each run reads again; defaults to 120 s. */
  overlapSeconds?: number;
  /**
   * How often each task table's ids are listed and compared with the stored
   * ones to find deletions, when `sys_audit_delete` cannot be read; defaults
   * to once a day.
   */
  reconcileEveryMs?: number;
  /** Rows per page of that id listing; defaults to 10,000. */
  reconcilePageSize?: number;
  /** Choice values of this instance that differ from the out-of-box lists. */
  choices?: ChoiceOverrides;
  /** The incident field holding when it was acknowledged, e.g. `u_acknowledged_at`. */
  acknowledgedAtField?: string;
  /** The config key of the instance, named in errors. */
  configKey?: string;
  /** The clock; for tests. */
  now?: () => number;
}

/**
 * Syncs incidents, changes and problems of one ServiceNow instance through
 * the Table API, each with its task SLAs, and the deletions of those records.
 *
 * Each table is read in `sys_updated_on, sys_id` order from its own cursor
 * minus an overlap (rows committed late), paging with `sysparm_limit` and
 * `sysparm_offset`. After each page the window is re-anchored on the last
 * row's second, so rows updated during the read (which move to the end) never
 * shift an unread row out of reach; rows already yielded in the same version
 * (the overlap, the re-read second) are skipped by sys_id.
 *
 * SLAs: every task yielded carries all its `task_sla` rows, fetched with one
 * `taskIN` query per page of tasks. SLAs also change without their task
 * (a breach, a pause), so a later phase reads `task_sla` rows updated since
 * its own cursor and yields their tasks again with all their SLAs, unless the
 * task was already yielded in this run after that SLA change.
 *
 * Tables are isolated: one the integration user cannot read (400, 403, 404)
 * is reported as a failed part and the others sync; its cursor stays. When
 * task_sla cannot be read, tasks sync without SLAs and are read again from
 * where that began once it can. When no task table can be read, or the
 * credentials are refused (401), the run fails. Transient failures are
 * retried by the client's HTTP layer; when its budget is spent the error is
 * retryable and the engine resumes from the last committed batch.
 *
 * Deletions: from `sys_audit_delete` since a cursor of its own when the
 * integration user may read it; otherwise each task table's ids are listed
 * (keyset paging on sys_id) every `reconcileEveryMs` and compared with the
 * stored ones, and only a listing that completed marks anything deleted.
 * @public
 */
export class ServiceNowItsmProvider implements ItsmProvider {
  readonly id: string;
  readonly department = 'it';
  readonly kinds: ReadonlyArray<ItsmRecordKind>;
  /** Records map on a CI's or business service's sys_id, or the entity id field. */
  readonly mapsOnAnnotations: ReadonlyArray<string> = [
    ANNOTATION_SERVICENOW_CI_SYSID,
    ANNOTATION_SERVICENOW_ENTITY_ID,
  ];
  /**
   * What this instance's config leaves unread: the acknowledgement instant
   * (ServiceNow has no such field out of the box) and SLAs when `task_sla`
   * is not among the tables.
   */
  readonly unmeasurable: Readonly<Partial<Record<ItsmBuiltinMetricId, string>>>;
  readonly #settings: ServiceNowSyncSettings;
  readonly #slas: boolean;
  readonly #overlapMs: number;
  readonly #choices: ChoiceMapper;

  constructor(options: ServiceNowItsmProviderOptions) {
    const tables = options.tables ?? [...TASK_TABLES, 'task_sla'];
    const taskTables = TASK_TABLES.filter(t => tables.includes(t));
    const query = options.query ?? {};
    const configKey =
      options.configKey ??
      `itsm.providers.servicenow.${options.id.replace(/^servicenow:/, '')}`;
    this.id = options.id;
    this.#slas = tables.includes('task_sla');
    this.kinds = taskTables.map(t => KIND_OF_TABLE[t]);
    this.#overlapMs =
      (options.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS) * 1000;
    this.#choices = new ChoiceMapper(options.choices);
    this.#settings = {
      id: options.id,
      client: options.client,
      reader: new ServiceNowTableReader({
        instance: options.id,
        client: options.client,
        query,
        pageSize: Math.max(2, options.pageSize ?? DEFAULT_PAGE_SIZE),
        overlapMs: this.#overlapMs,
      }),
      taskTables,
      query,
      reconcileEveryMs: options.reconcileEveryMs ?? DEFAULT_RECONCILE_EVERY_MS,
      reconcilePageSize: Math.max(
        2,
        options.reconcilePageSize ?? DEFAULT_RECONCILE_PAGE_SIZE,
      ),
      acknowledgedAtField: options.acknowledgedAtField,
      configKey,
      now: options.now ?? Date.now,
    };
    const unmeasurable: Partial<Record<ItsmBuiltinMetricId, string>> = {};
    if (!options.acknowledgedAtField && this.kinds.includes('incident')) {
      unmeasurable.mtta = `ServiceNow records no acknowledgement time out of the box: set ${configKey}.acknowledgedAtField to the incident field that holds it`;
    }
    if (!this.#slas) {
      unmeasurable.sla_attainment = `${configKey} does not read task_sla: add it to tables to count SLAs`;
    }
    this.unmeasurable = unmeasurable;
  }

  async *sync(
    context: ItsmProviderSyncContext,
  ): AsyncGenerator<ItsmProviderBatch> {
    const { cursor, signal, logger } = context;
    const settings = this.#settings;
    const { client, reader } = settings;
    signal.throwIfAborted();
    const parsed = parseCursor(cursor);
    if (!parsed) {
      logger.warn(
        `Cursor of ${this.id} is not one this provider wrote; reading every table from the start`,
      );
    }
    const state = parsed ?? emptyCursor();
    // SLA versions older than this existed before this run read anything;
    // the overlap also absorbs clock skew between us and the instance.
    const runCutoff = formatServiceNowDateTime(
      settings.now() - this.#overlapMs,
    );
    const firstSync = settings.taskTables.every(t => !state.tables[t]?.since);
    const run = new SyncRun({
      instance: this.id,
      configKey: settings.configKey,
      state,
      call: { signal, reporter: context.reporter ?? noopItsmSyncReporter },
      logger,
      normalise: {
        baseUrl: client.baseUrl,
        mode: client.displayValue,
        choices: this.#choices,
        acknowledgedAtField: settings.acknowledgedAtField,
      },
    });

    // Which tables can be read, with which fields. A table the integration
    // user may not read is a failed part; all of them, the run's failure.
    const { fields } = run;
    const refused: ServiceNowError[] = [];
    for (const table of [
      ...settings.taskTables,
      ...(this.#slas ? (['task_sla'] as const) : []),
    ]) {
      try {
        fields.set(table, await checkFields(settings, table, run));
      } catch (error) {
        if (!isUnreadable(error)) throw error;
        refused.push(error);
      }
    }
    const taskTables = settings.taskTables.filter(t => fields.has(t));
    if (taskTables.length === 0) {
      throw refused[0];
    }
    for (const error of refused) {
      run.partFailed(error.table!, error);
    }
    run.slas = fields.has('task_sla');

    if (run.slas && state.slaGap) {
      // task_sla is readable again: read the tasks yielded without their
      // SLAs again, from where that began.
      for (const [table, since] of Object.entries(state.slaGap)) {
        state.tables[table as ServiceNowTaskTable] = { since, seen: {} };
      }
      delete state.slaGap;
    }
    // A first sync reads every task with all its SLAs, fetched after this
    // moment: SLA changes before it need no second look, even when this run
    // fails half-way and a later one resumes.
    if (
      this.#slas &&
      !state.tables.task_sla?.since &&
      settings.taskTables.every(t => !state.tables[t]?.since)
    ) {
      state.tables.task_sla = { since: runCutoff, seen: {} };
    }
    // Likewise deletions: those before a first sync concern no record read.
    // A cursor from before deletions were read starts at the beginning.
    if (!state.audit) {
      state.audit = { since: firstSync ? runCutoff : null, seen: {} };
    }
    // Where each task table's read starts in this run: where a gap in SLAs
    // would begin if task_sla fails.
    run.startSlaGapAt(
      Object.fromEntries(
        settings.taskTables.map(t => [t, state.tables[t]?.since ?? null]),
      ) as Record<ServiceNowTaskTable, string | null>,
    );
    if (this.#slas && !run.slas) run.loseSlas();

    // Where each task table's read started in this run, and the rows it
    // skipped as yielded by an earlier run: the SLA phase needs both.
    const runLower = new Map<ServiceNowTaskTable, string | null>();
    const skippedBySeen = new Map<ServiceNowTaskTable, Set<string>>();

    for (const table of taskTables) {
      const tableCursor = (state.tables[table] ??= { since: null, seen: {} });
      const lower = reader.lowerBound(tableCursor);
      runLower.set(table, lower);
      const earlier = { ...tableCursor.seen };
      const skipped = new Set<string>();
      skippedBySeen.set(table, skipped);
      try {
        for await (const page of reader.readTable(table, tableCursor, {
          lower,
          extraQuery: settings.query[table],
          fields: fields.get(table)!,
          call: run.call,
          logger,
        })) {
          for (const row of page.skipped) {
            // Not the rows this run re-reads while paging: only those yielded
            // by an earlier run, whose SLAs may have changed since.
            if (earlier[row.sysId] === row.updatedOn) skipped.add(row.sysId);
          }
          const records = await normaliseTasks(
            settings,
            table,
            page.fresh,
            run,
          );
          run.rows += page.fresh.length;
          const batch = run.batch(records);
          if (batch) yield batch;
        }
      } catch (error) {
        if (!isUnreadable(error)) throw error;
        run.partFailed(table, error);
      }
    }
    const firstFailure = run.failed.get(taskTables[0]);
    if (firstFailure && taskTables.every(t => run.failed.has(t))) {
      throw firstFailure;
    }

    if (run.slas) {
      try {
        yield* slaChanges(settings, run, {
          runCutoff,
          runLower,
          skippedBySeen,
        });
      } catch (error) {
        if (!isUnreadable(error)) throw error;
        run.partFailed(error.table ?? 'task_sla', error);
      }
    }

    const audited = yield* auditDeletions(settings, run);
    if (!audited) {
      yield* reconcile(settings, run, context);
    }

    logger.info(
      `${this.id}: read ${run.rows} task rows and ${
        run.slaRows
      } changed SLA rows (${
        run.slaParents
      } tasks yielded again for them), yielded ${run.records} records and ${
        run.deletions
      } deletions in ${run.batches} batches${
        run.failed.size > 0
          ? `; could not read ${[...run.failed.keys()].join(', ')}`
          : ''
      }`,
    );
  }
}
