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
 * Aborts `controller` as soon as one of `signals` aborts, with its reason,
 * and returns a function that unlinks them. `AbortSignal.any` does the same,
 * but a sync sends tens of thousands of requests under one long-lived run
 * signal, and Node keeps every signal composed from it alive until that
 * signal is collected: memory and the cost of its cleanup grow with each
 * request. Call the returned function when the work ends.
 * @public
 */
export function abortWhenAny(
  controller: AbortController,
  ...signals: Array<AbortSignal | undefined>
): () => void {
  const links: Array<[AbortSignal, () => void]> = [];
  const unlink = () => {
    for (const [signal, listener] of links) {
      signal.removeEventListener('abort', listener);
    }
    links.length = 0;
  };
  for (const signal of signals) {
    if (!signal) continue;
    if (signal.aborted) {
      unlink();
      controller.abort(signal.reason);
      return unlink;
    }
    const listener = () => {
      unlink();
      controller.abort(signal.reason);
    };
    signal.addEventListener('abort', listener, { once: true });
    links.push([signal, listener]);
  }
  return unlink;
}
