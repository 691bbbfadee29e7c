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
  fullJitterBackoffMs,
  isTransientStatus,
} from '@backstage-itsm/plugin-itsm-node';

/** An error worth retrying: 429, 5xx, timeouts, dropped connections, busy databases. */
export function isTransientError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as {
    name?: string;
    code?: string;
    retryable?: boolean;
    cause?: unknown;
  };
  if (e.retryable === true) return true;
  if (e.retryable === false) return false;
  const status = statusOf(error);
  if (status !== undefined) {
    return isTransientStatus(status);
  }
  const codes = [
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'EPIPE',
    'EAI_AGAIN',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'SQLITE_BUSY',
    'SQLITE_LOCKED',
    '40001', // serialization_failure
    '40P01', // deadlock_detected
    '57P01', // admin_shutdown
    '08006', // connection_failure
  ];
  if (e.code && codes.includes(e.code)) return true;
  if (e.name === 'TimeoutError') return true;
  return (
    e.cause !== undefined && e.cause !== error && isTransientError(e.cause)
  );
}

/** The wait a source asked for (Retry-After seconds or ms fields), if any. */
export function retryAfterMs(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { retryAfterMs?: unknown; retryAfter?: unknown };
  if (typeof e.retryAfterMs === 'number' && e.retryAfterMs >= 0) {
    return e.retryAfterMs;
  }
  if (typeof e.retryAfter === 'number' && e.retryAfter >= 0) {
    return e.retryAfter * 1000;
  }
  return undefined;
}

/** The HTTP status an error carries, if any. */
export function statusOf(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as {
    status?: unknown;
    statusCode?: unknown;
    response?: { status?: unknown };
  };
  const status = e.status ?? e.statusCode ?? e.response?.status;
  return typeof status === 'number' ? status : undefined;
}

export interface BackoffOptions {
  /** The ceiling of the first wait. Default 500 ms. */
  baseMs?: number;
  /** The largest ceiling, however many attempts. Default 60 s. */
  capMs?: number;
  /** The time left to wait at all: no wait is longer. Default unbounded. */
  remainingMs?: number;
  /** A uniform draw in [0, 1), for tests. Default `Math.random`. */
  random?: () => number;
}

/**
 * The wait before retry number `attempt + 1` (`attempt` counts from 0):
 * what the source asked for (`retryAfterMs`, `retryAfter` seconds) when it
 * did, else exponential backoff with full jitter, a uniform draw in
 * `[0, min(capMs, baseMs * 2^attempt))`; never longer than `remainingMs`.
 */
export function backoffMs(
  attempt: number,
  error: unknown,
  options: BackoffOptions = {},
): number {
  const {
    baseMs = 500,
    capMs = 60_000,
    remainingMs = Infinity,
    random = Math.random,
  } = options;
  const wait =
    retryAfterMs(error) ??
    fullJitterBackoffMs(attempt, { baseMs, maxMs: capMs, random });
  return Math.max(0, Math.round(Math.min(wait, remainingMs)));
}
