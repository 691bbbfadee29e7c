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
import type {
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderSyncContext,
} from '@backstage-itsm/plugin-itsm-node';
import type { ItsmRecordInput } from '@backstage-itsm/plugin-itsm-common';
import {
  PagerDutyChangeEvent,
  PagerDutyClient,
  PagerDutyIncident,
  PagerDutyLogEntry,
  PagerDutyRequestError,
} from '../client';
import {
  PagerDutyCursor,
  parseCursor,
  serializeCursor,
  withOverlap,
} from './cursor';
import { mapConcurrent } from './mapConcurrent';
import {
  IncidentLogSummary,
  incidentIdOf,
  mapPriority,
  normaliseChangeEvent,
  normaliseIncident,
  serviceIdOf,
  summariseLogEntries,
} from './normalise';
import {
  PAGERDUTY_MAX_OFFSET,
  toPagerDutyTime,
  walkTimeWindows,
  WindowPosition,
} from './timeWindows';

const DAY = 24 * 60 * 60 * 1000;
const INCIDENT_STATUSES = ['triggered', 'acknowledged', 'resolved'];

/** Options of {@link PagerDutyItsmProvider}. */
export interface PagerDutyItsmProviderOptions {
  /** Provider id, `pagerduty:<key>`. */
  id: string;
  client: PagerDutyClient;
  /** Start of history on the first run; defaults to 365 days before it. */
  since?: string;
  /** `limit` of every list request, 1..100. */
  pageSize: number;
  /** How far each incremental run reaches back before its watermarks. */
  overlapMs: number;
  /** Incidents whose details are read at once. */
  concurrency: number;
  /** Only these services; undefined reads all. */
  serviceIds?: string[];
  /** When to look up `related_change_events` and which reasons mean "caused by". */
  causedByChange: { maxPriority: number; reasons: string[] };
  /** The clock; for tests. */
  now?: () => number;
  /** PagerDuty's offset cap; lowered by tests. */
  maxOffset?: number;
}

/**
 * Reads one PagerDuty account: incidents (with their log entries) and
 * change events, as normalised ITSM records.
 *
 * Each run walks three streams, page by page, and yields one batch per page
 * with the cursor of all three (see {@link PagerDutyCursor}):
 *
 * 1. Updates. `GET /incidents` filters by creation time only, so changes to
 *    older incidents are found through the account's log entries
 *    (`GET /log_entries?since=<watermark>`): every incident named by an entry
 *    since the last run is read again (`GET /incidents/{id}`).
 * 2. New incidents, by `created_at` window (`GET /incidents?since&until`,
 *    `sort_by=created_at:asc`, all statuses, UTC), from `since` on the first
 *    run. Each incident's log entries give its acknowledge and resolve
 *    instants; P1/P2 incidents also get their related change events.
 * 3. Change events by timestamp (`GET /change_events?since&until`).
 *
 * Every stream walks time windows sized to stay under PagerDuty's offset cap
 * of 10,000 results per query. A finished stream restarts `overlapMs` before
 * its watermark; reading a record twice is harmless (keyed, version-aware
 * upsert), losing one is not.
 */
export class PagerDutyItsmProvider implements ItsmProvider {
  readonly id: string;
  readonly department = 'it';
  readonly kinds = ['incident', 'change'] as const;
  readonly #client: PagerDutyClient;
  readonly #since?: string;
  readonly #pageSize: number;
  readonly #overlapMs: number;
  readonly #concurrency: number;
  readonly #serviceIds?: ReadonlySet<string>;
  readonly #causedByChange: { maxPriority: number; reasons: string[] };
  readonly #now: () => number;
  readonly #maxOffset: number;

  constructor(options: PagerDutyItsmProviderOptions) {
    this.id = options.id;
    this.#client = options.client;
    this.#since = options.since;
    this.#pageSize = options.pageSize;
    this.#overlapMs = options.overlapMs;
    this.#concurrency = options.concurrency;
    this.#serviceIds = options.serviceIds
      ? new Set(options.serviceIds)
      : undefined;
    this.#causedByChange = options.causedByChange;
    this.#now = options.now ?? Date.now;
    this.#maxOffset = options.maxOffset ?? PAGERDUTY_MAX_OFFSET;
  }

