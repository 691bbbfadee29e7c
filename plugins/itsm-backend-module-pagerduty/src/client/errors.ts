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
 * A failed PagerDuty request. The ITSM ingestion engine reads `status`,
 * `retryable` and `retryAfterMs`: it retries 429, 5xx and `retryable: true`
 * with backoff (waiting `retryAfterMs` when set) and gives up on the rest.
 * @public
 */
export class PagerDutyRequestError extends CustomErrorBase {
  name = 'PagerDutyRequestError' as const;
  /** The HTTP status, when PagerDuty answered. */
  readonly status?: number;
  /** Whether trying again later can succeed; unset means "judge by status". */
  readonly retryable?: boolean;
  /** How long PagerDuty asked to wait (`ratelimit-reset`, `Retry-After`). */
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    options: {
      status?: number;
      retryable?: boolean;
      retryAfterMs?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause);
    if (options.status !== undefined) this.status = options.status;
    if (options.retryable !== undefined) this.retryable = options.retryable;
    if (options.retryAfterMs !== undefined) {
      this.retryAfterMs = options.retryAfterMs;
    }
  }
}

/**
 * The wait a 429 (or 503) asks for: PagerDuty's `ratelimit-reset` (seconds
 * until the window resets), else `Retry-After` (seconds or an HTTP date).
 */
export function readRetryAfterMs(
  headers: Headers,
  now: number = Date.now(),
): number | undefined {
  const reset = headers.get('ratelimit-reset');
  if (reset !== null && reset.trim() !== '') {
    const seconds = Number(reset);
    if (Number.isFinite(seconds) && seconds >= 0) {
      return Math.ceil(seconds * 1000);
    }
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) {
      return Math.ceil(seconds * 1000);
    }
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) {
      return Math.max(0, at - now);
    }
  }
  return undefined;
}
