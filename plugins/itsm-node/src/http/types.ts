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

import type { ItsmSyncReporter } from '../provider';

/** Per request unless configured: 30 seconds, body included. @public */
export const DEFAULT_ITSM_HTTP_TIMEOUT_MS = 30_000;
/** How long one request may keep retrying unless configured: 5 minutes. @public */
export const DEFAULT_ITSM_HTTP_RETRY_BUDGET_MS = 5 * 60_000;

/** Options of {@link ItsmHttpClient}. @public */
export interface ItsmHttpClientOptions {
  /** The provider id, e.g. `servicenow:corp`; named in every error. */
  providerId: string;
  /**
   * The source's base URL. Its origin is the only one credentials are sent
   * to: a request elsewhere is refused, and a redirect to another origin is
   * followed without them.
   */
  baseUrl: string;
  /** One attempt, body included. Default 30 s. */
  timeoutMs?: number;
  /**
   * How long one request may spend retrying 429s, 5xx and network errors,
   * from its first attempt, waits included. Default 5 minutes.
   */
  retryBudgetMs?: number;
  /** Request starts per second across all callers of this client. Default: no limit. */
  maxRequestsPerSecond?: number;
  /** The first backoff ceiling; doubles each attempt. Default 500 ms. */
  backoffBaseMs?: number;
  /** The largest backoff ceiling. Default 30 s. */
  backoffMaxMs?: number;
  /** Redirects followed per request. Default 5. */
  maxRedirects?: number;
  /**
   * The source's own words about a failed answer, for messages: e.g. the
   * `error.message` of ServiceNow's Table API ("Transaction cancelled:
   * maximum execution time exceeded"). Return only what the platform says
   * about the failure, never record data. Default: nothing.
   */
  describeFailure?: (response: ItsmHttpResponse) => string | undefined;
  /** For tests. */
  fetch?: typeof fetch;
  /** For tests: how to wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For tests: the clock. */
  now?: () => number;
  /** For tests: the jitter. */
  random?: () => number;
}

/** One request. @public */
export interface ItsmHttpRequest {
  url: string | URL;
  /** Default GET. */
  method?: string;
  /** Headers for any host (Accept, Content-Type). */
  headers?: Record<string, string>;
  /**
   * Headers that carry credentials (Authorization, X-Api-Key, Cookie):
   * sent only to the base URL's origin, dropped after a redirect elsewhere.
   */
  credentials?: Record<string, string>;
  body?: string;
  /**
   * Values in the body that are secrets (an OAuth request's client secret,
   * password, refresh token): like credentials, never repeated in anything
   * the client returns or throws.
   */
  secrets?: string[];
  /** What the request is for, in messages: `reading table incident`. */
  what?: string;
}

/** How one call runs: the run's signal and reporter. @public */
export interface ItsmHttpCallOptions {
  signal?: AbortSignal;
  reporter?: ItsmSyncReporter;
}

/** An answer, its body read. @public */
export interface ItsmHttpResponse {
  status: number;
  statusText: string;
  headers: Headers;
  /**
   * The body as text. Any credential or secret this client has sent is
   * replaced by `[redacted]`: a source that repeats the request back in an
   * error page must not carry a secret into a message, a log or the sync
   * status.
   */
  text: string;
  /** The URL that answered, after redirects. */
  url: string;
}

/** Counters of a client since it was made. @public */
export interface ItsmHttpStats {
  requests: number;
  retries: number;
  waitMs: number;
}
