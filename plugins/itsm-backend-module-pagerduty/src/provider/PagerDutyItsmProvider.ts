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

import { stringifyError } from '@backstage/errors';
import {
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderSyncContext,
  noopItsmSyncReporter,
} from '@backstage-itsm/plugin-itsm-node';
import {
  ANNOTATION_PAGERDUTY_SERVICE_ID,
  type ItsmBuiltinMetricId,
} from '@backstage-itsm/plugin-itsm-common';
import {
  PagerDutyChangeEvent,
  PagerDutyClient,
  PagerDutyIncident,
  PagerDutyLogEntry,
  PagerDutyQuery,
  PagerDutyRequestError,
} from '../client';
import {
  DEFAULT_REREAD_RESOLVED_EVERY_MS,
  DEFAULT_REREAD_RESOLVED_WITHIN_MS,
  DEFAULT_URGENCY_PRIORITY,
  type PagerDutyUrgencyPriority,
} from '../config';
import {
  PagerDutyCursor,
  parseCursor,
  RereadPosition,
  serializeCursor,
  withOverlap,
} from './cursor';
import { describePagerDutyMetrics } from './metricNotes';
import { incidentIdOf, normaliseChangeEvent, serviceIdOf } from './normalise';
import { isPartUnavailable, PAGERDUTY_PARTS, PagerDutyRun } from './parts';
import { PagerDutyIncidentReader } from './PagerDutyIncidentReader';
import {
  PAGERDUTY_MAX_OFFSET,
  toPagerDutyTime,
  walkTimeWindows,
  WindowPosition,
  WindowStep,
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
  /**
   * When to look up `related_change_events` (incidents of PagerDuty priority
   * `maxPriority` or more urgent, and high-urgency incidents without a
   * priority; 0: never) and which correlation reasons link the change as the
   * cause, in order of preference.
   */
  causedByChange: { maxPriority: number; reasons: string[] };
  /**
   * Priority of incidents without a PagerDuty priority, by urgency (null:
   * none). Defaults to high 3, low 4.
   */
  urgencyPriority?: PagerDutyUrgencyPriority;
  /**
   * Every `everyMs`, read again the incidents resolved within `withinMs`
   * before: edits that leave no log entry land. Defaults: 6 hours, 7 days.
   */
  rereadResolved?: { everyMs: number; withinMs: number };
  /** The clock; for tests. */
  now?: () => number;
  /** PagerDuty's offset cap; lowered by tests. */
  maxOffset?: number;
}

/**
 * One stream walked by time window: its cursor key, its list (whose items
 * sit under the path's name: `/log_entries` → `log_entries`), and how a page
 * of it becomes records.
 */
interface TimeStream {
  key: 'updates' | 'incidents' | 'changes';
  path: '/log_entries' | '/incidents' | '/change_events';
  query: PagerDutyQuery;
  read(step: WindowStep<unknown>): Promise<unknown[]>;
}

