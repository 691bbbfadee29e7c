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
 * Spaces the requests of one client: at most `maxRequestsPerSecond` starts
 * a second (each request reserves the next free slot, so concurrent callers
 * queue in order), and none at all while the source has asked everyone to
 * wait (a 429 with `Retry-After`). Keeping under a source's limit is cheaper
 * than surviving the 429 storm that crossing it causes.
 */
export class RequestPacer {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #nextSlot = 0;
  #pausedUntil = 0;

  constructor(options: {
    maxRequestsPerSecond?: number;
    now: () => number;
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  }) {
    const rate = options.maxRequestsPerSecond;
    this.#intervalMs = rate && rate > 0 ? 1000 / rate : 0;
    this.#now = options.now;
    this.#sleep = options.sleep;
  }

  /** Holds every request of this client until `ms` from now. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms);
  }

  /** Resolves when the caller may send; returns how long it waited. */
  async acquire(signal?: AbortSignal): Promise<number> {
    const start = this.#now();
    const slot = Math.max(start, this.#nextSlot);
    this.#nextSlot = slot + this.#intervalMs;
    let waited = 0;
    if (slot > start) {
      waited += slot - start;
      await this.#sleep(slot - start, signal);
    }
    // A pause may have begun while this request waited for its slot.
    for (;;) {
      const hold = this.#pausedUntil - this.#now();
      if (hold <= 0) return waited;
      waited += hold;
      await this.#sleep(hold, signal);
    }
  }
}
