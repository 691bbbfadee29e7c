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

import {
  abortWhenAny,
  ItsmHttpClient,
  ItsmHttpClientOptions,
  ItsmHttpResponse,
  ItsmHttpStats,
  ItsmSourceError,
  ItsmSyncReporter,
} from '@backstage-itsm/plugin-itsm-node';
import { PagerDutyRequestError } from './errors';
import type { PagerDutyPage } from './types';

/** A query parameter; arrays repeat the key (`statuses[]=a&statuses[]=b`). */
export type PagerDutyQueryValue =
  | string
  | number
  | boolean
  | ReadonlyArray<string>
  | undefined;

/** Query parameters of one request. */
export type PagerDutyQuery = Record<string, PagerDutyQueryValue>;

/**
 * Requests a second per account unless configured: PagerDuty allows 960 REST
 * requests a minute per API key, 16 a second.
 */
export const DEFAULT_PAGERDUTY_MAX_REQUESTS_PER_SECOND = 16;

/** Options of {@link PagerDutyClient}. */
export interface PagerDutyClientOptions {
  /** Provider id, e.g. `pagerduty:main`; named in every error. */
  accountId: string;
  /** Config path of the account, e.g. `itsm.providers.pagerduty.main`. */
  configPath: string;
  /** API base URL, without a trailing slash. */
  baseUrl: string;
  /** A REST API key (read-only is enough). */
  token: string;
  /** Time one attempt may take, body included. */
  timeoutMs: number;
  /** Time one request may spend retrying, waits included. Default 5 minutes. */
  retryBudgetMs?: number;
  /**
   * Request starts a second, for everything this client sends. Default
   * {@link DEFAULT_PAGERDUTY_MAX_REQUESTS_PER_SECOND}; `Infinity` for none.
   */
  maxRequestsPerSecond?: number;
  /** For tests and benchmarks: the HTTP layer's fetch, clock, waits and jitter. */
  http?: Pick<
    ItsmHttpClientOptions,
    'fetch' | 'sleep' | 'now' | 'random' | 'backoffBaseMs' | 'backoffMaxMs'
  >;
}

/** How one call runs. */
export interface PagerDutyCallOptions {
  /** The run's signal: its abort ends the call with its reason, untouched. */
  signal?: AbortSignal;
  /** Where the run's requests and retries are counted. */
  reporter?: ItsmSyncReporter;
  /**
   * Time the whole call may take, retries included (the ownership card waits
   * for its look-ups); past it the call fails as a retryable timeout.
   */
  deadlineMs?: number;
}

const ACCEPT = 'application/vnd.pagerduty+json;version=2';

