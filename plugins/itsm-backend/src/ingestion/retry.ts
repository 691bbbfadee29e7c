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

/** An error worth retrying: 429, 5xx, timeouts, dropped connections, busy databases. */
export function isTransientError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as {
    name?: string;
    code?: string;
    status?: number;
    statusCode?: number;
    response?: { status?: number };
    retryable?: boolean;
    cause?: unknown;
  };
  if (e.retryable === true) return true;
  if (e.retryable === false) return false;
  const status = e.status ?? e.statusCode ?? e.response?.status;
  if (
    status === 429 ||
    (status !== undefined && status >= 500 && status < 600)
  ) {
    return true;
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

/** Exponential backoff with full jitter, capped; honours a source's own wait. */
export function backoffMs(
  attempt: number,
  error: unknown,
  baseMs = 500,
  capMs = 60_000,
): number {
  const asked = retryAfterMs(error);
  if (asked !== undefined) return Math.min(asked, capMs * 5);
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Resolves after `ms`, or rejects when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
