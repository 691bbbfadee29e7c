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
 * A failed call to a ServiceNow instance. `retryable` is true when the HTTP
 * layer ran out of its retry budget on 429s, 5xx, timeouts or dropped
 * connections: the ingestion engine then resumes the run from its last
 * committed batch, waiting `retryAfterMs` when the instance asked for it.
 * Otherwise the answer cannot change by asking again (bad credentials,
 * missing roles, a field the table does not have).
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
 * The platform's own message in a Table API error body
 * (`{ error: { message, detail } }`), if the body is one: what an admin
 * acts on ("Transaction cancelled: maximum execution time exceeded", the
 * rate limit rule that was hit).
 */
export function tableApiErrorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as {
      error?: { message?: unknown; detail?: unknown };
    };
    const parts = [body?.error?.message, body?.error?.detail].filter(
      (p): p is string => typeof p === 'string' && p !== '',
    );
    return parts.length > 0 ? parts.join(': ') : undefined;
  } catch {
    return undefined;
  }
}

/** The message of a Table API error body (`{ error: { message, detail } }`), else the body itself, cut short. */
export function describeErrorBody(text: string): string {
  const message = tableApiErrorMessage(text);
  if (message !== undefined) {
    return message;
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat;
}
