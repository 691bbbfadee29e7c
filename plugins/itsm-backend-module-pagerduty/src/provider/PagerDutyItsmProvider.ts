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
import { stringifyError } from '@backstage/errors';
import {
  isItsmPartUnavailableStatus,
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderSyncContext,
  ItsmSyncReporter,
  noopItsmSyncReporter,
} from '@backstage-itsm/plugin-itsm-node';
import {
  ANNOTATION_PAGERDUTY_SERVICE_ID,
  type ItsmBuiltinMetricId,
  type ItsmRecordInput,
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
import { mapConcurrent } from './mapConcurrent';
import { describePagerDutyMetrics } from './metricNotes';
import {
  IncidentLogSummary,
  incidentIdOf,
  normaliseChangeEvent,
  normaliseIncident,
  pagerDutyPriority,
  serviceIdOf,
  summariseLogEntries,
} from './normalise';
import {
  PAGERDUTY_MAX_OFFSET,
  toPagerDutyTime,
  walkTimeWindows,
  WindowPosition,
  WindowStep,
} from './timeWindows';

const DAY = 24 * 60 * 60 * 1000;
const INCIDENT_STATUSES = ['triggered', 'acknowledged', 'resolved'];

/** The endpoints a run reads, as named in the sync status when one fails. */
export const PAGERDUTY_PARTS = {
  updates: '/log_entries',
  incidents: '/incidents',
  changes: '/change_events',
  reread: '/incidents?statuses[]=resolved',
  causes: '/incidents/{id}/related_change_events',
} as const;

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

/** What every request of one run carries. */
interface Run {
  signal: AbortSignal;
  reporter: ItsmSyncReporter;
  logger: LoggerService;
  /** Set once related change events turned out unreadable for this key. */
  causes: { unavailable: boolean };
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
 * Whether an error means an endpoint is not there for this API key, for good:
 * a 403 (a scoped key without it), 400 or 404. A 401 is the key itself,
 * which no endpoint will take.
 */
function isPartUnavailable(error: unknown): error is PagerDutyRequestError {
  return (
    error instanceof PagerDutyRequestError &&
    error.status !== 401 &&
    isItsmPartUnavailableStatus(error.status)
  );
}

/** When a listed incident was resolved, in ms; NaN when it does not say. */
function resolvedAtOf(incident: PagerDutyIncident): number {
  const at = incident?.resolved_at ?? incident?.last_status_change_at;
  return typeof at === 'string' ? Date.parse(at) : NaN;
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
  readonly #since?: string;
  readonly #pageSize: number;
  readonly #overlapMs: number;
  readonly #concurrency: number;
  readonly #serviceIds?: ReadonlySet<string>;
  readonly #causedByChange: { maxPriority: number; reasons: string[] };
  readonly #urgencyPriority: PagerDutyUrgencyPriority;
  readonly #reread: { everyMs: number; withinMs: number };
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
    this.#urgencyPriority = options.urgencyPriority ?? DEFAULT_URGENCY_PRIORITY;
    const described = describePagerDutyMetrics({
      causedByChange: this.#causedByChange,
      urgencyPriority: this.#urgencyPriority,
    });
    this.unmeasurable = described.unmeasurable;
    this.metricNotes = described.metricNotes;
    this.#reread = options.rereadResolved ?? {
      everyMs: DEFAULT_REREAD_RESOLVED_EVERY_MS,
      withinMs: DEFAULT_REREAD_RESOLVED_WITHIN_MS,
    };
    this.#now = options.now ?? Date.now;
    this.#maxOffset = options.maxOffset ?? PAGERDUTY_MAX_OFFSET;
  }

  async *sync(
    context: ItsmProviderSyncContext,
  ): AsyncIterable<ItsmProviderBatch> {
    const { cursor, signal, logger } = context;
    const run: Run = {
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
        for await (const step of this.#rereadResolved(reread, run)) {
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
  #streams(run: Run): TimeStream[] {
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
        read: async step =>
          (
            await mapConcurrent(
              updated(step),
              this.#concurrency,
              (id, s) => this.#readIncident(id, { ...run, signal: s }),
              run.signal,
            )
          ).filter((r): r is ItsmRecordInput => r !== undefined),
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
        read: step => this.#toRecords(step.items, run),
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
    run: Run,
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

  /**
   * Resolved incidents, newest resolution first
   * (`date_range=all&sort_by=resolved_at:desc`), down to `withinMs` before
   * the re-read started. An incident resolved meanwhile moves the rest down
   * the list: a resumed re-read reads some twice, never skips one.
   */
  async *#rereadResolved(
    reread: { at: string; offset: number },
    run: Run,
  ): AsyncGenerator<{
    records: ItsmRecordInput[];
    done: boolean;
    current: { at: string; offset: number };
  }> {
    const cutoff = Date.parse(reread.at) - this.#reread.withinMs;
    for (let offset = reread.offset; ; ) {
      const limit = Math.min(this.#pageSize, this.#maxOffset - offset);
      if (limit <= 0) {
        run.logger.warn(
          `PagerDuty ${this.id}: more than ${
            this.#maxOffset
          } incidents resolved since ${toPagerDutyTime(
            cutoff,
          )}, the most PagerDuty serves for one query; the re-read stops there`,
        );
        yield { records: [], done: true, current: { at: reread.at, offset } };
        return;
      }
      const page = await this.#client.getPage<PagerDutyIncident>(
        '/incidents',
        'incidents',
        {
          date_range: 'all',
          'statuses[]': ['resolved'],
          sort_by: 'resolved_at:desc',
          time_zone: 'UTC',
          'service_ids[]': this.#serviceIds ? [...this.#serviceIds] : undefined,
          limit,
          offset,
        },
        run,
      );
      const recent = page.items.filter(i => resolvedAtOf(i) >= cutoff);
      const records = await this.#toRecords(recent, run);
      offset += page.items.length;
      const oldest = page.items[page.items.length - 1];
      const done =
        !page.more ||
        page.items.length === 0 ||
        (oldest !== undefined && resolvedAtOf(oldest) < cutoff);
      yield { records, done, current: { at: reread.at, offset } };
      if (done) return;
    }
  }

  /** Listed incidents with their details, those gone meanwhile left out. */
  async #toRecords(
    incidents: PagerDutyIncident[],
    run: Run,
  ): Promise<ItsmRecordInput[]> {
    return (
      await mapConcurrent(
        incidents,
        this.#concurrency,
        (incident, s) => this.#toRecord(incident, { ...run, signal: s }),
        run.signal,
      )
    ).filter((r): r is ItsmRecordInput => r !== undefined);
  }

  /** What `read` returns; undefined when PagerDuty no longer has incident `id`. */
  async #unlessGone<T>(
    id: string,
    run: Run,
    read: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof PagerDutyRequestError && error.status === 404) {
        run.logger.debug(
          `PagerDuty ${this.id}: incident ${id} no longer exists`,
        );
        return undefined;
      }
      throw error;
    }
  }

  /** Reads an incident again by id; undefined when it is gone or filtered out. */
  async #readIncident(
    id: string,
    run: Run,
  ): Promise<ItsmRecordInput | undefined> {
    const body = await this.#unlessGone(id, run, () =>
      this.#client.get<{ incident?: PagerDutyIncident } | null>(
        `/incidents/${encodeURIComponent(id)}`,
        {},
        run,
      ),
    );
    if (body === undefined) return undefined;
    const incident = body?.incident;
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
    return this.#toRecord(incident, run);
  }

  /**
   * An incident with its log entries and, for P1/P2, its cause; undefined
   * when it was deleted since it was listed.
   */
  async #toRecord(
    incident: PagerDutyIncident,
    run: Run,
  ): Promise<ItsmRecordInput | undefined> {
    const id =
      incident && typeof incident.id === 'string' && incident.id !== ''
        ? incident.id
        : undefined;
    if (!id) {
      // Cannot ask about it; the engine dead-letters it (externalId).
      return normaliseIncident(incident ?? {});
    }
    const log = await this.#unlessGone(id, run, async () => {
      let summary: IncidentLogSummary = {};
      for await (const entries of this.#client.getPages<PagerDutyLogEntry>(
        `/incidents/${encodeURIComponent(id)}/log_entries`,
        'log_entries',
        { time_zone: 'UTC' },
        this.#pageSize,
        run,
      )) {
        summary = summariseLogEntries(summary, entries);
      }
      return summary;
    });
    if (log === undefined) return undefined;
    const causedByChange = this.#wantsCause(incident)
      ? await this.#findCause(id, run)
      : null;
    return normaliseIncident(incident, {
      log,
      causedByChange,
      urgencyPriority: this.#urgencyPriority,
    });
  }

  /**
   * Whether to ask PagerDuty which changes relate to the incident: when its
   * PagerDuty priority is `maxPriority` or more urgent, or, without a
   * PagerDuty priority (accounts without priorities), when its urgency is
   * high. The urgency-to-priority mapping does not decide this: it is about
   * outages, not about which incidents a change can cause.
   */
  #wantsCause(incident: PagerDutyIncident): boolean {
    const { maxPriority, reasons } = this.#causedByChange;
    if (maxPriority === 0 || reasons.length === 0) return false;
    const priority = pagerDutyPriority(incident);
    return priority !== null
      ? priority <= maxPriority
      : incident.urgency === 'high';
  }

  /**
   * The change PagerDuty correlates with the incident for one of the
   * configured reasons, the first reason listed first (by default
   * intelligent, most_recent, related_service: all PagerDuty documents);
   * among changes of one reason, PagerDuty's order. Correlation says
   * "related", not "caused": the link is a heuristic, and the provider's
   * metric notes say so. A key that may not read related change events gets
   * no links, and the part is reported once.
   */
  async #findCause(id: string, run: Run): Promise<string | null> {
    if (run.causes.unavailable) return null;
    let body: { change_events?: PagerDutyChangeEvent[] };
    try {
      body = await this.#client.get<{
        change_events?: PagerDutyChangeEvent[];
      }>(
        `/incidents/${encodeURIComponent(id)}/related_change_events`,
        { limit: this.#pageSize },
        run,
      );
    } catch (error) {
      // This incident is gone: no cause to tell.
      if (error instanceof PagerDutyRequestError && error.status === 404) {
        return null;
      }
      if (!isPartUnavailable(error)) throw error;
      if (!run.causes.unavailable) {
        run.causes.unavailable = true;
        run.reporter.partFailed(PAGERDUTY_PARTS.causes, error);
        run.logger.warn(
          `PagerDuty ${
            this.id
          }: related change events cannot be read, incidents are stored without causedByChange for this run: ${stringifyError(
            error,
          )}`,
        );
      }
      return null;
    }
    const events = Array.isArray(body?.change_events) ? body.change_events : [];
    for (const reason of this.#causedByChange.reasons) {
      const cause = events.find(
        event =>
          typeof event?.id === 'string' &&
          event.id !== '' &&
          String(event.correlation_reason?.reason ?? '') === reason,
      );
      if (cause) return cause.id as string;
    }
    return null;
  }

  #wantsChange(event: PagerDutyChangeEvent): boolean {
    if (!this.#serviceIds) return true;
    const services = Array.isArray(event?.services) ? event.services : [];
    return services.some(
      s => typeof s?.id === 'string' && this.#serviceIds!.has(s.id),
    );
  }
}
