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

import type {
  AuditorService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  ForwardedError,
  InputError,
  NotFoundError,
  stringifyError,
} from '@backstage/errors';
import {
  abortableSleep,
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderRegistration,
  ItsmProviderSyncContext,
} from '@backstage-itsm/plugin-itsm-node';
import type {
  CommitBatchResult,
  ItsmStore,
  SyncRunCounts,
} from '../database/ItsmStore';
import type { EntityResolver } from './EntityResolver';
import { prepareBatch } from './prepareBatch';
import { PushProvider } from './readPushProviders';
import { backoffMs, isTransientError, statusOf } from './retry';
import { SyncRunReporter } from './SyncRunReporter';

/** How long a run may go without committing a batch before it gives up: 5 minutes. */
export const DEFAULT_RETRY_BUDGET_MS = 5 * 60_000;

/** The longest wait between two attempts of a run. */
const RUN_BACKOFF_CAP_MS = 60_000;

/** Most external ids one `listStoredExternalIds` page returns. */
const MAX_STORED_IDS_PAGE = 10_000;

/** Every 30 minutes, at most 15 minutes a run, unless the provider says otherwise. */
export const DEFAULT_SYNC_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 15 },
  initialDelay: { seconds: 5 },
};

export interface IngestionEngineOptions {
  store: ItsmStore;
  resolver: EntityResolver;
  scheduler: SchedulerService;
  auditor: AuditorService;
  logger: LoggerService;
  /**
   * How long a run may go without committing a batch while it retries
   * transient failures (429, 5xx, timeouts) before it fails; each committed
   * batch starts the budget again. Default 5 minutes
   * (`itsm.ingestion.retryBudget`).
   */
  retryBudgetMs?: number;
  /** Attempts to commit one batch when the database is briefly unavailable. Default 3. */
  maxCommitAttempts?: number;
  /** The resolver's index is refreshed before a run when older than this. Default 5 minutes. */
  resolverMaxAgeMs?: number;
  /** Base of the exponential backoff, for tests. Default 500 ms. */
  backoffBaseMs?: number;
  /** A uniform draw in [0, 1) for the backoff's jitter, for tests. Default `Math.random`. */
  random?: () => number;
}

type ResolvedOptions = IngestionEngineOptions &
  Required<
    Pick<
      IngestionEngineOptions,
      | 'retryBudgetMs'
      | 'maxCommitAttempts'
      | 'resolverMaxAgeMs'
      | 'backoffBaseMs'
      | 'random'
    >
  >;

