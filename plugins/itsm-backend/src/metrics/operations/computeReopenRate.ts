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

import { fragment, rowsOf, share } from '../sql';
import type { MetricFamily } from '../types';
import {
  resolutionPopulation,
  resolvedRelevance,
} from './computeResolutionTime';

/** reopen_rate: of the incidents resolved in the window, the share reopened at least once. */
export const reopenRateFamily: MetricFamily = {
  relevance: (_scope, windows) => resolvedRelevance(windows, 'incident'),
  fragments: scope => [
    fragment(
      scope.db,
      'reopen_rate',
      scope.db
        .from(resolutionPopulation(scope, 'incident').as('p'))
        .groupBy('i'),
      { i: 'i', x: 'sum(reopened)' },
    ),
  ],
  read: (rows, _scope, windows) => ({
    results: {
      reopen_rate: rowsOf(rows, 'reopen_rate', windows.length).map(([row]) => {
        const n = row ? row.c : 0;
        return { value: share(row?.x ?? 0, n), n };
      }),
    },
  }),
};
