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

import { CustomErrorBase } from '@backstage/errors';

/**
 * A failed call to a ServiceNow instance. The ingestion engine retries it
 * within the run when `retryable` is true (429, 5xx, timeouts, dropped
 * connections), waiting `retryAfterMs` when the instance asked for it, and
 * ends the run otherwise (bad credentials, missing roles, a field the table
 * does not have).
 * @public
 */
export class ServiceNowError extends CustomErrorBase {
  name = 'ServiceNowError' as const;
  /** HTTP status, when the instance answered. */
  readonly status?: number;
  readonly retryable: boolean;
  /** How long the instance asked to wait (`Retry-After`). */
  readonly retryAfterMs?: number;
  /** The provider id, e.g. `servicenow:corp`. */
  readonly instance: string;
  /** The table read, when the call was a table read. */
  readonly table?: string;

  constructor(options: {
    message: string;
    instance: string;
    retryable: boolean;
    status?: number;
    retryAfterMs?: number;
    table?: string;
    cause?: unknown;
  }) {
    super(options.message, options.cause);
    this.instance = options.instance;
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.table = options.table;
  }
}

/**
 * Milliseconds to wait from a `Retry-After` header (seconds or an HTTP date),
 * else from `X-RateLimit-Reset` (a UNIX timestamp in seconds).
 */
export function parseRetryAfter(
  headers: Headers,
  now: number = Date.now(),
): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(?:\.\d+)?$/.test(retryAfter)) {
      return Math.round(Number(retryAfter) * 1000);
    }
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) {
      return Math.max(0, at - now);
    }
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) {
    return Math.max(0, Number(reset) * 1000 - now);
  }
  return undefined;
}

/** The message of a Table API error body (`{ error: { message, detail } }`), if any. */
export function describeErrorBody(text: string): string {
  try {
    const body = JSON.parse(text) as {
      error?: { message?: unknown; detail?: unknown };
    };
    const parts = [body?.error?.message, body?.error?.detail].filter(
      (p): p is string => typeof p === 'string' && p !== '',
    );
    if (parts.length > 0) {
      return parts.join(': ');
    }
  } catch {
    // not JSON: fall through to the text itself
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat;
}
