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
 * A failed PagerDuty request. The HTTP layer (`ItsmHttpClient`) has already
 * retried 429s, 5xx, timeouts and dropped connections for the retry budget
 * when this is thrown. The ITSM ingestion engine reads `status`, `retryable`
 * and `retryAfterMs`: it resumes the run later from its last committed batch
 * when the error is transient (429, 5xx, `retryable: true`), and gives up on
 * the rest.
 * @public
 */
export class PagerDutyRequestError extends CustomErrorBase {
  name = 'PagerDutyRequestError' as const;
  /** The HTTP status, when PagerDuty answered. */
  readonly status?: number;
  /** Whether trying again later can succeed; unset means "judge by status". */
  readonly retryable?: boolean;
  /** How long PagerDuty asked to wait on its last answer (`Retry-After`, else `ratelimit-reset` of a 429). */
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
