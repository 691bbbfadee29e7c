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

import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_SERVICENOW_CI_SYSID,
  ANNOTATION_SERVICENOW_ENTITY_ID,
  ItsmBuiltinMetricId,
  ItsmRecordKind,
} from '@backstage-itsm/plugin-itsm-common';
import {
  isItsmPartUnavailableStatus,
  noopItsmSyncReporter,
} from '@backstage-itsm/plugin-itsm-node';
import type {
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderDeletion,
  ItsmProviderSyncContext,
  ItsmSyncReporter,
} from '@backstage-itsm/plugin-itsm-node';
import { ChoiceMapper, ChoiceOverrides } from './choices';
import {
  advanceTableCursor,
  emptyCursor,
  parseCursor,
  serializeCursor,
  ServiceNowCursor,
  TableCursor,
} from './cursor';
import { andQuery, queryFields } from '../client/encodedQuery';
import { ServiceNowError } from '../client/errors';
import {
  NormalisedItem,
  NormaliseOptions,
  normaliseSlaRow,
  normaliseTaskRow,
  slaTaskId,
} from './normalise';
import type { ServiceNowClient } from '../client/ServiceNowClient';
import {
  AUDIT_DELETE_TABLE,
  isTaskTable,
  KIND_OF_TABLE,
  readAccessHint,
  ServiceNowTable,
  ServiceNowTaskTable,
  TABLE_FIELDS,
  TASK_TABLES,
} from '../client/tables';
import {
  formatServiceNowDateTime,
  isServiceNowDateTime,
  readInstant,
  readText,
  ServiceNowRow,
  shiftServiceNowDateTime,
} from '../client/values';

/** Rows per Table API page unless configured. @public */
export const DEFAULT_PAGE_SIZE = 500;
/** How far each run reads back before its cursor, unless configured. @public */
export const DEFAULT_OVERLAP_SECONDS = 120;
/** How often each task table's ids are reconciled unless configured: once a day. @public */
export const DEFAULT_RECONCILE_EVERY_MS = 24 * 60 * 60 * 1000;
/** Rows per page of an id listing (`sys_id` only) unless configured. */
export const DEFAULT_RECONCILE_PAGE_SIZE = 10_000;
/** Most sys_ids in one `sys_idIN` / `taskIN` query term, to keep URLs short. */
export const IN_QUERY_CHUNK = 100;
/** Most of those `IN` queries in flight at once (ServiceNow queues concurrent API transactions per user). */
export const IN_QUERY_CONCURRENCY = 3;
/** How often a run re-reads a second whose rows changed under it before giving up. */
const MAX_RESTARTS = 10;
/** Deletions per batch. */
const DELETIONS_PER_BATCH = 1000;
/** Stored ids asked for per page when reconciling (the engine's cap). */
const STORED_IDS_PAGE = 10_000;
/** What the provider reads of `sys_audit_delete`. */
const AUDIT_FIELDS = ['sys_id', 'tablename', 'documentkey', 'sys_created_on'];

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

/** The run's signal and reporter, passed to every request. */
interface RunCall {
  signal: AbortSignal;
  reporter: ItsmSyncReporter;
}

interface PageOfRows {
  /** Rows not read before in the same version. */
  fresh: ServiceNowRow[];
  /** Rows skipped because that version was already yielded. */
  skipped: Array<{ sysId: string; updatedOn: string }>;
}

/**
 * A table the integration user cannot read, for good: 400 (ServiceNow's
 * "Invalid table", also for a table it may not see), 403, 404. A 401 is not
 * one: it refuses the credentials, so no table can be read.
 */
function isUnreadable(error: unknown): error is ServiceNowError {
  return (
    error instanceof ServiceNowError &&
    !error.retryable &&
    error.status !== 401 &&
    isItsmPartUnavailableStatus(error.status)
  );
}

/** A side of a reconciliation that is not in ascending order. */
class OutOfOrder extends Error {}

/** Why a table cannot be read, from its status. */
function unreadableReason(status: number | undefined): string {
  switch (status) {
    case 400:
      return 'the instance answers that there is no such table, which is also its answer for a table the user may not see';
    case 404:
      return 'not found';
    default:
      return 'access refused';
  }
}