function duration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`;
}

/**
 * A small client of PagerDuty's REST API v2 on the ITSM HTTP layer
 * (`ItsmHttpClient`): token auth sent to PagerDuty's origin only, a timeout
 * per attempt joined to the run's signal, retries of 429s (after PagerDuty's
 * `Retry-After` or `ratelimit-reset`, pausing every request of the account),
 * 5xx (exponential backoff with full jitter, never the rate window's reset),
 * timeouts and dropped connections for a retry budget per request, and a
 * request rate per account that keeps under PagerDuty's limit. Classic offset
 * paging, and errors that name the account, the endpoint and what to do
 * (see {@link PagerDutyRequestError}).
 */
export class PagerDutyClient {
  readonly accountId: string;
  readonly #configPath: string;
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #http: ItsmHttpClient;

  constructor(options: PagerDutyClientOptions) {
    this.accountId = options.accountId;
    this.#configPath = options.configPath;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs;
    this.#http = new ItsmHttpClient({
      ...options.http,
      providerId: options.accountId,
      baseUrl: this.#baseUrl,
      timeoutMs: options.timeoutMs,
      retryBudgetMs: options.retryBudgetMs,
      maxRequestsPerSecond:
        options.maxRequestsPerSecond ??
        DEFAULT_PAGERDUTY_MAX_REQUESTS_PER_SECOND,
      // PagerDuty's `{ error: { message, code, errors } }` (or the start of
      // a gateway's page) of an answer that was retried, for the message
      // when the retries run out. Error bodies hold no record data.
      describeFailure: response =>
        describeErrorBody(response.text) || undefined,
    });
  }

  /** Requests sent so far, retries included (for logs and benchmarks). */
  get requestCount(): number {
    return this.#http.stats.requests;
  }

  /** Requests, retries and time spent waiting (rate limit included) so far. */
  get stats(): ItsmHttpStats {
    return this.#http.stats;
  }

  /** `GET path?query`, parsed as JSON. */
  async get<T>(
    path: string,
    query: PagerDutyQuery = {},
    call: PagerDutyCallOptions = {},
  ): Promise<T> {
    const where = `PagerDuty account ${this.accountId}: GET ${path}`;
    const response = await this.#request(path, query, where, call);
    if (response.status < 200 || response.status >= 300) {
      throw this.#statusError(where, response);
    }
    try {
      return JSON.parse(response.text) as T;
    } catch (error) {
      const snippet = response.text.slice(0, 120).replace(/\s+/g, ' ');
      throw new PagerDutyRequestError(
        `${where} returned invalid JSON (status ${
          response.status
        }, content-type ${
          response.headers.get('content-type') ?? 'none'
        }): ${snippet}`,
        { status: response.status, retryable: false, cause: error },
      );
    }
  }

  /**
   * One page of a classic paginated list (`limit`, `offset`, `more`,
   * `total`), whose items sit under `key` (`incidents`, `log_entries`, ...).
   */
  async getPage<T>(
    path: string,
    key: string,
    query: PagerDutyQuery,
    call: PagerDutyCallOptions = {},
  ): Promise<PagerDutyPage<T>> {
    const body = await this.get<Record<string, unknown>>(path, query, call);
    const items = body?.[key];
    if (!Array.isArray(items)) {
      throw new PagerDutyRequestError(
        `PagerDuty account ${this.accountId}: GET ${path} returned no '${key}' list`,
        { retryable: false },
      );
    }
    return {
      items: items as T[],
      more: body.more === true,
      total: typeof body.total === 'number' ? body.total : null,
    };
  }

  /**
   * Every page of a short list (an incident's log entries, on-calls), one
   * page at a time, `limit` items each, up to PagerDuty's offset cap.
   */
  async *getPages<T>(
    path: string,
    key: string,
    query: PagerDutyQuery,
    limit: number,
    call: PagerDutyCallOptions = {},
  ): AsyncGenerator<T[]> {
    for (let offset = 0; ; ) {
      const page = await this.getPage<T>(
        path,
        key,
        { ...query, limit, offset },
        call,
      );
      yield page.items;
      offset += page.items.length;
      if (!page.more || page.items.length === 0 || offset >= 10_000) {
        return;
      }
    }
  }

  /** One call through the HTTP layer: a final answer, or an error that says why not. */
  async #request(
    path: string,
    query: PagerDutyQuery,
    where: string,
    call: PagerDutyCallOptions,
  ): Promise<ItsmHttpResponse> {
    // The call ends with the run or at its own deadline (ownership look-ups
    // answer a page), whichever comes first.
    const deadline =
      call.deadlineMs !== undefined
        ? AbortSignal.timeout(call.deadlineMs)
        : undefined;
    const controller = new AbortController();
    const unlink = abortWhenAny(controller, call.signal, deadline);
    const signal = controller.signal;
    try {
      return await this.#http.request(
        {
          url: this.#url(path, query),
          headers: { Accept: ACCEPT },
          credentials: { Authorization: `Token token=${this.#token}` },
        },
        { signal, reporter: call.reporter },
      );
    } catch (error) {
      if (deadline?.aborted && !call.signal?.aborted) {
        throw new PagerDutyRequestError(
          `${where} timed out after ${duration(call.deadlineMs!)}`,
          { retryable: true },
        );
      }
      if (error instanceof ItsmSourceError) {
        throw this.#gaveUp(where, error);
      }
      // The run is ending (task timeout, shutdown): its reason, untouched.
      throw error;
    } finally {
      unlink();
    }
  }

  #url(path: string, query: PagerDutyQuery): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        for (const v of value) params.append(key, v);
      } else {
        params.append(key, String(value));
      }
    }
    const search = params.toString();
    return `${this.#baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  /**
   * The HTTP layer stopped retrying (or refused to send): said the PagerDuty
   * way, with its error (attempts, time spent, the budget) as the cause.
   */
  #gaveUp(where: string, error: ItsmSourceError): PagerDutyRequestError {
    const { status, retryAfterMs, detail } = error;
    if (!error.retryable) {
      return new PagerDutyRequestError(`${where} failed`, {
        status,
        retryable: false,
        cause: error,
      });
    }
    if (status === 429) {
      return new PagerDutyRequestError(
        `${where} was rate limited (429)${
          retryAfterMs !== undefined
            ? `; PagerDuty asks to wait ${Math.ceil(retryAfterMs / 1000)}s`
            : ''
        }`,
        { status, retryable: true, retryAfterMs, cause: error },
      );
    }
    if (status !== undefined) {
      return new PagerDutyRequestError(
        `${where} failed with ${status}${detail ? `: ${detail}` : ''}`,
        // A 5xx speaks for itself; a 408 does not to everyone.
        {
          status,
          retryAfterMs,
          retryable: status < 500 ? true : undefined,
          cause: error,
        },
      );
    }
    if (error.timedOut) {
      return new PagerDutyRequestError(
        `${where} timed out after ${duration(this.#timeoutMs)}`,
        { retryable: true, cause: error },
      );
    }
    return new PagerDutyRequestError(
      `${where} failed: PagerDuty could not be reached`,
      { retryable: true, cause: error },
    );
  }

  /** A final answer that is not a success. */
  #statusError(
    where: string,
    response: ItsmHttpResponse,
  ): PagerDutyRequestError {
    const status = response.status;
    const detail = describeErrorBody(response.text);
    const statusText = `${status}${
      response.statusText ? ` ${response.statusText}` : ''
    }`;
    if (status === 401 || status === 403) {
      return new PagerDutyRequestError(
        `${where} was refused (${statusText}${
          detail ? `: ${detail}` : ''
        }). Check the API token at ${
          this.#configPath
        }.token: it must be a valid REST API key of this account${
          status === 403 ? ' with read access to this resource' : ''
        }. Not retrying.`,
        { status, retryable: false },
      );
    }
    return new PagerDutyRequestError(
      `${where} failed with ${statusText}${detail ? `: ${detail}` : ''}`,
      { status, retryable: false },
    );
  }
}

/** PagerDuty's `{ error: { message, code, errors[] } }`, in one line. */
function describeErrorBody(text: string): string {
  if (!text) return '';
  try {
    const body = JSON.parse(text) as {
      error?: { message?: unknown; code?: unknown; errors?: unknown };
    };
    const error = body?.error;
    if (error && typeof error === 'object') {
      const parts = [
        typeof error.message === 'string' ? error.message : undefined,
        error.code !== undefined ? `code ${String(error.code)}` : undefined,
        Array.isArray(error.errors) ? error.errors.join('; ') : undefined,
      ].filter(Boolean);
      return parts.join(', ');
    }
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200).replace(/\s+/g, ' ');
}
