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

/**
 * Seconds since the epoch above which a reset header is read as an instant,
 * not as a delay: no source asks to wait 30 years.
 */
const EPOCH_SECONDS_THRESHOLD = 1_000_000_000;

/**
 * Milliseconds from a `Retry-After` value: delay seconds or an HTTP date
 * (RFC 9110, 10.2.3). Undefined when absent or unreadable.
 * @public
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Milliseconds from a rate-limit reset header: delay seconds
 * (`ratelimit-reset` of PagerDuty and the IETF draft) or, when the number is
 * an epoch instant, seconds since the epoch (`x-ratelimit-reset` of
 * ServiceNow and GitHub).
 */
function parseReset(
  value: string | null | undefined,
  now: number,
): number | undefined {
  const text = value?.trim();
  if (!text || !/^\d+(\.\d+)?$/.test(text)) return undefined;
  const seconds = Number(text);
  return seconds >= EPOCH_SECONDS_THRESHOLD
    ? Math.max(0, Math.round(seconds * 1000 - now))
    : Math.round(seconds * 1000);
}

/**
 * How long a failed answer asks the client to wait, if it says.
 *
 * - 429: `Retry-After`, else the rate window's reset (`ratelimit-reset`,
 *   `x-ratelimit-reset`): the limit is spent until then.
 * - 503: `Retry-After` only (RFC 9110).
 * - any other status: nothing. A rate window's reset sent along with a 500
 *   is not a retry hint (PagerDuty sends it on every answer): waiting for it
 *   would idle the sync for most of a minute after each server error.
 * @public
 */
export function requestedWaitMs(
  status: number,
  headers: Headers,
  now: number = Date.now(),
): number | undefined {
  if (status === 429) {
    return (
      parseRetryAfter(headers.get('retry-after'), now) ??
      parseReset(headers.get('ratelimit-reset'), now) ??
      parseReset(headers.get('x-ratelimit-reset'), now)
    );
  }
  if (status === 503) {
    return parseRetryAfter(headers.get('retry-after'), now);
  }
  return undefined;
}

/**
 * Exponential backoff with full jitter: a random wait between 0 and
 * `min(maxMs, baseMs * 2^attempt)`, so clients that failed together do not
 * retry together. `attempt` counts from 0.
 * @public
 */
export function fullJitterBackoffMs(
  attempt: number,
  options: { baseMs: number; maxMs: number; random?: () => number },
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return Math.round((options.random ?? Math.random)() * ceiling);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts. */
export function abortableSleep(
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
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
