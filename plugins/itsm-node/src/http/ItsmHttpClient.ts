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

import { abortWhenAny } from './abort';
import { describeUrl, isTransientStatus, ItsmSourceError } from './errors';
import { describeNetworkError, secretForms } from './redaction';
import { RequestPacer } from './RequestPacer';
import {
  DEFAULT_ITSM_HTTP_RETRY_BUDGET_MS,
  DEFAULT_ITSM_HTTP_TIMEOUT_MS,
  ItsmHttpCallOptions,
  ItsmHttpClientOptions,
  ItsmHttpRequest,
  ItsmHttpResponse,
  ItsmHttpStats,
} from './types';
import { abortableSleep, fullJitterBackoffMs, requestedWaitMs } from './waits';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A source's wait shorter than this is floored at the backoff. */
const MIN_HONOURED_WAIT_MS = 100;

type Attempt =
  | { response: ItsmHttpResponse; error?: undefined }
  | { error: ItsmSourceError; response?: undefined };

/**
 * The one HTTP layer of every ITSM source (ServiceNow, PagerDuty, the REST
 * mapped sources): a timeout per attempt joined to the run's signal, retries
 * of 408, 429, 5xx, timeouts and network errors with exponential backoff and
 * full jitter, the source's own wait honoured on a 429 (`Retry-After`, else
 * the rate window's reset), a retry budget in time per request, a request
 * rate per client, and credentials that never leave the source's origin.
 *
 * `request` returns every answer that is final: a success or a status that
 * asking again cannot change (the caller knows best what a 403 means for
 * it). It throws an {@link ItsmSourceError} with `retryable: true` when the
 * budget runs out, so the engine can resume the run later from its last
 * committed batch.
 * @public
 */
