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
import type { ItsmSyncReporter } from '@backstage-itsm/plugin-itsm-node';
import { andQuery } from '../client/encodedQuery';
import { ServiceNowError } from '../client/errors';
import type { ServiceNowClient } from '../client/ServiceNowClient';
import type { ServiceNowTable, ServiceNowTaskTable } from '../client/tables';
import {
  isServiceNowDateTime,
  readText,
  ServiceNowRow,
  shiftServiceNowDateTime,
} from '../client/values';
import { advanceTableCursor, TableCursor } from './cursor';

/** Most sys_ids in one `sys_idIN` / `taskIN` query term, to keep URLs short. */
export const IN_QUERY_CHUNK = 100;
/** Most of those `IN` queries in flight at once (ServiceNow queues concurrent API transactions per user). */
export const IN_QUERY_CONCURRENCY = 3;
/** How often a run re-reads a second whose rows changed under it before giving up. */
const MAX_RESTARTS = 10;

/** The run's signal and reporter, passed to every request. */
export interface RunCall {
  signal: AbortSignal;
  reporter: ItsmSyncReporter;
}

/** A page of a table read from a cursor. */
export interface PageOfRows {
  /** Rows not read before in the same version. */
  fresh: ServiceNowRow[];
  /** Rows skipped because that version was already yielded. */
  skipped: Array<{ sysId: string; updatedOn: string }>;
}

/**
 * How the provider pages through the Table API: a table from a cursor in
 * time order, and the rows of a fixed set of ids.
 */
export class ServiceNowTableReader {
  readonly #instance: string;
  readonly #client: ServiceNowClient;
  readonly #query: Partial<Record<ServiceNowTable, string>>;
  readonly #pageSize: number;
  readonly #overlapMs: number;

  constructor(options: {
    /** The provider id, named in errors. */
    instance: string;
    client: ServiceNowClient;
    /** The extra encoded query of each table. */
    query: Partial<Record<ServiceNowTable, string>>;
    pageSize: number;
    overlapMs: number;
  }) {
    this.#instance = options.instance;
    this.#client = options.client;
    this.#query = options.query;
    this.#pageSize = options.pageSize;
    this.#overlapMs = options.overlapMs;
  }

  /** Where a read from this cursor starts: its instant minus the overlap. */
  lowerBound(cursor: TableCursor | undefined): string | null {
    return cursor?.since
      ? shiftServiceNowDateTime(cursor.since, -this.#overlapMs)
      : null;
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
  async *readTable(
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
              instance: this.#instance,
              table,
              retryable: true,
              message: `ServiceNow table ${table} of ${
                this.#instance
              } kept changing under the sync at ${lower}`,
            });
          }
          options.logger.debug(
            `${
              this.#instance
            }: rows of ${table} at ${lower} changed while paging; reading that second again`,
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
  async rowsById(
    table: ServiceNowTaskTable,
    ids: string[],
    fields: string[],
    call: RunCall,
  ): Promise<ServiceNowRow[]> {
    return this.readByIds(
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
  async readByIds(
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
}
