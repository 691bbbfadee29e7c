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
import type { ItsmRecordInput } from '@backstage-itsm/plugin-itsm-common';
import {
  PagerDutyChangeEvent,
  PagerDutyClient,
  PagerDutyIncident,
  PagerDutyLogEntry,
  PagerDutyRequestError,
} from '../client';
import type { PagerDutyUrgencyPriority } from '../config';
import { mapConcurrent } from './mapConcurrent';
import {
  IncidentLogSummary,
  normaliseIncident,
  pagerDutyPriority,
  summariseLogEntries,
} from './normalise';
import { isPartUnavailable, PAGERDUTY_PARTS, PagerDutyRun } from './parts';
import { toPagerDutyTime } from './timeWindows';

/** When a listed incident was resolved, in ms; NaN when it does not say. */
function resolvedAtOf(incident: PagerDutyIncident): number {
  const at = incident?.resolved_at ?? incident?.last_status_change_at;
  return typeof at === 'string' ? Date.parse(at) : NaN;
}

/**
 * Reads incidents into records: each with its log entries (acknowledge and
 * resolve instants) and, for the most urgent, the change PagerDuty relates
 * to it; by id, as listed, and the recently resolved ones again.
 */
export class PagerDutyIncidentReader {
  readonly #id: string;
  readonly #client: PagerDutyClient;
  readonly #pageSize: number;
  readonly #concurrency: number;
  readonly #serviceIds?: ReadonlySet<string>;
  readonly #causedByChange: { maxPriority: number; reasons: string[] };
  readonly #urgencyPriority: PagerDutyUrgencyPriority;
  readonly #maxOffset: number;

  constructor(options: {
    /** The provider id, named in logs and errors. */
    id: string;
    client: PagerDutyClient;
    pageSize: number;
    concurrency: number;
    serviceIds?: ReadonlySet<string>;
    causedByChange: { maxPriority: number; reasons: string[] };
    urgencyPriority: PagerDutyUrgencyPriority;
    maxOffset: number;
  }) {
    this.#id = options.id;
    this.#client = options.client;
    this.#pageSize = options.pageSize;
    this.#concurrency = options.concurrency;
    this.#serviceIds = options.serviceIds;
    this.#causedByChange = options.causedByChange;
    this.#urgencyPriority = options.urgencyPriority;
    this.#maxOffset = options.maxOffset;
  }

  /**
   * Resolved incidents, newest resolution first
   * (`date_range=all&sort_by=resolved_at:desc`), down to `withinMs` before
   * the re-read started. An incident resolved meanwhile moves the rest down
   * the list: a resumed re-read reads some twice, never skips one.
   */
  async *rereadResolved(
    reread: { at: string; offset: number },
    withinMs: number,
    run: PagerDutyRun,
  ): AsyncGenerator<{
    records: ItsmRecordInput[];
    done: boolean;
    current: { at: string; offset: number };
  }> {
    const cutoff = Date.parse(reread.at) - withinMs;
    for (let offset = reread.offset; ; ) {
      const limit = Math.min(this.#pageSize, this.#maxOffset - offset);
      if (limit <= 0) {
        run.logger.warn(
          `PagerDuty ${this.#id}: more than ${
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
      const records = await this.toRecords(recent, run);
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
  async toRecords(
    incidents: PagerDutyIncident[],
    run: PagerDutyRun,
  ): Promise<ItsmRecordInput[]> {
    return this.#concurrently(incidents, run, (incident, r) =>
      this.#toRecord(incident, r),
    );
  }

  /** Incidents read again by id, those gone or filtered out left out. */
  async readIncidents(
    ids: string[],
    run: PagerDutyRun,
  ): Promise<ItsmRecordInput[]> {
    return this.#concurrently(ids, run, (id, r) => this.#readIncident(id, r));
  }

  /** \`read\` of each item, \`concurrency\` at once, the undefined left out. */
  async #concurrently<T>(
    items: T[],
    run: PagerDutyRun,
    read: (item: T, run: PagerDutyRun) => Promise<ItsmRecordInput | undefined>,
  ): Promise<ItsmRecordInput[]> {
    return (
      await mapConcurrent(
        items,
        this.#concurrency,
        (item, signal) => read(item, { ...run, signal }),
        run.signal,
      )
    ).filter((r): r is ItsmRecordInput => r !== undefined);
  }

  /** What `read` returns; undefined when PagerDuty no longer has incident `id`. */
  async #unlessGone<T>(
    id: string,
    run: PagerDutyRun,
    read: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof PagerDutyRequestError && error.status === 404) {
        run.logger.debug(
          `PagerDuty ${this.#id}: incident ${id} no longer exists`,
        );
        return undefined;
      }
      throw error;
    }
  }

  /** Reads an incident again by id; undefined when it is gone or filtered out. */
  async #readIncident(
    id: string,
    run: PagerDutyRun,
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
        `PagerDuty account ${
          this.#id
        }: GET /incidents/${id} returned no incident`,
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
    run: PagerDutyRun,
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
  async #findCause(id: string, run: PagerDutyRun): Promise<string | null> {
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
            this.#id
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
}