export class ItsmHttpClient {
  readonly providerId: string;
  readonly origin: string;
  readonly #timeoutMs: number;
  readonly #retryBudgetMs: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #maxRedirects: number;
  readonly #describeFailure?: (
    response: ItsmHttpResponse,
  ) => string | undefined;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #pacer: RequestPacer;
  readonly #stats: ItsmHttpStats = { requests: 0, retries: 0, waitMs: 0 };
  /** Every credential and secret sent, in the forms a source could echo. */
  readonly #secrets = new Set<string>();

  constructor(options: ItsmHttpClientOptions) {
    this.providerId = options.providerId;
    const base = new URL(options.baseUrl);
    if (base.username || base.password) {
      // Never echoed: the URL itself is the secret.
      throw new ItsmSourceError({
        retryable: false,
        message: `ITSM source ${options.providerId}: its base URL carries a user name or password; put credentials in its auth config instead`,
      });
    }
    this.origin = base.origin;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_ITSM_HTTP_TIMEOUT_MS;
    this.#retryBudgetMs =
      options.retryBudgetMs ?? DEFAULT_ITSM_HTTP_RETRY_BUDGET_MS;
    this.#backoffBaseMs = options.backoffBaseMs ?? 500;
    this.#backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.#maxRedirects = options.maxRedirects ?? 5;
    this.#describeFailure = options.describeFailure;
    this.#fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.#sleep = options.sleep ?? abortableSleep;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#pacer = new RequestPacer({
      maxRequestsPerSecond: options.maxRequestsPerSecond,
      now: this.#now,
      sleep: this.#sleep,
    });
  }

  /**
   * `text` without any credential or secret this client has sent. Sources
   * that build messages from what they received pass them through this.
   */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    }
    return out;
  }

  /** Keeps what a request sends that must never come back out. */
  #remember(request: ItsmHttpRequest) {
    const values = [
      ...Object.values(request.credentials ?? {}),
      ...(request.secrets ?? []),
    ];
    for (const value of values) {
      for (const secret of secretForms(value)) {
        this.#secrets.add(secret);
      }
    }
  }

  /** Requests, retries and time spent waiting (rate limit included) so far. */
  get stats(): Readonly<ItsmHttpStats> {
    return { ...this.#stats };
  }

  /** Sends a request, retrying what may pass later; see the class. */
  async request(
    request: ItsmHttpRequest,
    call: ItsmHttpCallOptions = {},
  ): Promise<ItsmHttpResponse> {
    const url = new URL(String(request.url));
    const where = `${request.method ?? 'GET'} ${describeUrl(url)}`;
    const what = request.what ? `${request.what} (${where})` : where;
    if (url.username || url.password) {
      throw new ItsmSourceError({
        retryable: false,
        message: `ITSM source ${this.providerId}: refusing ${where}: the URL carries a user name or password`,
      });
    }
    if (request.credentials && url.origin !== this.origin) {
      throw new ItsmSourceError({
        retryable: false,
        message: `ITSM source ${this.providerId}: refusing ${where}: credentials go only to ${this.origin}`,
      });
    }
    this.#remember(request);
    const started = this.#now();
    for (let attempt = 0; ; attempt++) {
      const waited = await this.#pacer.acquire(call.signal);
      this.#stats.waitMs += waited;
      this.#stats.requests++;
      call.reporter?.request();
      const result = await this.#attempt(url, request, what, call.signal);
      if (result.response && !isTransientStatus(result.response.status)) {
        return result.response;
      }
      const status = result.response?.status;
      const asked = result.response
        ? requestedWaitMs(
            result.response.status,
            result.response.headers,
            this.#now(),
          )
        : undefined;
      const backoff = fullJitterBackoffMs(attempt, {
        baseMs: this.#backoffBaseMs,
        maxMs: this.#backoffMaxMs,
        random: this.#random,
      });
      // The source's own wait is honoured; one that has already passed (a
      // Retry-After date behind our clock, a reset of 0) is no reason to
      // retry in a tight loop, so it is never shorter than the backoff.
      const wait =
        asked !== undefined && asked >= MIN_HONOURED_WAIT_MS
          ? asked
          : Math.max(asked ?? 0, backoff);
      const detail = result.response
        ? this.#describeFailure?.(result.response)
        : undefined;
      const reason = result.response
        ? `ITSM source ${this.providerId}: ${what} answered ${status} ${result.response.statusText}`.trimEnd() +
          (detail ? `: ${detail}` : '')
        : result.error!.message;
      const spent = this.#now() - started;
      if (spent + wait > this.#retryBudgetMs) {
        throw new ItsmSourceError({
          status,
          retryable: true,
          retryAfterMs: asked,
          detail,
          timedOut: result.error?.timedOut,
          message: `${reason}; gave up after ${attempt + 1} attempt${
            attempt === 0 ? '' : 's'
          } in ${Math.round(spent / 1000)} s (retry budget ${Math.round(
            this.#retryBudgetMs / 1000,
          )} s${
            asked !== undefined
              ? `; the source asked to wait ${Math.ceil(asked / 1000)} s`
              : ''
          })`,
        });
      }
      if (status === 429 && asked !== undefined) {
        // The limit is the client's, not this request's: everyone waits.
        this.#pacer.pause(asked);
      }
      this.#stats.retries++;
      this.#stats.waitMs += wait;
      call.reporter?.retry({ status, waitMs: wait, message: reason });
      await this.#sleep(wait, call.signal);
    }
  }

  /**
   * GETs JSON: the parsed body of a 2xx, else an {@link ItsmSourceError}
   * naming the status (never the body, which may hold personal data).
   */
  async getJson(
    request: Omit<ItsmHttpRequest, 'method' | 'body'>,
    call: ItsmHttpCallOptions = {},
  ): Promise<unknown> {
    const response = await this.request(
      {
        ...request,
        headers: { Accept: 'application/json', ...request.headers },
      },
      call,
    );
    const url = new URL(String(request.url));
    const where = `GET ${describeUrl(url)}`;
    const { status } = response;
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(response.text);
      } catch {
        throw new ItsmSourceError({
          status,
          retryable: false,
          message: `ITSM source ${
            this.providerId
          }: ${where} answered ${status} with a body that is not JSON (content-type ${
            response.headers.get('content-type') ?? 'none'
          })`,
        });
      }
    }
    const hint =
      status === 401 || status === 403
        ? '; check the credentials in the auth of its config'
        : '';
    throw new ItsmSourceError({
      status,
      retryable: false,
      message:
        `ITSM source ${this.providerId}: ${where} answered ${status} ${response.statusText}`.trimEnd() +
        hint,
    });
  }

  /** One attempt, redirects followed: an answer, or a transient error. */
  async #attempt(
    first: URL,
    request: ItsmHttpRequest,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    // Linked by hand and unlinked when the attempt ends: a composed signal
    // (AbortSignal.any, AbortSignal.timeout) would live until its timer
    // fires, holding every request of the last 30 s in memory.
    const controller = new AbortController();
    const unlink = abortWhenAny(controller, signal);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(
        new DOMException(
          `No answer within ${this.#timeoutMs} ms`,
          'TimeoutError',
        ),
      );
    }, this.#timeoutMs);
    let url = first;
    let method = request.method ?? 'GET';
    let body = request.body;
    let credentials = request.credentials;
    try {
      for (let hop = 0; ; hop++) {
        const response = await this.#fetch(url, {
          method,
          headers: { ...request.headers, ...credentials },
          body,
          redirect: 'manual',
          signal: controller.signal,
        });
        const location = response.headers.get('location');
        if (REDIRECTS.has(response.status) && location) {
          await response.body?.cancel();
          if (hop >= this.#maxRedirects) {
            throw new ItsmSourceError({
              status: response.status,
              retryable: false,
              message: `ITSM source ${
                this.providerId
              }: ${what} was redirected more than ${this.#maxRedirects} times`,
            });
          }
          const next = new URL(location, url);
          const keepsMethod =
            response.status === 307 || response.status === 308;
          if (next.origin !== this.origin) {
            // Another host gets the request, never the credentials, and
            // never a body, which may carry them (an OAuth token request).
            if (keepsMethod && body !== undefined) {
              throw new ItsmSourceError({
                status: response.status,
                retryable: false,
                message: `ITSM source ${this.providerId}: ${what} was redirected to ${next.origin}; refusing to send the request body to another origin`,
              });
            }
            credentials = undefined;
          }
          if (
            response.status === 303 ||
            ((response.status === 301 || response.status === 302) &&
              method === 'POST')
          ) {
            method = 'GET';
            body = undefined;
          }
          url = next;
          continue;
        }
        const text = this.redact(await response.text());
        return {
          response: {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
            text,
            url: url.toString(),
          },
        };
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      if (error instanceof ItsmSourceError) throw error;
      if (timedOut) {
        return {
          error: new ItsmSourceError({
            retryable: true,
            timedOut: true,
            message: `ITSM source ${
              this.providerId
            }: ${what} did not answer within ${this.#timeoutMs / 1000} s`,
          }),
        };
      }
      return {
        error: new ItsmSourceError({
          retryable: true,
          message: `ITSM source ${
            this.providerId
          }: ${what} failed: ${this.redact(describeNetworkError(error))}`,
        }),
      };
    } finally {
      clearTimeout(timer);
      unlink();
    }
  }
}
