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

import type { ItsmSyncReporter } from '../provider';

/** What a provider or an HTTP client told a recording reporter. @public */
export interface ItsmReported {
  requests: number;
  retries: Array<{ status?: number; waitMs: number; message: string }>;
  failedParts: Array<{ part: string; error: unknown }>;
}

/**
 * A sync reporter that keeps everything it is told, for tests of providers
 * and of clients on the HTTP layer.
 * @public
 */
export function createRecordingReporter(): {
  reported: ItsmReported;
  reporter: ItsmSyncReporter;
} {
  const reported: ItsmReported = { requests: 0, retries: [], failedParts: [] };
  const reporter: ItsmSyncReporter = {
    request: () => {
      reported.requests += 1;
    },
    retry: event => {
      reported.retries.push(event);
    },
    partFailed: (part, error) => {
      reported.failedParts.push({ part, error });
    },
  };
  return { reported, reporter };
}
