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

import { mapConcurrent } from './mapConcurrent';

describe('mapConcurrent', () => {
  it('keeps order and the concurrency limit', async () => {
    let running = 0;
    let peak = 0;
    const result = await mapConcurrent(
      [5, 1, 4, 2, 3],
      2,
      async n => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise(r => setTimeout(r, n));
        running -= 1;
        return n * 10;
      },
      new AbortController().signal,
    );
    expect(result).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('aborts the calls in flight on the first failure and rethrows it', async () => {
    const aborted: number[] = [];
    const started: number[] = [];
    const error = await mapConcurrent(
      [1, 2, 3, 4],
      2,
      (n, signal) =>
        new Promise<number>((_resolve, reject) => {
          started.push(n);
          if (n === 1) {
            setTimeout(() => reject(new Error('boom')), 5);
            return;
          }
          signal.addEventListener('abort', () => {
            aborted.push(n);
            reject(signal.reason);
          });
        }),
      new AbortController().signal,
    ).catch(e => e);
    expect(error.message).toBe('boom');
    expect(aborted).toEqual([2]);
    expect(started).toEqual([1, 2]);
  });
});
