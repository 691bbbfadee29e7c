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
import type { ItsmSyncReporter } from '@backstage-itsm/plugin-itsm-node';
import type { SyncRunObservations } from '../database/ItsmStore';

/** The longest message or part error kept; the rest is cut, with an ellipsis. */
export const MAX_OBSERVATION_MESSAGE = 1000;
/** The most failed parts kept for one run (a source has a handful). */
export const MAX_FAILED_PARTS = 50;

function clip(text: string): string {
  return text.length <= MAX_OBSERVATION_MESSAGE
    ? text
    : `${text.slice(0, MAX_OBSERVATION_MESSAGE - 1)}…`;
}

/**
 * Collects what one sync run observed besides records: the provider's HTTP
 * requests, every retry (the HTTP layer's and the engine's own run-level
 * ones) with its wait, and the parts of the source that failed for good.
 */
export class SyncRunReporter implements ItsmSyncReporter {
  #requests = 0;
  #retries = 0;
  #waitMs = 0;
  #lastRetryMessage: string | null = null;
  readonly #failedParts = new Map<string, string>();

  request(): void {
    this.#requests += 1;
  }

  retry(event: { status?: number; waitMs: number; message: string }): void {
    this.#retries += 1;
    if (Number.isFinite(event.waitMs) && event.waitMs > 0) {
      this.#waitMs += Math.round(event.waitMs);
    }
    const message = String(event.message);
    this.#lastRetryMessage = clip(
      event.status !== undefined && !message.includes(String(event.status))
        ? `${event.status}: ${message}`
        : message,
    );
  }

  /** The last report of a part wins; the first {@link MAX_FAILED_PARTS} parts are kept. */
  partFailed(part: string, error: unknown): void {
    const name = clip(String(part));
    if (
      !this.#failedParts.has(name) &&
      this.#failedParts.size >= MAX_FAILED_PARTS
    ) {
      return;
    }
    this.#failedParts.set(
      name,
      clip(typeof error === 'string' ? error : stringifyError(error)),
    );
  }

  get failedPartCount(): number {
    return this.#failedParts.size;
  }

  observations(): SyncRunObservations {
    return {
      requests: this.#requests,
      retries: this.#retries,
      waitMs: this.#waitMs,
      lastRetryMessage: this.#lastRetryMessage,
      failedParts: [...this.#failedParts].map(([part, error]) => ({
        part,
        error,
      })),
    };
  }
}