/** A {@link TimeStream}, its pages' items typed where it is defined. */
function timeStream<T>(stream: {
  key: TimeStream['key'];
  path: TimeStream['path'];
  query: PagerDutyQuery;
  read(step: WindowStep<T>): Promise<unknown[]>;
}): TimeStream {
  return stream;
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
 *    instants; P1/P2 incidents (and high-urgency ones without a priority)
 *    also get their related change events.
 * 3. Change events by timestamp (`GET /change_events?since&until`).
 *
 * Every stream walks time windows sized to stay under PagerDuty's offset cap
 * of 10,000 results per query. A finished stream restarts `overlapMs` before
 * its watermark; reading a record twice is harmless (keyed, version-aware
 * upsert), losing one is not.
 *
 * 4. Every `rereadResolved.everyMs`, the incidents resolved within
 *    `rereadResolved.withinMs` are read again (newest resolution first), so
 *    that edits which leave no log entry (a title, a priority, a field of a
 *    resolved incident) land too.
 *
 * An endpoint the key may not read (403, 400, 404) is reported as a failed
 * part (`context.reporter.partFailed`) and the other streams go on; when no
 * endpoint could be read at all, or the key is refused (401), the run fails.
 */
export class PagerDutyItsmProvider implements ItsmProvider {
  readonly id: string;
  readonly department = 'it';
  readonly kinds = ['incident', 'change'] as const;
  readonly mapsOnAnnotations = [ANNOTATION_PAGERDUTY_SERVICE_ID];
  readonly unmeasurable: Readonly<Partial<Record<ItsmBuiltinMetricId, string>>>;
  readonly metricNotes: Readonly<Partial<Record<ItsmBuiltinMetricId, string>>>;
  readonly #client: PagerDutyClient;
  readonly #incidents: PagerDutyIncidentReader;
  readonly #since?: string;
  readonly #pageSize: number;
  readonly #overlapMs: number;
  readonly #serviceIds?: ReadonlySet<string>;
  readonly #reread: { everyMs: number; withinMs: number };
  readonly #now: () => number;
  readonly #maxOffset: number;

  constructor(options: PagerDutyItsmProviderOptions) {
    this.id = options.id;
    this.#client = options.client;
    this.#since = options.since;
    this.#pageSize = options.pageSize;
    this.#overlapMs = options.overlapMs;
    this.#serviceIds = options.serviceIds
      ? new Set(options.serviceIds)
      : undefined;
    this.#maxOffset = options.maxOffset ?? PAGERDUTY_MAX_OFFSET;
    const urgencyPriority = options.urgencyPriority ?? DEFAULT_URGENCY_PRIORITY;
    this.#incidents = new PagerDutyIncidentReader({
      id: options.id,
      client: options.client,
      pageSize: options.pageSize,
      concurrency: options.concurrency,
      serviceIds: this.#serviceIds,
      causedByChange: options.causedByChange,
      urgencyPriority,
      maxOffset: this.#maxOffset,
    });
    const described = describePagerDutyMetrics({
      causedByChange: options.causedByChange,
      urgencyPriority,
    });
    this.unmeasurable = described.unmeasurable;
    this.metricNotes = described.metricNotes;
    this.#reread = options.rereadResolved ?? {
      everyMs: DEFAULT_REREAD_RESOLVED_EVERY_MS,
      withinMs: DEFAULT_REREAD_RESOLVED_WITHIN_MS,
    };
    this.#now = options.now ?? Date.now;
  }

  async *sync(
    context: ItsmProviderSyncContext,
  ): AsyncIterable<ItsmProviderBatch> {
    const { cursor, signal, logger } = context;
    const run: PagerDutyRun = {
      signal,
      logger,
      reporter: context.reporter ?? noopItsmSyncReporter,
      causes: { unavailable: false },
    };
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
      // changes are caught from its start on, and none needs a re-read yet.
      updates: { from: toPagerDutyTime(end) },
      incidents: { from: since },
      changes: { from: since },
      reread: { last: toPagerDutyTime(end) },
    };
    const overlap = (position: WindowPosition) =>
      fresh ? position : withOverlap(position, this.#overlapMs);
    const counts = { updates: 0, incidents: 0, changes: 0, reread: 0 };
    const emit = (records: unknown[], next: PagerDutyCursor) => {
      state = next;
      return { records, cursor: serializeCursor(next) };
    };
    // Parts that failed for good, and whether any page was read at all.
    const failed: Array<{ part: string; error: PagerDutyRequestError }> = [];
    let read = false;
    const isolate = (part: string, error: unknown) => {
      if (!isPartUnavailable(error)) throw error;
      run.reporter.partFailed(part, error);
      logger.warn(
        `PagerDuty ${
          this.id
        }: skipped ${part} for this run, the other endpoints go on: ${stringifyError(
          error,
        )}`,
      );
      failed.push({ part, error });
    };

    for (const stream of this.#streams(run)) {
      try {
        for await (const step of this.#walk(
          stream.path,
          overlap(state[stream.key]),
          end,
          stream.query,
          run,
        )) {
          read = true;
          const records = await stream.read(step);
          counts[stream.key] += records.length;
          yield emit(records, { ...state, [stream.key]: step.position });
        }
      } catch (error) {
        isolate(PAGERDUTY_PARTS[stream.key], error);
      }
    }

    // 4. Recently resolved incidents, read again now and then.
    const reread = this.#rereadDue(state.reread, end);
    if (reread) {
      try {
        for await (const step of this.#incidents.rereadResolved(
          reread,
          this.#reread.withinMs,
          run,
        )) {
          read = true;
          counts.reread += step.records.length;
          yield emit(step.records, {
            ...state,
            reread: step.done
              ? { last: reread.at }
              : { ...state.reread, current: step.current },
          });
        }
      } catch (error) {
        isolate(PAGERDUTY_PARTS.reread, error);
      }
    }

    if (failed.length > 0 && !read) {
      const [first] = failed;
      throw new PagerDutyRequestError(
        `PagerDuty account ${this.id}: no endpoint could be read (${failed
          .map(f => f.part)
          .join(', ')})`,
        { status: first.error.status, retryable: false, cause: first.error },
      );
    }

    logger.info(
      `PagerDuty ${this.id}: read ${counts.updates} updated incidents, ${
        counts.incidents
      } incidents by creation, ${counts.changes} change events${
        reread ? ` and re-read ${counts.reread} resolved incidents` : ''
      } up to ${toPagerDutyTime(end)}${
        failed.length > 0
          ? `; skipped ${failed.map(f => f.part).join(', ')}`
          : ''
      } (${this.#client.requestCount} requests so far)`,
    );
  }

  /**
   * The three streams walked by time window, in order:
   *
   * 1. Incidents changed since the last run, found through log entries.
   * 2. Incidents created since the last run (or since `since`).
   * 3. Change events.
   */
  #streams(run: PagerDutyRun): TimeStream[] {
    // Incidents named by log entries of the window being read, read once.
    let windowSince: string | undefined;
    const seen = new Set<string>();
    const updated = (step: WindowStep<PagerDutyLogEntry>) => {
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
      return ids;
    };
    return [
      timeStream<PagerDutyLogEntry>({
        key: 'updates',
        path: '/log_entries',
        query: { time_zone: 'UTC' },
        read: step => this.#incidents.readIncidents(updated(step), run),
      }),
      timeStream<PagerDutyIncident>({
        key: 'incidents',
        path: '/incidents',
        query: {
          'statuses[]': INCIDENT_STATUSES,
          sort_by: 'created_at:asc',
          time_zone: 'UTC',
          'service_ids[]': this.#serviceIds ? [...this.#serviceIds] : undefined,
        },
        read: step => this.#incidents.toRecords(step.items, run),
      }),
      timeStream<PagerDutyChangeEvent>({
        key: 'changes',
        path: '/change_events',
        query: {},
        read: async step =>
          step.items
            .filter(event => this.#wantsChange(event))
            .map(normaliseChangeEvent),
      }),
    ];
  }

  #walk(
    path: TimeStream['path'],
    position: WindowPosition,
    end: number,
    query: PagerDutyQuery,
    run: PagerDutyRun,
  ) {
    const key = path.slice(1);
    return walkTimeWindows<unknown>({
      position,
      end,
      pageSize: this.#pageSize,
      initialWindowMs: 7 * DAY,
      // /incidents refuses ranges over 6 months.
      maxWindowMs: 90 * DAY,
      maxOffset: this.#maxOffset,
      fetchPage: ({ since, until, offset, limit, withTotal }) =>
        this.#client.getPage<unknown>(
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
          run,
        ),
      onCapExceeded: (range, total) =>
        run.logger.warn(
          `PagerDuty ${this.id}: ${total} results in ${path} between ${
            range.since
          } and ${range.until}, more than the ${
            this.#maxOffset
          } PagerDuty serves for one query; the rest of that second is skipped`,
        ),
    });
  }

  /** The re-read to do in this run: one in progress, or a new one when due. */
  #rereadDue(
    position: RereadPosition | undefined,
    end: number,
  ): { at: string; offset: number } | undefined {
    if (position?.current) return position.current;
    const last = position?.last ? Date.parse(position.last) : NaN;
    if (!Number.isNaN(last) && end - last < this.#reread.everyMs) {
      return undefined;
    }
    return { at: toPagerDutyTime(end), offset: 0 };
  }

  #wantsChange(event: PagerDutyChangeEvent): boolean {
    if (!this.#serviceIds) return true;
    const services = Array.isArray(event?.services) ? event.services : [];
    return services.some(
      s => typeof s?.id === 'string' && this.#serviceIds!.has(s.id),
    );
  }
}
