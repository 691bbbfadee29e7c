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

import { abortWith } from './abortWith';
import { PagerDutyRequestError, readRetryAfterMs } from './errors';
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
  /** Time one request may take, body included. */
  timeoutMs: number;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

const ACCEPT = 'application/vnd.pagerduty+json;version=2';

/**
 * A small client of PagerDuty's REST API v2: token auth, per-request timeout
 * combined with the caller's signal, classic offset paging, and errors the
 * ingestion engine knows how to retry (see {@link PagerDutyRequestError}).
 * It never retries by itself: the engine resumes from the last committed
 * cursor, so a retry here would only duplicate that.
 */
export class PagerDutyClient {
  readonly accountId: string;
  readonly #configPath: string;
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  #requests = 0;

  constructor(options: PagerDutyClientOptions) {
    this.accountId = options.accountId;
    this.#configPath = options.configPath;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Requests sent so far (for logs and benchmarks). */
  get requestCount(): number {
    return this.#requests;
  }

  /** `GET path?query`, parsed as JSON. */
  async get<T>(
    path: string,
    query: PagerDutyQuery = {},
    signal?: AbortSignal,
  ): Promise<T> {
    const url = this.#url(path, query);
    const where = `PagerDuty account ${this.accountId}: GET ${path}`;
    // The request ends at its own timeout or with the run, whichever is first.
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const controller = new AbortController();
    const unlink = abortWith(controller, signal, timeout);

    this.#requests += 1;
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method: 'GET',
        headers: {
          Accept: ACCEPT,
          Authorization: `Token token=${this.#token}`,
        },
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      throw this.#transportError(where, error, signal, timeout);
    } finally {
      unlink();
    }

    if (!response.ok) {
      throw this.#statusError(where, response, text);
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      const snippet = text.slice(0, 120).replace(/\s+/g, ' ');
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
    signal?: AbortSignal,
  ): Promise<PagerDutyPage<T>> {
    const body = await this.get<Record<string, unknown>>(path, query, signal);
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
    signal?: AbortSignal,
  ): AsyncGenerator<T[]> {
    for (let offset = 0; ; ) {
      const page = await this.getPage<T>(
        path,
        key,
        { ...query, limit, offset },
        signal,
      );
      yield page.items;
      offset += page.items.length;
      if (!page.more || page.items.length === 0 || offset >= 10_000) {
        return;
      }
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

  #transportError(
    where: string,
    error: unknown,
    signal: AbortSignal | undefined,
    timeout: AbortSignal,
  ): unknown {
    if (signal?.aborted) {
      // The run is ending (task timeout, shutdown): not ours to retry.
      return signal.reason ?? error;
    }
    if (timeout.aborted) {
      return new PagerDutyRequestError(
        `${where} timed out after ${
          this.#timeoutMs < 1000
            ? `${this.#timeoutMs}ms`
            : `${Math.round(this.#timeoutMs / 1000)}s`
        }`,
        { retryable: true, cause: error },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    return new PagerDutyRequestError(`${where} failed: ${reason}`, {
      retryable: true,
      cause: error,
    });
  }

  #statusError(
    where: string,
    response: Response,
    text: string,
  ): PagerDutyRequestError {
    const status = response.status;
    const detail = describeErrorBody(text);
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
    if (status === 429) {
      const retryAfterMs = readRetryAfterMs(response.headers);
      return new PagerDutyRequestError(
        `${where} was rate limited (429)${
          retryAfterMs !== undefined
            ? `; PagerDuty asks to wait ${Math.ceil(retryAfterMs / 1000)}s`
            : ''
        }`,
        { status, retryable: true, retryAfterMs },
      );
    }
    if (status >= 500) {
      return new PagerDutyRequestError(
        `${where} failed with ${statusText}${detail ? `: ${detail}` : ''}`,
        { status, retryAfterMs: readRetryAfterMs(response.headers) },
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
