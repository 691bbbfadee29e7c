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
import type { ItsmRecordKind } from '@backstage-itsm/plugin-itsm-common';
import type {
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderSyncContext,
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
import { andQuery, queryFields } from './encodedQuery';
import { ServiceNowError } from './errors';
import {
  NormalisedItem,
  NormaliseOptions,
  normaliseSlaRow,
  normaliseTaskRow,
  slaTaskId,
} from './normalise';
import type { ServiceNowClient } from './ServiceNowClient';
import {
  isTaskTable,
  KIND_OF_TABLE,
  ServiceNowTable,
  ServiceNowTaskTable,
  TABLE_FIELDS,
  TASK_TABLES,
} from './tables';
import {
  formatServiceNowDateTime,
  isServiceNowDateTime,
  readText,
  ServiceNowRow,
  shiftServiceNowDateTime,
} from './values';

/** Rows per Table API page unless configured. @public */
export const DEFAULT_PAGE_SIZE = 500;
/** How far each run reads back before its cursor, unless configured. @public */
export const DEFAULT_OVERLAP_SECONDS = 120;
/** Most sys_ids in one `sys_idIN` / `taskIN` query term, to keep URLs short. */
export const IN_QUERY_CHUNK = 100;
/** Most of those `IN` queries in flight at once (ServiceNow queues concurrent API transactions per user). */
export const IN_QUERY_CONCURRENCY = 3;
/** How often a run re-reads a second whose rows changed under it before giving up. */
const MAX_RESTARTS = 10;

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
  /** Choice values of this instance that differ from the out-of-box lists. */
  choices?: ChoiceOverrides;
  /** The incident field holding when it was acknowledged, e.g. `u_acknowledged_at`. */
  acknowledgedAtField?: string;
  /** The config key of the instance, named in errors. */
  configKey?: string;
  /** The clock; for tests. */
  now?: () => number;
}

interface PageOfRows {
  /** Rows not read before in the same version. */
  fresh: ServiceNowRow[];
  /** Rows skipped because that version was already yielded. */
  skipped: Array<{ sysId: string; updatedOn: string }>;
}

/** Bookkeeping of one run: counts, and the last cursor handed out. */
class SyncRun {
  rows = 0;
  slaRows = 0;
  slaParents = 0;
  records = 0;
  batches = 0;
  readonly unmapped = new Set<string>();
  readonly #state: ServiceNowCursor;
  #lastCursor: string;

  constructor(state: ServiceNowCursor) {
    this.#state = state;
    this.#lastCursor = serializeCursor(state);
  }

  /** A batch of these records and the cursor now, or nothing when neither is news. */
  batch(records: NormalisedItem[]): ItsmProviderBatch | undefined {
    const cursor = serializeCursor(this.#state);
    if (records.length === 0 && cursor === this.#lastCursor) {
      return undefined;
    }
    this.#lastCursor = cursor;
    this.records += records.length;
    this.batches++;
    return { records, cursor };
  }
}

/**
 * Syncs incidents, changes and problems of one ServiceNow instance through
 * the Table API, each with its task SLAs.
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
 * (a breach, a pause), so a last phase reads `task_sla` rows updated since
 * its own cursor and yields their tasks again with all their SLAs, unless the
 * task was already yielded in this run after that SLA change.
 * @public
 */
export class ServiceNowItsmProvider implements ItsmProvider {
  readonly id: string;
  readonly department = 'it';
  readonly kinds: ReadonlyArray<ItsmRecordKind>;
  readonly #client: ServiceNowClient;
  readonly #taskTables: ServiceNowTaskTable[];
  readonly #slas: boolean;
  readonly #query: Partial<Record<ServiceNowTable, string>>;
  readonly #pageSize: number;
  readonly #overlapMs: number;
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
    this.#choices = new ChoiceMapper(options.choices);
    this.#acknowledgedAtField = options.acknowledgedAtField;
    this.#configKey =
      options.configKey ??
      `itsm.providers.servicenow.${options.id.replace(/^servicenow:/, '')}`;
    this.#now = options.now ?? Date.now;
  }

