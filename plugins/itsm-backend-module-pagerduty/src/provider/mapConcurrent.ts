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

import { abortWhenAny } from '@backstage-itsm/plugin-itsm-node';

/**
 * Maps `items` with at most `concurrency` calls in flight, keeping order.
 * The first failure aborts the calls still running (through the signal each
 * call gets) and is rethrown once they have settled: no stray requests
 * outlive a failed batch.
 */
export async function mapConcurrent<T, R>(
  items: ReadonlyArray<T>,
  concurrency: number,
  fn: (item: T, signal: AbortSignal) => Promise<R>,
  signal: AbortSignal,
): Promise<R[]> {
  const controller = new AbortController();
  const unlink = abortWhenAny(controller, signal);
  const combined = controller.signal;
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;

  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], combined);
      } catch (error) {
        if (!failure) {
          failure = { error };
          controller.abort(error);
        }
        return;
      }
    }
  };

  try {
    await Promise.all(
      Array.from(
        { length: Math.min(Math.max(1, concurrency), items.length) },
        worker,
      ),
    );
  } finally {
    unlink();
  }
  if (failure) {
    throw failure.error;
  }
  return results;
}
