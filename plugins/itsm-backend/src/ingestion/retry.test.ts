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

import { ItsmSourceError } from '@backstage-itsm/plugin-itsm-node';
import { backoffMs, isTransientError, statusOf } from './retry';

describe('isTransientError', () => {
  it.each([
    [{ status: 429 }, true],
    [{ status: 503 }, true],
    [{ statusCode: 500 }, true],
    [{ response: { status: 502 } }, true],
    [{ status: 408 }, true],
    [{ status: 400 }, false],
    [{ status: 403 }, false],
    [{ status: 404 }, false],
    [{ status: 501 }, false],
    [{ code: 'ECONNRESET' }, true],
    [{ code: '40P01' }, true],
    [{ name: 'TimeoutError' }, true],
    [{ cause: { code: 'ETIMEDOUT' } }, true],
    [new Error('invalid table'), false],
    ['a string', false],
    [undefined, false],
  ])('%j is transient: %s', (error, expected) => {
    expect(isTransientError(error)).toBe(expected);
  });

  it('follows what the source layer decided', () => {
    const busy = new ItsmSourceError({
      message: '429 from the source',
      status: 429,
      retryable: true,
      retryAfterMs: 1000,
    });
    const refused = new ItsmSourceError({
      message: '500 after the retry budget',
      status: 500,
      retryable: false,
    });
    expect(isTransientError(busy)).toBe(true);
    expect(isTransientError(refused)).toBe(false);
    expect(statusOf(refused)).toBe(500);
  });
});

describe('backoffMs', () => {
  it('draws uniformly below min(cap, base * 2^attempt): full jitter', () => {
    const top = () => 0.999999;
    expect(backoffMs(0, new Error('x'), { baseMs: 100, random: top })).toBe(
      100,
    );
    expect(backoffMs(3, new Error('x'), { baseMs: 100, random: top })).toBe(
      800,
    );
    expect(
      backoffMs(20, new Error('x'), {
        baseMs: 100,
        capMs: 5_000,
        random: top,
      }),
    ).toBe(5_000);
    // The floor is 0, not half the ceiling.
    expect(backoffMs(5, new Error('x'), { random: () => 0 })).toBe(0);
    expect(
      backoffMs(2, new Error('x'), { baseMs: 1000, random: () => 0.25 }),
    ).toBe(1000);
  });

  it('spreads waits over the whole range', () => {
    const waits = Array.from({ length: 2000 }, () =>
      backoffMs(4, new Error('x'), { baseMs: 100 }),
    );
    expect(Math.min(...waits)).toBeLessThan(160);
    expect(Math.max(...waits)).toBeGreaterThan(1440);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1600);
    const mean = waits.reduce((a, b) => a + b, 0) / waits.length;
    expect(mean).toBeGreaterThan(700);
    expect(mean).toBeLessThan(900);
  });

  it('honours the wait the source asked for, without jitter', () => {
    expect(
      backoffMs(0, { status: 429, retryAfterMs: 7_000 }, { random: () => 0 }),
    ).toBe(7_000);
    expect(backoffMs(6, { status: 503, retryAfter: 2 })).toBe(2_000);
  });

  it('never waits past the remaining budget', () => {
    expect(backoffMs(0, { retryAfterMs: 60_000 }, { remainingMs: 1_500 })).toBe(
      1_500,
    );
    expect(
      backoffMs(10, new Error('x'), {
        baseMs: 1000,
        remainingMs: 200,
        random: () => 0.9,
      }),
    ).toBe(200);
    expect(backoffMs(0, { retryAfterMs: 10 }, { remainingMs: -5 })).toBe(0);
  });
});
