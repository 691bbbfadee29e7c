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
import {
  abortableSleep as sleep,
  describeUrl,
  ItsmSourceError,
  parseRetryAfter as parseRetryAfterHeader,
} from '../http';

export { describeUrl, ItsmSourceError, parseRetryAfterHeader };

/** Options of {@link ItsmRestClient}. @public */
export interface ItsmRestClientOptions {
  /** For messages, e.g. `hr:workday`. */
  providerId: string;
  /** Sent with every request, credentials included. */
  headers: Record<string, string>;
  /** The only origin requests (and so credentials) may go to. */
  origin: string;
  timeoutMs: number;
  maxAttempts: number;
  /** First backoff after a failure without Retry-After; doubles each time. Default 1 s. */
  backoffBaseMs?: number;
  /** Longest backoff. Default 60 s. */
  backoffMaxMs?: number;
  /** A longer Retry-After ends the run with a retryable error instead. Default 5 minutes. */
  maxRetryAfterMs?: number;
  /** For tests. */
  fetch?: typeof fetch;
  /** For tests: how to wait. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * GETs JSON with a timeout per attempt, retrying 429 (after its
 * Retry-After), 408, 5xx, timeouts and network errors with exponential
 * backoff, up to `maxAttempts`. Other statuses fail at once.
 * @public
 */
export class ItsmRestClient {
  readonly #options: ItsmRestClientOptions;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(options: ItsmRestClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? ((...args) => fetch(...args));
    this.#sleep = options.sleep ?? sleep;
  }

  async getJson(
    url: URL,
    context: { signal: AbortSignal; logger: LoggerService },
  ): Promise<unknown> {
    const { providerId, maxAttempts } = this.#options;
    const where = `GET ${describeUrl(url)}`;
    if (url.origin !== this.#options.origin) {
      throw new ItsmSourceError({
        retryable: false,
        message: `ITSM source ${providerId}: refusing ${where}: credentials go only to ${
          this.#options.origin
        }`,
      });
    }
    for (let attempt = 1; ; attempt++) {
      let error: ItsmSourceError;
      try {
        return await this.#attempt(url, where, context.signal);
      } catch (e) {
        if (!(e instanceof ItsmSourceError) || !e.retryable) throw e;
        error = e;
      }
      const asked = error.retryAfterMs;
      const maxRetryAfter = this.#options.maxRetryAfterMs ?? 300_000;
      if (
        attempt >= maxAttempts ||
        (asked !== undefined && asked > maxRetryAfter)
      ) {
        throw new ItsmSourceError({
          status: error.status,
          retryable: true,
          retryAfterMs: asked,
          message: `${error.message}; gave up after ${attempt} attempt${
            attempt === 1 ? '' : 's'
          }`,
        });
      }
      const wait = asked ?? this.#backoff(attempt);
      context.logger.warn(
        `${error.message}; retrying in ${Math.ceil(wait / 1000)} s (attempt ${
          attempt + 1
        } of ${maxAttempts})`,
      );
      await this.#sleep(wait, context.signal);
    }
  }

  #backoff(attempt: number): number {
    const base = this.#options.backoffBaseMs ?? 1000;
    const max = this.#options.backoffMaxMs ?? 60_000;
    const ceiling = Math.min(max, base * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  async #attempt(url: URL, where: string, signal: AbortSignal) {
    const { providerId, timeoutMs } = this.#options;
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method: 'GET',
        headers: { Accept: 'application/json', ...this.#options.headers },
        signal: AbortSignal.any([signal, timeout]),
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      if (timeout.aborted) {
        throw new ItsmSourceError({
          retryable: true,
          message: `ITSM source ${providerId}: ${where} did not answer within ${
            timeoutMs / 1000
          } s`,
        });
      }
      throw new ItsmSourceError({
        retryable: true,
        cause: error,
        message: `ITSM source ${providerId}: ${where} failed: ${
          (error as Error).message
        }`,
      });
    }
    const { status } = response;
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text);
      } catch {
        throw new ItsmSourceError({
          status,
          retryable: false,
          message: `ITSM source ${providerId}: ${where} answered ${status} with a body that is not JSON (content-type ${
            response.headers.get('content-type') ?? 'none'
          })`,
        });
      }
    }
    const retryable = status === 429 || status === 408 || status >= 500;
    const retryAfterMs =
      status === 429 || status === 503
        ? parseRetryAfterHeader(response.headers.get('retry-after'))
        : undefined;
    const hint =
      status === 401 || status === 403
        ? '; check the credentials in the auth of its config'
        : '';
    throw new ItsmSourceError({
      status,
      retryable,
      retryAfterMs,
      message:
        `ITSM source ${providerId}: ${where} answered ${status} ${response.statusText}`.trimEnd() +
        hint,
    });
  }
}
