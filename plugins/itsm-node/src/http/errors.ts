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
 * A failed read of a source. The ingestion engine retries the run when
 * `retryable` is true, waiting `retryAfterMs` when the source asked for it.
 * Its message names the provider, the URL without its query and the status;
 * never a response body that could hold personal data.
 * @public
 */
export class ItsmSourceError extends CustomErrorBase {
  name = 'ItsmSourceError' as const;
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /**
   * The source's own words about the failed answer, as its
   * `describeFailure` read them (a platform error message, never a body).
   */
  readonly detail?: string;
  /** The source did not answer within the timeout. */
  readonly timedOut?: boolean;

  constructor(options: {
    message: string;
    retryable: boolean;
    status?: number;
    retryAfterMs?: number;
    detail?: string;
    timedOut?: boolean;
    cause?: unknown;
  }) {
    super(options.message, options.cause);
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    if (options.detail !== undefined) this.detail = options.detail;
    if (options.timedOut) this.timedOut = true;
  }
}

/**
 * Whether a status means the part of the source asked for is not there for
 * this integration, for good: a bad request (ServiceNow's "Invalid table"),
 * missing credentials or roles, or no such resource. A provider with several
 * tables or endpoints reports such a part as failed and syncs the others.
 * @public
 */
export function isItsmPartUnavailableStatus(status: number | undefined) {
  return status === 400 || status === 401 || status === 403 || status === 404;
}

/** A URL for messages: no query (it may carry tokens or cursors). @public */
export function describeUrl(url: URL | string): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  return `${u.origin}${u.pathname}`;
}

/** Whether an answer with this status may succeed when asked again. @public */
export function isTransientStatus(status: number): boolean {
  return (
    status === 408 ||
    status === 429 ||
    (status >= 500 && status <= 599 && status !== 501 && status !== 505)
  );
}
