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
 * Virtual time for the HTTP layer and the fake: `sleep` moves the clock
 * instead of waiting. The clock moves only while no request is in flight,
 * to the earliest wake-up asked for, so waits and requests interleave as
 * they would in real time (a rate window sees requests at the instants the
 * client meant to send them), but a sync that waits an hour takes seconds.
 *
 * Hand `now`, `sleep` and `fetch()` to the client (`http` options of
 * `PagerDutyClient`), and `now` to the fake.
 */
export class VirtualClock {
  #now: number;
  #seq = 0;
  #inFlight = 0;
  #scheduled = false;
  readonly #timers: Array<{
    at: number;
    seq: number;
    wake: () => void;
  }> = [];
  /** Every wait asked for, in ms, in order. */
  readonly waits: number[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  readonly now = (): number => this.#now;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.waits.push(ms);
    return new Promise<void>((resolve, reject) => {
      const timer = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        wake: () => {},
      };
      const onAbort = () => {
        const index = this.#timers.indexOf(timer);
        if (index >= 0) this.#timers.splice(index, 1);
        reject(signal?.reason);
      };
      timer.wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
      this.#schedule();
    });
  };

  /** A fetch whose requests hold the clock while they are in flight. */
  fetch(base?: typeof fetch): typeof fetch {
    return async (input, init) => {
      this.#inFlight += 1;
      try {
        return await (base ?? globalThis.fetch)(input, init);
      } finally {
        this.#inFlight -= 1;
        this.#schedule();
      }
    };
  }

  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#tick());
  }

  /** Wakes the earliest sleeper once everything else has settled. */
  #tick() {
    this.#scheduled = false;
    if (this.#inFlight > 0 || this.#timers.length === 0) return;
    let next = 0;
    for (let i = 1; i < this.#timers.length; i++) {
      const t = this.#timers[i];
      const best = this.#timers[next];
      if (t.at < best.at || (t.at === best.at && t.seq < best.seq)) next = i;
    }
    const [timer] = this.#timers.splice(next, 1);
    this.#now = Math.max(this.#now, timer.at);
    timer.wake();
    if (this.#timers.length > 0) this.#schedule();
  }
}