  async *sync({
    cursor,
    signal,
    logger,
  }: ItsmProviderSyncContext): AsyncGenerator<ItsmProviderBatch> {
    signal.throwIfAborted();
    let state = parseCursor(cursor);
    if (!state) {
      logger.warn(
        `Cursor of ${this.id} is not one this provider wrote; reading every table from the start`,
      );
      state = emptyCursor();
    }
    // SLA versions older than this existed before this run read anything;
    // the overlap also absorbs clock skew between us and the instance.
    const runCutoff = formatServiceNowDateTime(this.#now() - this.#overlapMs);
    const run = new SyncRun(state);
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

    const fields = new Map<ServiceNowTable, string[]>();
    for (const table of [
      ...this.#taskTables,
      ...(this.#slas ? (['task_sla'] as const) : []),
    ]) {
      fields.set(table, await this.#checkFields(table, signal, logger));
    }

    // Where each task table's read started in this run, and the rows it
    // skipped as yielded by an earlier run: the SLA phase needs both.
    const runLower = new Map<ServiceNowTaskTable, string | null>();
    const skippedBySeen = new Map<ServiceNowTaskTable, Set<string>>();

    for (const table of this.#taskTables) {
      const tableCursor = (state.tables[table] ??= { since: null, seen: {} });
      const lower = tableCursor.since
        ? shiftServiceNowDateTime(tableCursor.since, -this.#overlapMs)
        : null;
      runLower.set(table, lower);
      const earlier = { ...tableCursor.seen };
      const skipped = new Set<string>();
      skippedBySeen.set(table, skipped);
      for await (const page of this.#readTable(table, tableCursor, {
        lower,
        extraQuery: this.#query[table],
        fields: fields.get(table)!,
        signal,
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
          signal,
        );
        run.rows += page.fresh.length;
        const batch = run.batch(records);
        if (batch) yield batch;
      }
    }

    if (this.#slas) {
      const slaCursor = (state.tables.task_sla ??= { since: null, seen: {} });
      const lower = slaCursor.since
        ? shiftServiceNowDateTime(slaCursor.since, -this.#overlapMs)
        : null;
      for await (const page of this.#readTable('task_sla', slaCursor, {
        lower,
        extraQuery: andQuery(
          `task.sys_class_nameIN${this.#taskTables.join(',')}`,
          this.#query.task_sla,
        ),
        fields: fields.get('task_sla')!,
        signal,
        logger,
      })) {
        const wanted = new Map<ServiceNowTaskTable, Set<string>>();
        for (const row of page.fresh) {
          const mode = this.#client.displayValue;
          const parentTable = readText(row, 'task.sys_class_name', mode);
          const parentId = slaTaskId(row, mode);
          if (
            !parentId ||
            !parentTable ||
            !isTaskTable(parentTable) ||
            !this.#taskTables.includes(parentTable)
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
            signal,
          );
          records.push(
            ...(await this.#normaliseTasks(
              table,
              rows,
              fields,
              normalise,
              signal,
            )),
          );
          run.slaParents += rows.length;
        }
        run.slaRows += page.fresh.length;
        const batch = run.batch(records);
        if (batch) yield batch;
      }
    }

    logger.info(
      `${this.id}: read ${run.rows} task rows and ${run.slaRows} changed SLA rows (${run.slaParents} tasks yielded again for them), yielded ${run.records} records in ${run.batches} batches`,
    );
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
    signal: AbortSignal,
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
      signal,
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
   * Reads a table from `lower` on, in `sys_updated_on, sys_id` order, one
   * page at a time. Before yielding a page it advances `cursor` over it, so
   * the batch made from the page carries the cursor that resumes after it.
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
    table: ServiceNowTable,
    cursor: TableCursor,
    options: {
      lower: string | null;
      extraQuery?: string;
      fields: string[];
      signal: AbortSignal;
      logger: LoggerService;
    },
  ): AsyncGenerator<PageOfRows> {
    const mode = this.#client.displayValue;
    const windowStart = (since: string) =>
      shiftServiceNowDateTime(since, -this.#overlapMs);
    let lower = options.lower;
    let offset = 0;
    let anchor: { sysId: string; updatedOn: string } | undefined;
    let restarts = 0;
    for (;;) {
      options.signal.throwIfAborted();
      const rows = await this.#client.getRows(
        table,
        {
          query: andQuery(
            lower ? `sys_updated_on>=${lower}` : undefined,
            options.extraQuery,
            'ORDERBYsys_updated_on',
            'ORDERBYsys_id',
          ),
          fields: options.fields,
          limit: this.#pageSize,
          offset,
        },
        options.signal,
      );
      const keyed = rows.map(row => ({
        row,
        sysId: readText(row, 'sys_id', mode) ?? '',
        updatedOn: readText(row, 'sys_updated_on', mode) ?? '',
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
    signal: AbortSignal,
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
      signal,
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
    signal: AbortSignal,
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
          .map(chunk => this.#readAll(table, query(chunk), fields, signal)),
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
    signal: AbortSignal,
  ): Promise<ServiceNowRow[]> {
    const rows: ServiceNowRow[] = [];
    for (;;) {
      signal.throwIfAborted();
      const page = await this.#client.getRows(
        table,
        { query, fields, limit: this.#pageSize, offset: rows.length },
        signal,
      );
      rows.push(...page);
      if (page.length < this.#pageSize) {
        return rows;
      }
    }
  }

  /** Normalises task rows, each with all its SLAs (one `taskIN` query per chunk). */
  async #normaliseTasks(
    table: ServiceNowTaskTable,
    rows: ServiceNowRow[],
    fields: Map<ServiceNowTable, string[]>,
    options: NormaliseOptions,
    signal: AbortSignal,
  ): Promise<NormalisedItem[]> {
    const slas = new Map<string, NormalisedItem[]>();
    if (this.#slas && rows.length > 0) {
      const ids = [
        ...new Set(
          rows
            .map(row => readText(row, 'sys_id', options.mode))
            .filter((id): id is string => !!id),
        ),
      ];
      const slaRows = await this.#readByIds(
        ids,
        chunk =>
          andQuery(
            `taskIN${chunk.join(',')}`,
            this.#query.task_sla,
            'ORDERBYsys_id',
          ),
        'task_sla',
        fields.get('task_sla')!,
        signal,
      );
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