  async *sync({
    cursor,
    signal,
    logger,
  }: ItsmProviderSyncContext): AsyncIterable<ItsmProviderBatch> {
    const end = Math.floor(this.#now() / 1000) * 1000;
    const saved = parseCursor(cursor);
    if (cursor && !saved) {
      logger.warn(
        `Ignoring the saved cursor of ${this.id}, which is not a PagerDuty cursor; reading from the start of history again`,
      );
    }
    const fresh = !saved;
    const since = this.#since ?? new Date(end - 365 * DAY).toISOString();
    let state: PagerDutyCursor = saved ?? {
      v: 1,
      // Incidents the first run reads are read after it starts: their
      // changes are caught from its start on.
      updates: { from: toPagerDutyTime(end) },
      incidents: { from: since },
      changes: { from: since },
    };
    const overlap = (position: WindowPosition) =>
      fresh ? position : withOverlap(position, this.#overlapMs);
    const counts = { updated: 0, incidents: 0, changes: 0 };
    const emit = (records: unknown[], next: PagerDutyCursor) => {
      state = next;
      return { records, cursor: serializeCursor(next) };
    };

    // 1. Incidents changed since the last run, found through log entries.
    let windowSince: string | undefined;
    const seen = new Set<string>();
    for await (const step of this.#walk<PagerDutyLogEntry>(
      '/log_entries',
      'log_entries',
      overlap(state.updates),
      end,
      { time_zone: 'UTC' },
      logger,
      signal,
    )) {
      if (step.range.since !== windowSince) {
        windowSince = step.range.since;
        seen.clear();
      }
      const ids: string[] = [];
      for (const entry of step.items) {
        const incidentId = incidentIdOf(entry);
        if (!incidentId || seen.has(incidentId)) continue;
        const serviceId = serviceIdOf(entry);
        if (this.#serviceIds && serviceId && !this.#serviceIds.has(serviceId)) {
          continue;
        }
        seen.add(incidentId);
        ids.push(incidentId);
      }
      const records = (
        await mapConcurrent(
          ids,
          this.#concurrency,
          (id, s) => this.#readIncident(id, logger, s),
          signal,
        )
      ).filter((r): r is ItsmRecordInput => r !== undefined);
      counts.updated += records.length;
      yield emit(records, { ...state, updates: step.position });
    }

    // 2. Incidents created since the last run (or since `since`).
    for await (const step of this.#walk<PagerDutyIncident>(
      '/incidents',
      'incidents',
      overlap(state.incidents),
      end,
      {
        'statuses[]': INCIDENT_STATUSES,
        sort_by: 'created_at:asc',
        time_zone: 'UTC',
        'service_ids[]': this.#serviceIds ? [...this.#serviceIds] : undefined,
      },
      logger,
      signal,
    )) {
      const records = await mapConcurrent(
        step.items,
        this.#concurrency,
        (incident, s) => this.#toRecord(incident, s),
        signal,
      );
      counts.incidents += records.length;
      yield emit(records, { ...state, incidents: step.position });
    }

    // 3. Change events.
    for await (const step of this.#walk<PagerDutyChangeEvent>(
      '/change_events',
      'change_events',
      overlap(state.changes),
      end,
      {},
      logger,
      signal,
    )) {
      const records = step.items
        .filter(event => this.#wantsChange(event))
        .map(normaliseChangeEvent);
      counts.changes += records.length;
      yield emit(records, { ...state, changes: step.position });
    }

    logger.info(
      `PagerDuty ${this.id}: read ${counts.updated} updated incidents, ${
        counts.incidents
      } incidents by creation and ${
        counts.changes
      } change events up to ${toPagerDutyTime(end)} (${
        this.#client.requestCount
      } requests so far)`,
    );
  }