/** Bookkeeping of one run: counts, failed parts, and the last cursor handed out. */
class SyncRun {
  rows = 0;
  slaRows = 0;
  slaParents = 0;
  records = 0;
  deletions = 0;
  batches = 0;
  /** Whether task SLAs are read in this run. */
  slas = false;
  readonly unmapped = new Set<string>();
  /** Parts that failed for good in this run, by name, with the error that said so. */
  readonly failed = new Map<string, ServiceNowError>();
  readonly #state: ServiceNowCursor;
  readonly #reporter: ItsmSyncReporter;
  readonly #logger: LoggerService;
  #lastCursor: string;

  constructor(
    state: ServiceNowCursor,
    reporter: ItsmSyncReporter,
    logger: LoggerService,
  ) {
    this.#state = state;
    this.#reporter = reporter;
    this.#logger = logger;
    this.#lastCursor = serializeCursor(state);
  }

  /** A batch of these records and deletions and the cursor now, or nothing when none is news. */
  batch(
    records: NormalisedItem[],
    deletions: ItsmProviderDeletion[] = [],
  ): ItsmProviderBatch | undefined {
    const cursor = serializeCursor(this.#state);
    if (
      records.length === 0 &&
      deletions.length === 0 &&
      cursor === this.#lastCursor
    ) {
      return undefined;
    }
    this.#lastCursor = cursor;
    this.records += records.length;
    this.deletions += deletions.length;
    this.batches++;
    return deletions.length > 0
      ? { records, deletions, cursor }
      : { records, cursor };
  }

  /**
   * Reports a part (a table) that cannot be read, as `reported` says; the
   * run goes on without it.
   */
  partFailed(
    part: string,
    error: ServiceNowError,
    reported: ServiceNowError,
  ): void {
    if (this.failed.has(part)) return;
    this.failed.set(part, error);
    this.#reporter.partFailed(part, reported);
    this.#logger.warn(reported.message);
  }
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
  readonly #client: ServiceNowClient;
  readonly #taskTables: ServiceNowTaskTable[];
  readonly #slas: boolean;
  readonly #query: Partial<Record<ServiceNowTable, string>>;
  readonly #pageSize: number;
  readonly #overlapMs: number;
  readonly #reconcileEveryMs: number;
  readonly #reconcilePageSize: number;
  readonly #choices: ChoiceMapper;
  readonly #acknowledgedAtField?: string;
  readonly #configKey: string;
  readonly #now: () => number;

  constructor(options: ServiceNowItsmProviderOptions) {
    const tables = options.tables ?? [...TASK_TABLES, 'task_sla'];
    this.id = options.id;
    this.#client = options.client;
    this.#taskTables = TASK_TABLES.filter(t => tables.includes(t));
    this.#slas = tables.includes('task_sla');
    this.kinds = this.#taskTables.map(t => KIND_OF_TABLE[t]);
    this.#query = options.query ?? {};
    this.#pageSize = Math.max(2, options.pageSize ?? DEFAULT_PAGE_SIZE);
    this.#overlapMs =
      (options.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS) * 1000;
    this.#reconcileEveryMs =
      options.reconcileEveryMs ?? DEFAULT_RECONCILE_EVERY_MS;
    this.#reconcilePageSize = Math.max(
      2,
      options.reconcilePageSize ?? DEFAULT_RECONCILE_PAGE_SIZE,
    );
    this.#choices = new ChoiceMapper(options.choices);
    this.#acknowledgedAtField = options.acknowledgedAtField;
    this.#configKey =
      options.configKey ??
      `itsm.providers.servicenow.${options.id.replace(/^servicenow:/, '')}`;
    const unmeasurable: Partial<Record<ItsmBuiltinMetricId, string>> = {};
    if (!this.#acknowledgedAtField && this.kinds.includes('incident')) {
      unmeasurable.mtta = `ServiceNow records no acknowledgement time out of the box: set ${
        this.#configKey
      }.acknowledgedAtField to the incident field that holds it`;
    }
    if (!this.#slas) {
      unmeasurable.sla_attainment = `${
        this.#configKey
      } does not read task_sla: add it to tables to count SLAs`;
    }
    this.unmeasurable = unmeasurable;
    this.#now = options.now ?? Date.now;
  }

