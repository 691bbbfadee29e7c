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

import { fullJitterBackoffMs, parseRetryAfter, requestedWaitMs } from './waits';

describe('parseRetryAfter', () => {
  it('reads delay seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(
      parseRetryAfter(
        'Wed, 21 Oct 2026 07:28:00 GMT',
        Date.parse('2026-10-21T07:27:00Z'),
      ),
    ).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('requestedWaitMs', () => {
  const headers = (h: Record<string, string>) => new Headers(h);

  it('reads a 429 as Retry-After, else the rate window reset', () => {
    expect(requestedWaitMs(429, headers({ 'retry-after': '3' }))).toBe(3000);
    expect(requestedWaitMs(429, headers({ 'ratelimit-reset': '12' }))).toBe(
      12_000,
    );
    expect(
      requestedWaitMs(
        429,
        headers({ 'x-ratelimit-reset': '1700000060' }),
        1_700_000_000_000,
      ),
    ).toBe(60_000);
    expect(requestedWaitMs(429, headers({}))).toBeUndefined();
  });

  it('never reads a rate window reset as a hint on a 5xx', () => {
    const h = headers({ 'ratelimit-reset': '51', 'retry-after': '2' });
    expect(requestedWaitMs(500, h)).toBeUndefined();
    expect(requestedWaitMs(503, h)).toBe(2000);
    expect(requestedWaitMs(503, headers({ 'ratelimit-reset': '51' }))).toBe(
      undefined,
    );
  });
});

describe('fullJitterBackoffMs', () => {
  it('draws between 0 and the capped exponential ceiling', () => {
    const options = { baseMs: 500, maxMs: 4000 };
    expect(fullJitterBackoffMs(0, { ...options, random: () => 1 })).toBe(500);
    expect(fullJitterBackoffMs(2, { ...options, random: () => 1 })).toBe(2000);
    expect(fullJitterBackoffMs(10, { ...options, random: () => 1 })).toBe(4000);
    expect(fullJitterBackoffMs(10, { ...options, random: () => 0 })).toBe(0);
  });
});