  #walk<T>(
    path: string,
    key: string,
    position: WindowPosition,
    end: number,
    query: Record<string, string | string[] | undefined>,
    logger: LoggerService,
    signal: AbortSignal,
  ) {
    return walkTimeWindows<T>({
      position,
      end,
      pageSize: this.#pageSize,
      initialWindowMs: 7 * DAY,
      // /incidents refuses ranges over 6 months.
      maxWindowMs: 90 * DAY,
      maxOffset: this.#maxOffset,
      fetchPage: ({ since, until, offset, limit, withTotal }) =>
        this.#client.getPage<T>(
          path,
          key,
          {
            ...query,
            since,
            until,
            limit,
            offset,
            total: withTotal ? true : undefined,
          },
          signal,
        ),
      onCapExceeded: (range, total) =>
        logger.warn(
          `PagerDuty ${this.id}: ${total} results in ${path} between ${
            range.since
          } and ${range.until}, more than the ${
            this.#maxOffset
          } PagerDuty serves for one query; the rest of that second is skipped`,
        ),
    });
  }

  /** Reads an incident again by id; undefined when it is gone or filtered out. */
  async #readIncident(
    id: string,
    logger: LoggerService,
    signal: AbortSignal,
  ): Promise<ItsmRecordInput | undefined> {
    let incident: PagerDutyIncident | undefined;
    try {
      const body = await this.#client.get<{ incident?: PagerDutyIncident }>(
        `/incidents/${encodeURIComponent(id)}`,
        {},
        signal,
      );
      incident = body?.incident;
    } catch (error) {
      if (error instanceof PagerDutyRequestError && error.status === 404) {
        logger.debug(`PagerDuty ${this.id}: incident ${id} no longer exists`);
        return undefined;
      }
      throw error;
    }
    if (!incident || typeof incident !== 'object') {
      throw new PagerDutyRequestError(
        `PagerDuty account ${this.id}: GET /incidents/${id} returned no incident`,
        { retryable: false },
      );
    }
    if (this.#serviceIds) {
      const serviceId = incident.service?.id;
      if (!serviceId || !this.#serviceIds.has(serviceId)) return undefined;
    }
    return this.#toRecord(incident, signal);
  }

  /** An incident with its log entries and, for P1/P2, its cause. */
  async #toRecord(
    incident: PagerDutyIncident,
    signal: AbortSignal,
  ): Promise<ItsmRecordInput> {
    const id =
      incident && typeof incident.id === 'string' && incident.id !== ''
        ? incident.id
        : undefined;
    if (!id) {
      // Cannot ask about it; the engine dead-letters it (externalId).
      return normaliseIncident(incident ?? {});
    }
    let log: IncidentLogSummary = {};
    for await (const entries of this.#client.getPages<PagerDutyLogEntry>(
      `/incidents/${encodeURIComponent(id)}/log_entries`,
      'log_entries',
      { time_zone: 'UTC' },
      this.#pageSize,
      signal,
    )) {
      log = summariseLogEntries(log, entries);
    }
    const priority = mapPriority(incident);
    const causedByChange =
      priority !== null &&
      priority <= this.#causedByChange.maxPriority &&
      this.#causedByChange.reasons.length > 0
        ? await this.#findCause(id, signal)
        : null;
    return normaliseIncident(incident, { log, causedByChange });
  }

  /**
   * The change PagerDuty correlates with the incident for one of the
   * configured reasons. PagerDuty's documented reasons (most_recent,
   * related_service, intelligent) say "related", not "caused", so by default
   * only `cause` counts and the link stays null.
   */
  async #findCause(id: string, signal: AbortSignal): Promise<string | null> {
    const body = await this.#client.get<{
      change_events?: PagerDutyChangeEvent[];
    }>(
      `/incidents/${encodeURIComponent(id)}/related_change_events`,
      { limit: this.#pageSize },
      signal,
    );
    const events = Array.isArray(body?.change_events) ? body.change_events : [];
    const cause = events.find(
      event =>
        typeof event?.id === 'string' &&
        event.id !== '' &&
        this.#causedByChange.reasons.includes(
          String(event.correlation_reason?.reason ?? ''),
        ),
    );
    return cause?.id ?? null;
  }

  #wantsChange(event: PagerDutyChangeEvent): boolean {
    if (!this.#serviceIds) return true;
    const services = Array.isArray(event?.services) ? event.services : [];
    return services.some(
      s => typeof s?.id === 'string' && this.#serviceIds!.has(s.id),
    );
  }
}