function formatMs(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

export function syncTaskId(providerId: string) {
  return `itsm-sync:${providerId}`;
}

/**
 * Runs providers on the scheduler and commits what they yield. Each batch is
 * validated (bad items become dead letters, the rest lands), mapped to catalog
 * entities and committed in one transaction together with its cursor and its
 * deletions, so a crash or restart resumes from the last committed batch:
 * never a skip, and re-reads are harmless because the upsert is keyed and
 * version-aware.
 *
 * A run that fails transiently resumes from the last committed batch after a
 * backoff, for as long as it makes progress: it gives up on an error that is
 * not transient, or when no batch has committed for the retry budget.
 */
export class IngestionEngine {
  readonly #options: ResolvedOptions;
  readonly #providers = new Map<
    string,
    { provider: ItsmProvider; schedule: SchedulerServiceTaskScheduleDefinition }
  >();
  readonly #running = new Map<string, Promise<SyncRunCounts>>();

  constructor(options: IngestionEngineOptions) {
    this.#options = {
      retryBudgetMs: DEFAULT_RETRY_BUDGET_MS,
      maxCommitAttempts: 3,
      resolverMaxAgeMs: 5 * 60_000,
      backoffBaseMs: 500,
      random: Math.random,
      ...options,
    };
  }

  /** Registers providers; a duplicate id is a configuration error. */
  register(...registrations: Array<ItsmProvider | ItsmProviderRegistration>) {
    for (const registration of registrations) {
      const { provider, schedule } =
        'provider' in registration
          ? registration
          : { provider: registration, schedule: undefined };
      if (!/^[a-z0-9][a-z0-9_.:-]*$/i.test(provider.id)) {
        throw new Error(
          `Invalid ITSM provider id '${provider.id}': use letters, digits and . _ : -`,
        );
      }
      if (this.#providers.has(provider.id)) {
        throw new ConflictError(
          `ITSM provider '${provider.id}' is registered twice`,
        );
      }
      this.#providers.set(provider.id, {
        provider,
        schedule: schedule ?? DEFAULT_SYNC_SCHEDULE,
      });
    }
  }

  get providers(): ItsmProvider[] {
    return [...this.#providers.values()].map(p => p.provider);
  }

  getProvider(providerId: string): ItsmProvider {
    const entry = this.#providers.get(providerId);
    if (!entry)
      throw new NotFoundError(`No ITSM provider with id '${providerId}'`);
    return entry.provider;
  }

  /**
   * The push provider `providerId`, declared under `itsm.providers.push`.
   * Any other id, a polled provider's included, is not found: no caller may
   * write into a provider its module syncs from its source.
   */
  getPushProvider(providerId: string): PushProvider {
    const provider = this.#providers.get(providerId)?.provider;
    if (provider instanceof PushProvider) {
      return provider;
    }
    throw new NotFoundError(
      provider
        ? `'${providerId}' is not a push provider: its module syncs it from its source, and only providers declared under itsm.providers.push accept pushes`
        : `No push provider with id '${providerId}': push providers are declared under itsm.providers.push.<id> and have the id push:<id>`,
    );
  }

  /** Schedules every provider in global scope: one run at a time across replicas. */
  async start(): Promise<void> {
    for (const { provider, schedule } of this.#providers.values()) {
      await this.#options.scheduler.scheduleTask({
        scope: 'global',
        ...schedule,
        id: syncTaskId(provider.id),
        fn: async signal => {
          await this.run(provider.id, { signal });
        },
      });
    }
  }

  /** Asks the scheduler to run a provider now (in whichever replica holds the lock). */
  async trigger(providerId: string): Promise<void> {
    this.getProvider(providerId);
    await this.#options.scheduler.triggerTask(syncTaskId(providerId));
  }

  /**
   * One sync run of a provider. Concurrent calls for the same provider in this
   * process share the run. Throws after recording the failure in sync_state.
   */
  run(
    providerId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<SyncRunCounts> {
    const running = this.#running.get(providerId);
    if (running) return running;
    const promise = this.#run(
      providerId,
      options.signal ?? new AbortController().signal,
    ).finally(() => this.#running.delete(providerId));
    this.#running.set(providerId, promise);
    return promise;
  }

  async #run(providerId: string, signal: AbortSignal): Promise<SyncRunCounts> {
    const { store, resolver, auditor } = this.#options;
    const provider = this.getProvider(providerId);
    const logger = this.#options.logger.child({
      providerId,
      task: syncTaskId(providerId),
    });
    const counts: SyncRunCounts = {
      read: 0,
      upserted: 0,
      unchanged: 0,
      deadLettered: 0,
      deleted: 0,
    };
    const reporter = new SyncRunReporter();
    const context = (cursor: string | null): ItsmProviderSyncContext => ({
      cursor,
      signal,
      logger,
      reporter,
      listStoredExternalIds: ({ kind, after, limit }) =>
        store.listExternalIds({
          providerId,
          kind,
          after,
          limit: Math.min(limit, MAX_STORED_IDS_PAGE),
        }),
    });
    const auditorEvent = await auditor.createEvent({
      eventId: 'sync-run',
      severityLevel: 'low',
      meta: { providerId },
    });
    await store.markSyncStarted({
      providerId,
      department: provider.department,
      kinds: [...provider.kinds],
    });
    try {
      await resolver.ensureFresh(this.#options.resolverMaxAgeMs);
      // The attempt counter and the budget start again at every new batch.
      let attempt = 0;
      let progressAt = Date.now();
      for (;;) {
        try {
          let cursor = await store.getCursor(providerId);
          for await (const batch of provider.sync(context(cursor))) {
            signal.throwIfAborted();
            const result = await this.#commit(provider, batch, signal);
            counts.read +=
              (batch.records?.length ?? 0) +
              (batch.feedback?.length ?? 0) +
              (batch.deletions?.length ?? 0);
            counts.upserted += result.upserted;
            counts.unchanged += result.unchanged;
            counts.deadLettered += result.deadLettered;
            counts.deleted += result.deleted;
            // A batch that only re-read what the last commit covered (same
            // cursor, nothing written) is not progress: a source failing
            // right after every overlapping re-read must not retry forever.
            if (
              batch.cursor === undefined ||
              batch.cursor !== cursor ||
              result.upserted > 0 ||
              result.deleted > 0
            ) {
              attempt = 0;
              progressAt = Date.now();
            }
            if (batch.cursor !== undefined) {
              cursor = batch.cursor;
            }
          }
          break;
        } catch (error) {
          if (signal.aborted || !isTransientError(error)) {
            throw error;
          }
          const remainingMs =
            progressAt + this.#options.retryBudgetMs - Date.now();
          if (remainingMs <= 0) {
            throw new ForwardedError(
              `No progress for ${formatMs(
                Date.now() - progressAt,
              )} (retry budget ${formatMs(this.#options.retryBudgetMs)}, ${
                attempt + 1
              } failed attempts since the last new batch)`,
              error,
            );
          }
          const wait = this.#backoff(attempt, error, remainingMs);
          const message = stringifyError(error);
          reporter.retry({ status: statusOf(error), waitMs: wait, message });
          logger.warn(
            `Sync of ${providerId} failed transiently (attempt ${
              attempt + 1
            } since the last new batch), resuming from the last committed batch in ${wait} ms: ${message}`,
          );
          await abortableSleep(wait, signal);
          attempt += 1;
        }
      }
      const observations = reporter.observations();
      await store.markSyncFinished(providerId, { counts, observations });
      const failedParts = observations.failedParts.map(p => p.part);
      logger.info(
        `Synced ${providerId}: read ${counts.read}, upserted ${
          counts.upserted
        }, unchanged ${counts.unchanged}, deleted ${
          counts.deleted
        }, dead letters ${counts.deadLettered}; ${
          observations.requests
        } requests, ${observations.retries} retries, waited ${
          observations.waitMs
        } ms${
          failedParts.length > 0
            ? `; failed parts: ${failedParts.join(', ')}`
            : ''
        }`,
      );
      await auditorEvent.success({
        meta: { ...counts, failedParts },
      });
      return counts;
    } catch (error) {
      const message = stringifyError(error);
      await store.markSyncFinished(providerId, {
        error: message,
        counts,
        observations: reporter.observations(),
      });
      logger.error(`Sync of ${providerId} failed: ${message}`);
      await auditorEvent.fail({ error: error as Error, meta: { ...counts } });
      throw error;
    }
  }

  /**
   * Validates and commits items pushed by a client (POST /ingest/:providerId),
   * through the same path as a scheduled batch. The provider's cursor is kept.
   * Only push providers accept pushes (404 otherwise), and only records of
   * their declared kinds and department: any other refuses the whole push
   * with a 400 naming the fields, and nothing is written.
   */
  async ingest(
    providerId: string,
    batch: Pick<ItsmProviderBatch, 'records' | 'feedback'>,
  ) {
    const provider = this.getPushProvider(providerId);
    const refusals = provider.refusals(batch.records ?? []);
    if (refusals.length > 0) {
      throw new InputError(`Invalid body: ${refusals.join('; ')}`);
    }
    await this.#options.resolver.ensureFresh(this.#options.resolverMaxAgeMs);
    // A push carries no deletions: what it did is what it wrote.
    const { upserted, unchanged, feedback, deadLettered } = await this.#commit(
      provider,
      { records: batch.records, feedback: batch.feedback },
    );
    return { upserted, unchanged, feedback, deadLettered };
  }

  async #commit(
    provider: ItsmProvider,
    batch: ItsmProviderBatch,
    signal?: AbortSignal,
  ): Promise<CommitBatchResult> {
    const { resolver, store } = this.#options;
    const input = prepareBatch({
      providerId: provider.id,
      department: provider.department,
      records: batch.records,
      feedback: batch.feedback,
      deletions: batch.deletions,
      cursor: batch.cursor,
      resolve: r => resolver.resolve(r),
    });
    for (let attempt = 0; ; attempt++) {
      try {
        return await store.commitBatch(input);
      } catch (error) {
        if (
          !isTransientError(error) ||
          attempt + 1 >= this.#options.maxCommitAttempts
        ) {
          throw error;
        }
        await abortableSleep(this.#backoff(attempt, error), signal);
      }
    }
  }

  /** Full-jitter exponential backoff, or the wait the source asked for. */
  #backoff(attempt: number, error: unknown, remainingMs?: number): number {
    return backoffMs(attempt, error, {
      baseMs: this.#options.backoffBaseMs,
      capMs: RUN_BACKOFF_CAP_MS,
      remainingMs,
      random: this.#options.random,
    });
  }
}
