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
import { isItsmPartUnavailableStatus } from '@backstage-itsm/plugin-itsm-node';
import type {
  ItsmProviderBatch,
  ItsmProviderDeletion,
} from '@backstage-itsm/plugin-itsm-node';
import { ServiceNowError } from '../client/errors';
import {
  readAccessHint,
  ServiceNowTable,
  ServiceNowTaskTable,
} from '../client/tables';
import { serializeCursor, ServiceNowCursor } from './cursor';
import type { NormalisedItem, NormaliseOptions } from './normalise';
import type { RunCall } from './ServiceNowTableReader';

/**
 * A table the integration user cannot read, for good: 400 (ServiceNow's
 * "Invalid table", also for a table it may not see), 403, 404. A 401 is not
 * one: it refuses the credentials, so no table can be read.
 */
export function isUnreadable(error: unknown): error is ServiceNowError {
  return (
    error instanceof ServiceNowError &&
    !error.retryable &&
    error.status !== 401 &&
    isItsmPartUnavailableStatus(error.status)
  );
}

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

/**
 * Bookkeeping of one run: its cursor, signal, logger and the fields read of
 * each table; counts, failed parts, and the last cursor handed out.
 */
export class SyncRun {
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
  /** The fields to request of each table that can be read. */
  readonly fields = new Map<ServiceNowTable, string[]>();
  readonly state: ServiceNowCursor;
  readonly call: RunCall;
  readonly logger: LoggerService;
  readonly normalise: NormaliseOptions;
  readonly #instance: string;
  #lastCursor: string;
  #slaGapStart: Partial<Record<ServiceNowTaskTable, string | null>> = {};

  constructor(options: {
    instance: string;
    configKey: string;
    state: ServiceNowCursor;
    call: RunCall;
    logger: LoggerService;
    normalise: Omit<NormaliseOptions, 'onUnmapped'>;
  }) {
    const { instance, configKey, logger } = options;
    this.#instance = instance;
    this.state = options.state;
    this.call = options.call;
    this.logger = logger;
    this.#lastCursor = serializeCursor(options.state);
    this.normalise = {
      ...options.normalise,
      onUnmapped: (table, field, raw) => {
        const key = `${table}.${field}=${raw}`;
        if (!this.unmapped.has(key)) {
          this.unmapped.add(key);
          logger.warn(
            `${instance}: ServiceNow ${table} ${field} "${raw}" has no mapping; records with it go to dead letters. Map it at ${configKey}.choices.${table}.${field}`,
          );
        }
      },
    };
  }

  /** A batch of these records and deletions and the cursor now, or nothing when none is news. */
  batch(
    records: NormalisedItem[],
    deletions: ItsmProviderDeletion[] = [],
  ): ItsmProviderBatch | undefined {
    const cursor = serializeCursor(this.state);
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
   * Reports a part (a table) that cannot be read, as the run's failed part;
   * the run goes on without it.
   */
  partFailed(part: string, error: ServiceNowError): void {
    if (this.failed.has(part)) return;
    this.failed.set(part, error);
    const reported = new ServiceNowError({
      instance: this.#instance,
      table: part,
      status: error.status,
      retryable: false,
      cause: error,
      message: `ServiceNow table ${part} of ${this.#instance} cannot be read (${
        error.status
      }: ${unreadableReason(
        error.status,
      )}); the other tables sync without it. The integration user needs ${readAccessHint(
        part,
      )}`,
    });
    this.call.reporter.partFailed(part, reported);
    this.logger.warn(reported.message);
  }

  /**
   * Where each task table's read starts in this run: where a gap in SLAs
   * begins if task_sla fails.
   */
  startSlaGapAt(since: Record<ServiceNowTaskTable, string | null>): void {
    this.#slaGapStart = since;
  }

  /**
   * Goes on without SLAs: the tasks read from here on are read again, with
   * their SLAs, once task_sla can be read. With the error when it failed.
   */
  loseSlas(error?: ServiceNowError): void {
    this.slas = false;
    this.state.slaGap ??= { ...this.#slaGapStart };
    if (error) {
      this.partFailed('task_sla', error);
    }
  }
}
