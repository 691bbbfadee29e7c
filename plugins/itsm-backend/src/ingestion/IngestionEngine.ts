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
  NotFoundError,
  stringifyError,
} from '@backstage/errors';
import type {
  ItsmProvider,
  ItsmProviderBatch,
  ItsmProviderRegistration,
} from '@backstage-itsm/plugin-itsm-node';
import type {
  CommitBatchResult,
  ItsmStore,
  SyncRunCounts,
} from '../database/ItsmStore';
import type { EntityResolver } from './EntityResolver';
import { prepareBatch } from './prepareBatch';
import { backoffMs, isTransientError, sleep } from './retry';

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
  /** Attempts per run when a provider fails transiently (429, 5xx, timeouts). Default 3. */
  maxAttempts?: number;
  /** Attempts to commit one batch when the database is briefly unavailable. Default 3. */
  maxCommitAttempts?: number;
  /** The resolver's index is refreshed before a run when older than this. Default 5 minutes. */
  resolverMaxAgeMs?: number;
  /** Base of the exponential backoff, for tests. Default 500 ms. */
  backoffBaseMs?: number;
}

export function syncTaskId(providerId: string) {
  return `itsm-sync:${providerId}`;
}

/**
 * Runs providers on the scheduler and commits what they yield. Each batch is
 * validated (bad items become dead letters, the rest lands), mapped to catalog
 * entities and committed in one transaction together with its cursor, so a
 * crash or restart resumes from the last committed batch: never a skip, and
 * re-reads are harmless because the upsert is keyed and version-aware.
 */
export class IngestionEngine {
  readonly #options: Required<
    Pick<
      IngestionEngineOptions,
      'maxAttempts' | 'maxCommitAttempts' | 'resolverMaxAgeMs' | 'backoffBaseMs'
    >
  > &
    IngestionEngineOptions;
  readonly #providers = new Map<
    string,
    { provider: ItsmProvider; schedule: SchedulerServiceTaskScheduleDefinition }
  >();
  readonly #running = new Map<string, Promise<SyncRunCounts>>();

  constructor(options: IngestionEngineOptions) {
    this.#options = {
      maxAttempts: 3,
      maxCommitAttempts: 3,
      resolverMaxAgeMs: 5 * 60_000,
      backoffBaseMs: 500,
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
    };
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
      for (let attempt = 0; ; attempt++) {
        try {
          const cursor = await store.getCursor(providerId);
          for await (const batch of provider.sync({ cursor, signal, logger })) {
            signal.throwIfAborted();
            const result = await this.#commit(provider, batch, signal);
            counts.read +=
              (batch.records?.length ?? 0) + (batch.feedback?.length ?? 0);
            counts.upserted += result.upserted;
            counts.unchanged += result.unchanged;
            counts.deadLettered += result.deadLettered;
          }
          break;
        } catch (error) {
          if (
            signal.aborted ||
            !isTransientError(error) ||
            attempt + 1 >= this.#options.maxAttempts
          ) {
            throw error;
          }
          const wait = backoffMs(attempt, error, this.#options.backoffBaseMs);
          logger.warn(
            `Sync of ${providerId} failed transiently (attempt ${
              attempt + 1
            }), resuming from the last committed batch in ${wait} ms: ${stringifyError(
              error,
            )}`,
          );
          await sleep(wait, signal);
        }
      }
      await store.markSyncFinished(providerId, { counts });
      logger.info(
        `Synced ${providerId}: read ${counts.read}, upserted ${counts.upserted}, unchanged ${counts.unchanged}, dead letters ${counts.deadLettered}`,
      );
      await auditorEvent.success({ meta: { ...counts } });
      return counts;
    } catch (error) {
      const message = stringifyError(error);
      await store.markSyncFinished(providerId, { error: message, counts });
      logger.error(`Sync of ${providerId} failed: ${message}`);
      await auditorEvent.fail({ error: error as Error, meta: { ...counts } });
      throw error;
    }
  }

  /**
   * Validates and commits items pushed by a client (POST /ingest/:providerId),
   * through the same path as a scheduled batch. The provider's cursor is kept.
   */
  async ingest(
    providerId: string,
    batch: Pick<ItsmProviderBatch, 'records' | 'feedback'>,
  ) {
    const provider = this.getProvider(providerId);
    await this.#options.resolver.ensureFresh(this.#options.resolverMaxAgeMs);
    return this.#commit(provider, {
      records: batch.records,
      feedback: batch.feedback,
    });
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
        await sleep(
          backoffMs(attempt, error, this.#options.backoffBaseMs),
          signal,
        );
      }
    }
  }
}