  async *sync(
    context: ItsmProviderSyncContext,
  ): AsyncGenerator<ItsmProviderBatch> {
    const { cursor, signal, logger } = context;
    const call: RunCall = {
      signal,
      reporter: context.reporter ?? noopItsmSyncReporter,
    };
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
    const runCutoff = formatServiceNowDateTime(this.#now() - this.#overlapMs);
    const firstSync = this.#taskTables.every(t => !state.tables[t]?.since);
    const run = new SyncRun(state, call.reporter, logger);
    const normalise: NormaliseOptions = {
      baseUrl: this.#client.baseUrl,
      mode: this.#client.displayValue,
      choices: this.#choices,
      acknowledgedAtField: this.#acknowledgedAtField,
      onUnmapped: (table, field, raw) => {
        const key = `${table}.${field}=${raw}`;
        if (!run.unmapped.has(key)) {
          run.unmapped.add(key);
          logger.warn(
            `${
              this.id
            }: ServiceNow ${table} ${field} "${raw}" has no mapping; records with it go to dead letters. Map it at ${
              this.#configKey
            }.choices.${table}.${field}`,
          );
        }
      },
    };

    // Which tables can be read, with which fields. A table the integration
    // user may not read is a failed part; all of them, the run's failure.
    const fields = new Map<ServiceNowTable, string[]>();
    const refused: ServiceNowError[] = [];
    for (const table of [
      ...this.#taskTables,
      ...(this.#slas ? (['task_sla'] as const) : []),
    ]) {
      try {
        fields.set(table, await this.#checkFields(table, call, logger));
      } catch (error) {
        if (!isUnreadable(error)) throw error;
        refused.push(error);
      }
    }
    const taskTables = this.#taskTables.filter(t => fields.has(t));
    if (taskTables.length === 0) {
      throw refused[0];
    }
    for (const error of refused) {
      run.partFailed(
        error.table!,
        error,
        this.#unreadable(error.table!, error),
      );
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
      this.#taskTables.every(t => !state.tables[t]?.since)
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
    const startSince = Object.fromEntries(
      this.#taskTables.map(t => [t, state.tables[t]?.since ?? null]),
    ) as Record<ServiceNowTaskTable, string | null>;
    const loseSlas = (error?: ServiceNowError) => {
      run.slas = false;
      state.slaGap ??= { ...startSince };
      if (error) {
        run.partFailed('task_sla', error, this.#unreadable('task_sla', error));
      }
    };
    if (this.#slas && !run.slas) loseSlas();

    // Where each task table's read started in this run, and the rows it
    // skipped as yielded by an earlier run: the SLA phase needs both.
    const runLower = new Map<ServiceNowTaskTable, string | null>();
    const skippedBySeen = new Map<ServiceNowTaskTable, Set<string>>();

    for (const table of taskTables) {
      const tableCursor = (state.tables[table] ??= { since: null, seen: {} });
      const lower = tableCursor.since
        ? shiftServiceNowDateTime(tableCursor.since, -this.#overlapMs)
        : null;
      runLower.set(table, lower);
      const earlier = { ...tableCursor.seen };
      const skipped = new Set<string>();
      skippedBySeen.set(table, skipped);
      try {
        for await (const page of this.#readTable(table, tableCursor, {
          lower,
          extraQuery: this.#query[table],
          fields: fields.get(table)!,
          call,
          logger,
        })) {
          for (const row of page.skipped) {
            // Not the rows this run re-reads while paging: only those yielded
            // by an earlier run, whose SLAs may have changed since.
            if (earlier[row.sysId] === row.updatedOn) skipped.add(row.sysId);
          }
          const records = await this.#normaliseTasks(
            table,
            page.fresh,
            fields,
            normalise,
            { run, call, loseSlas },
          );
          run.rows += page.fresh.length;
          const batch = run.batch(records);
          if (batch) yield batch;
        }
      } catch (error) {
        if (!isUnreadable(error)) throw error;
        run.partFailed(table, error, this.#unreadable(table, error));
      }
    }
    const firstFailure = run.failed.get(taskTables[0]);
    if (firstFailure && taskTables.every(t => run.failed.has(t))) {
      throw firstFailure;
    }

    if (run.slas) {
      try {
        yield* this.#slaChanges(state, fields, normalise, {
          run,
          call,
          logger,
          loseSlas,
          runCutoff,
          runLower,
          skippedBySeen,
        });
      } catch (error) {
        if (!isUnreadable(error)) throw error;
        const table = error.table ?? 'task_sla';
        run.partFailed(table, error, this.#unreadable(table, error));
      }
    }

    const audited = yield* this.#auditDeletions(state, run, call, logger);
    if (!audited) {
      yield* this.#reconcile(state, run, context, call, logger);
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

  /** A table the integration user cannot read, as the run's failed part. */
  #unreadable(table: string, error: ServiceNowError): ServiceNowError {
    return new ServiceNowError({
      instance: this.id,
      table,
      status: error.status,
      retryable: false,
      cause: error,
      message: `ServiceNow table ${table} of ${this.id} cannot be read (${
        error.status
      }: ${unreadableReason(
        error.status,
      )}); the other tables sync without it. The integration user needs ${readAccessHint(
        table,
      )}`,
    });
  }

  /**
   * Reads `task_sla` rows updated since the SLA cursor and yields their
   * tasks again with all their SLAs, unless this run read the task after
   * that SLA version existed.
   */
  async *#slaChanges(
    state: ServiceNowCursor,
    fields: Map<ServiceNowTable, string[]>,
    normalise: NormaliseOptions,
    options: {
      run: SyncRun;
      call: RunCall;
      logger: LoggerService;
      loseSlas: (error?: ServiceNowError) => void;
      runCutoff: string;
      runLower: Map<ServiceNowTaskTable, string | null>;
      skippedBySeen: Map<ServiceNowTaskTable, Set<string>>;
    },
  ): AsyncGenerator<ItsmProviderBatch> {
    const { run, call, runCutoff, runLower, skippedBySeen } = options;
    const slaCursor = (state.tables.task_sla ??= { since: null, seen: {} });
    const lower = slaCursor.since
      ? shiftServiceNowDateTime(slaCursor.since, -this.#overlapMs)
      : null;
    const mode = this.#client.displayValue;
    for await (const page of this.#readTable('task_sla', slaCursor, {
      lower,
      extraQuery: andQuery(
        `task.sys_class_nameIN${this.#taskTables.join(',')}`,
        this.#query.task_sla,
      ),
      fields: fields.get('task_sla')!,
      call,
      logger: options.logger,
    })) {
      const wanted = new Map<ServiceNowTaskTable, Set<string>>();
      for (const row of page.fresh) {
        const parentTable = readText(row, 'task.sys_class_name', mode);
        const parentId = slaTaskId(row, mode);
        if (
          !parentId ||
          !parentTable ||
          !isTaskTable(parentTable) ||
          !this.#taskTables.includes(parentTable) ||
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
        const rows = await this.#rowsById(
          table,
          [...ids],
          fields.get(table)!,
          call,
        );
        records.push(
          ...(await this.#normaliseTasks(table, rows, fields, normalise, {
            run,
            call,
            loseSlas: options.loseSlas,
          })),
        );
        run.slaParents += rows.length;
      }
      run.slaRows += page.fresh.length;
      const batch = run.batch(records);
      if (batch) yield batch;
    }
  }

  /**
   * Yields the deletions `sys_audit_delete` logged for the task tables
   * since its cursor. Returns false, having read nothing, when the
   * integration user may not read it.
   */
  async *#auditDeletions(
    state: ServiceNowCursor,
    run: SyncRun,
    call: RunCall,
    logger: LoggerService,
  ): AsyncGenerator<ItsmProviderBatch, boolean> {
    const tables = `tablenameIN${this.#taskTables.join(',')}`;
    let probe: ServiceNowRow[];
    try {
      probe = await this.#client.getRows(
        AUDIT_DELETE_TABLE,
        { query: tables, fields: AUDIT_FIELDS, limit: 1 },
        call,
      );
    } catch (error) {
      if (
        error instanceof ServiceNowError &&
        !error.retryable &&
        isItsmPartUnavailableStatus(error.status)
      ) {
        logger.debug(
          `${this.id}: ${AUDIT_DELETE_TABLE} cannot be read (${
            error.status
          }); deletions are found by reconciling ids every ${Math.round(
            this.#reconcileEveryMs / 60_000,
          )} minutes instead`,
        );
        return false;
      }
      throw error;
    }
    const missing = AUDIT_FIELDS.filter(f => probe[0] && !(f in probe[0]));
    if (missing.length > 0) {
      logger.warn(
        `${this.id}: ${AUDIT_DELETE_TABLE} has no ${missing.join(
          ', ',
        )} for the integration user; deletions are found by reconciling ids instead`,
      );
      return false;
    }
    const cursor = (state.audit ??= { since: null, seen: {} });
    const lower = cursor.since
      ? shiftServiceNowDateTime(cursor.since, -this.#overlapMs)
      : null;
    const mode = this.#client.displayValue;
    try {
      for await (const page of this.#readTable(AUDIT_DELETE_TABLE, cursor, {
        lower,
        extraQuery: tables,
        fields: AUDIT_FIELDS,
        timeField: 'sys_created_on',
        call,
        logger,
      })) {
        const deletions: ItsmProviderDeletion[] = [];
        for (const row of page.fresh) {
          const externalId = readText(row, 'documentkey', mode);
          if (!externalId) continue;
          const at = readInstant(row, 'sys_created_on', mode);
          deletions.push({
            externalId,
            ...(at.ok && at.iso ? { deletedAt: at.iso } : {}),
            reason: 'audit',
          });
        }
        const batch = run.batch([], deletions);
        if (batch) yield batch;
      }
    } catch (error) {
      if (!isUnreadable(error)) throw error;
      run.partFailed(
        AUDIT_DELETE_TABLE,
        error,
        this.#unreadable(AUDIT_DELETE_TABLE, error),
      );
    }
    return true;
  }

  /**
   * For each task table whose ids were not reconciled within
   * `reconcileEveryMs`: lists its ids and yields the stored ones it lacks
   * as deleted. Skipped when the engine cannot list stored ids.
   */
  async *#reconcile(
    state: ServiceNowCursor,
    run: SyncRun,
    context: ItsmProviderSyncContext,
    call: RunCall,
    logger: LoggerService,
  ): AsyncGenerator<ItsmProviderBatch> {
    const listStored = context.listStoredExternalIds?.bind(context);
    if (!listStored) return;
    for (const table of this.#taskTables) {
      if (run.failed.has(table)) continue;
      const startedAt = this.#now();
      const last = state.reconciled?.[table];
      if (last && startedAt - Date.parse(last) < this.#reconcileEveryMs) {
        continue;
      }
      let missing: string[] | undefined;
      try {
        missing = await this.#missingIds(table, listStored, call, logger);
      } catch (error) {
        if (!isUnreadable(error)) throw error;
        run.partFailed(table, error, this.#unreadable(table, error));
        continue;
      }
      if (!missing) continue;
      logger.info(
        `${this.id}: ${missing.length} ${table} records are gone from the instance (id reconciliation)`,
      );
      const deletedAt = new Date(startedAt).toISOString();
      for (let i = 0; i === 0 || i < missing.length; i += DELETIONS_PER_BATCH) {
        if (i + DELETIONS_PER_BATCH >= missing.length) {
          // With the last of them: a run that stops before reconciles again.
          (state.reconciled ??= {})[table] = deletedAt;
        }
        const batch = run.batch(
          [],
          missing.slice(i, i + DELETIONS_PER_BATCH).map(externalId => ({
            externalId,
            deletedAt,
            reason: 'reconciliation' as const,
          })),
        );
        if (batch) yield batch;
      }
    }
  }

  /**
   * The stored ids of a task table that its complete id listing lacks. Both
   * lists come in ascending order and are walked side by side, a page of
   * each at a time; the listing is read up to the highest stored id, so
   * every stored id is compared with a complete listing of its range.
   * Throws when a page of the listing fails; undefined (with a warning)
   * when either side is not in the order the walk relies on.
   */
  async #missingIds(
    table: ServiceNowTaskTable,
    listStored: NonNullable<ItsmProviderSyncContext['listStoredExternalIds']>,
    call: RunCall,
    logger: LoggerService,
  ): Promise<string[] | undefined> {
    const mode = this.#client.displayValue;
    let page: string[] = [];
    let index = 0;
    let complete = false;
    let lastListed: string | undefined;
    /** The next listed id, or undefined past the end. */
    const nextListed = async (): Promise<string | undefined> => {
      while (index >= page.length && !complete) {
        call.signal.throwIfAborted();
        const rows = await this.#client.getRows(
          table,
          {
            query: andQuery(
              lastListed !== undefined ? `sys_id>${lastListed}` : undefined,
              this.#query[table],
              'ORDERBYsys_id',
            ),
            fields: ['sys_id'],
            limit: this.#reconcilePageSize,
          },
          call,
        );
        complete = rows.length < this.#reconcilePageSize;
        page = rows
          .map(row => readText(row, 'sys_id', mode) ?? '')
          .filter(id => id !== '');
        index = 0;
        for (const id of page) {
          if (lastListed !== undefined && id <= lastListed) {
            throw new OutOfOrder(`the listing of ${table}`);
          }
          lastListed = id;
        }
      }
      return index < page.length ? page[index++] : undefined;
    };

    const missing: string[] = [];
    const kind = KIND_OF_TABLE[table];
    try {
      let listed = await nextListed();
      let after: string | undefined;
      for (;;) {
        const stored = await listStored({
          kind,
          after,
          limit: STORED_IDS_PAGE,
        });
        if (stored.length === 0) break;
        for (const id of stored) {
          if (after !== undefined && id <= after) {
            throw new OutOfOrder('the stored ids');
          }
          after = id;
          while (listed !== undefined && listed < id) {
            listed = await nextListed();
          }
          if (listed !== id) missing.push(id);
        }
      }
    } catch (error) {
      if (!(error instanceof OutOfOrder)) throw error;
      logger.warn(
        `${this.id}: ids of ${table} not reconciled: ${error.message} did not come in ascending order, which the comparison relies on; nothing was marked deleted`,
      );
      return undefined;
    }
    return missing;
  }

  /**
   * Checks, once per run, that the table has every field the provider asks
   * for and every field the configured query uses: the Table API silently
   * drops unknown fields and ignores unknown query terms (returning the whole
   * table), so a typo would otherwise sync the wrong rows. Returns the fields
   * to request: optional ones the instance lacks are left out.
   */
  async #checkFields(
    table: ServiceNowTable,
    call: RunCall,
    logger: LoggerService,
  ): Promise<string[]> {
    const { required, optional } = TABLE_FIELDS[table];
    const configured =
      table === 'incident' && this.#acknowledgedAtField
        ? [this.#acknowledgedAtField]
        : [];
    const query = this.#query[table];
    const used = query ? queryFields(query) : [];
    const asked = [
      ...new Set([...required, ...configured, ...optional, ...used]),
    ];
    const rows = await this.#client.getRows(
      table,
      { query, fields: asked, limit: 1 },
      call,
    );
    const wanted = [...new Set([...required, ...configured, ...optional])];
    if (rows.length === 0) {
      logger.debug(
        `${this.id}: table ${table} returned no row${
          query ? ` for the query ${query}` : ''
        }; its fields could not be checked`,
      );
      return wanted;
    }
    const present = new Set(Object.keys(rows[0]));
    const problems: string[] = [];
    const missing = (list: string[]) => list.filter(f => !present.has(f));
    if (missing(required).length > 0) {
      problems.push(
        `${missing(required)
          .map(f => `"${f}"`)
          .join(', ')} (needed by the provider)`,
      );
    }
    if (missing(configured).length > 0) {
      problems.push(
        `"${missing(configured)[0]}" (configured at ${
          this.#configKey
        }.acknowledgedAtField)`,
      );
    }
    const unknownInQuery = missing(used).filter(f => !wanted.includes(f));
    if (unknownInQuery.length > 0) {
      problems.push(
        `${unknownInQuery.map(f => `"${f}"`).join(', ')} (used in ${
          this.#configKey
        }.query.${table})`,
      );
    }
    if (problems.length > 0) {
      throw new ServiceNowError({
        instance: this.id,
        table,
        retryable: false,
        message: `ServiceNow instance ${this.id} has no field ${problems.join(
          ' and no field ',
        )} on table ${table}, or the integration user may not read it. The Table API silently ignores unknown fields and query terms, so the sync stops instead of reading the wrong rows`,
      });
    }
    const absent = missing(optional);
    if (absent.length > 0) {
      logger.debug(
        `${this.id}: table ${table} has no ${absent.join(', ')}; not read`,
      );
    }
    return wanted.filter(f => !absent.includes(f));
  }

  /**
   * Reads a table from `lower` on, in `<timeField>, sys_id` order
   * (`sys_updated_on` unless said), one page at a time. Before yielding a
   * page it advances `cursor` over it, so the batch made from the page
   * carries the cursor that resumes after it.
   *
   * Paging re-anchors on the last row's second after each page:
   * `sys_updated_on>=<that second>` with `sysparm_offset` = the rows of that
   * second already read, minus one, so the first row returned must be the
   * last one read. When it is not, a row of that second changed under us and
   * the second is read again from its start (rows already yielded are
   * skipped). Rows updated during the read move past the end and are read
   * there, in their new version.
   */
  async *#readTable(
    table: string,
    cursor: TableCursor,
    options: {
      lower: string | null;
      extraQuery?: string;
      fields: string[];
      timeField?: 'sys_updated_on' | 'sys_created_on';
      call: RunCall;
      logger: LoggerService;
    },
  ): AsyncGenerator<PageOfRows> {
    const mode = this.#client.displayValue;
    const timeField = options.timeField ?? 'sys_updated_on';
    const windowStart = (since: string) =>
      shiftServiceNowDateTime(since, -this.#overlapMs);
    let lower = options.lower;
    let offset = 0;
    let anchor: { sysId: string; updatedOn: string } | undefined;
    let restarts = 0;
    for (;;) {
      options.call.signal.throwIfAborted();
      const rows = await this.#client.getRows(
        table,
        {
          query: andQuery(
            lower ? `${timeField}>=${lower}` : undefined,
            options.extraQuery,
            `ORDERBY${timeField}`,
            'ORDERBYsys_id',
          ),
          fields: options.fields,
          limit: this.#pageSize,
          offset,
        },
        options.call,
      );
      const keyed = rows.map(row => ({
        row,
        sysId: readText(row, 'sys_id', mode) ?? '',
        updatedOn: readText(row, timeField, mode) ?? '',
      }));

      if (anchor && offset > 0) {
        const first = keyed[0];
        if (
          !first ||
          first.sysId !== anchor.sysId ||
          first.updatedOn !== anchor.updatedOn
        ) {
          if (++restarts > MAX_RESTARTS) {
            throw new ServiceNowError({
              instance: this.id,
              table,
              retryable: true,
              message: `ServiceNow table ${table} of ${this.id} kept changing under the sync at ${lower}`,
            });
          }
          options.logger.debug(
            `${this.id}: rows of ${table} at ${lower} changed while paging; reading that second again`,
          );
          offset = 0;
          anchor = undefined;
          continue;
        }
      }

      const fresh: ServiceNowRow[] = [];
      const skipped: PageOfRows['skipped'] = [];
      for (const k of keyed) {
        if (k.sysId && k.updatedOn && cursor.seen[k.sysId] === k.updatedOn) {
          skipped.push(k);
        } else {
          fresh.push(k.row);
        }
      }
      advanceTableCursor(cursor, keyed, windowStart);
      yield { fresh, skipped };

      if (rows.length < this.#pageSize) {
        return;
      }
      const last = keyed[keyed.length - 1];
      if (!isServiceNowDateTime(last.updatedOn) || !last.sysId) {
        // Cannot re-anchor on a row without a time stamp: plain offset paging.
        offset += rows.length;
        anchor = undefined;
        continue;
      }
      const readAtLast =
        lower === last.updatedOn
          ? offset + rows.length
          : keyed.filter(k => k.updatedOn === last.updatedOn).length;
      lower = last.updatedOn;
      offset = readAtLast - 1;
      anchor = { sysId: last.sysId, updatedOn: last.updatedOn };
    }
  }

  /** Rows of a task table by sys_id (with the table's extra query). */
  async #rowsById(
    table: ServiceNowTaskTable,
    ids: string[],
    fields: string[],
    call: RunCall,
  ): Promise<ServiceNowRow[]> {
    return this.#readByIds(
      ids,
      chunk =>
        andQuery(
          `sys_idIN${chunk.join(',')}`,
          this.#query[table],
          'ORDERBYsys_id',
        ),
      table,
      fields,
      call,
    );
  }

  /**
   * Every row of an `IN` query on many ids: one query per chunk of
   * {@link IN_QUERY_CHUNK} ids, up to {@link IN_QUERY_CONCURRENCY} at once,
   * results in the order of the chunks.
   */
  async #readByIds(
    ids: string[],
    query: (chunk: string[]) => string,
    table: ServiceNowTable,
    fields: string[],
    call: RunCall,
  ): Promise<ServiceNowRow[]> {
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += IN_QUERY_CHUNK) {
      chunks.push(ids.slice(i, i + IN_QUERY_CHUNK));
    }
    const rows: ServiceNowRow[] = [];
    for (let i = 0; i < chunks.length; i += IN_QUERY_CONCURRENCY) {
      const results = await Promise.all(
        chunks
          .slice(i, i + IN_QUERY_CONCURRENCY)
          .map(chunk => this.#readAll(table, query(chunk), fields, call)),
      );
      for (const result of results) {
        rows.push(...result);
      }
    }
    return rows;
  }

  /** Every row of a query on a fixed set (no time window), page by page. */
  async #readAll(
    table: ServiceNowTable,
    query: string,
    fields: string[],
    call: RunCall,
  ): Promise<ServiceNowRow[]> {
    const rows: ServiceNowRow[] = [];
    for (;;) {
      call.signal.throwIfAborted();
      const page = await this.#client.getRows(
        table,
        { query, fields, limit: this.#pageSize, offset: rows.length },
        call,
      );
      rows.push(...page);
      if (page.length < this.#pageSize) {
        return rows;
      }
    }
  }

  /**
   * Normalises task rows, each with all its SLAs (one `taskIN` query per
   * chunk), or without SLAs when task_sla cannot be read in this run.
   */
  async #normaliseTasks(
    table: ServiceNowTaskTable,
    rows: ServiceNowRow[],
    fields: Map<ServiceNowTable, string[]>,
    options: NormaliseOptions,
    context: {
      run: SyncRun;
      call: RunCall;
      loseSlas: (error?: ServiceNowError) => void;
    },
  ): Promise<NormalisedItem[]> {
    const slas = new Map<string, NormalisedItem[]>();
    if (context.run.slas && rows.length > 0) {
      const ids = [
        ...new Set(
          rows
            .map(row => readText(row, 'sys_id', options.mode))
            .filter((id): id is string => !!id),
        ),
      ];
      let slaRows: ServiceNowRow[] = [];
      try {
        slaRows = await this.#readByIds(
          ids,
          chunk =>
            andQuery(
              `taskIN${chunk.join(',')}`,
              this.#query.task_sla,
              'ORDERBYsys_id',
            ),
          'task_sla',
          fields.get('task_sla')!,
          context.call,
        );
      } catch (error) {
        if (!isUnreadable(error)) throw error;
        context.loseSlas(error);
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
}
