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

import type {
  ItsmImprovement,
  ItsmImprovementDetails,
} from '@backstage-itsm/plugin-itsm-common';
import { ResponseError } from '@backstage/errors';

let n = 0;

/** An improvement as the API serves it (test data); override any field. */
export function makeImprovement(
  overrides: Partial<ItsmImprovement> = {},
): ItsmImprovement {
  n++;
  return {
    id: `imp${n}`,
    title: `Improvement ${n}`,
    description: '',
    entityRefs: ['component:default/payments-api'],
    ownerRef: 'group:default/payments-team',
    department: 'it',
    status: 'proposed',
    priority: 'medium',
    dueDate: '2099-01-31',
    records: [],
    hiddenRecordCount: 0,
    metric: null,
    progress: {
      status: 'not_started',
      baseline: null,
      current: null,
      n: 0,
      target: null,
      fraction: null,
      elapsed: null,
      window: null,
      weeks: [],
      overdue: false,
    },
    createdAt: '2026-03-01T10:00:00.000Z',
    createdBy: 'user:default/alice',
    updatedAt: '2026-03-02T10:00:00.000Z',
    updatedBy: 'user:default/alice',
    completedAt: null,
    ...overrides,
  };
}

/** An improvement with its history (test data). */
export function makeImprovementDetails(
  overrides: Partial<ItsmImprovementDetails> = {},
): ItsmImprovementDetails {
  return { ...makeImprovement(overrides), events: [], ...overrides };
}

/** A ResponseError as the client throws it for a backend error. */
export async function responseError(
  status: number,
  message: string,
): Promise<ResponseError> {
  const names: Record<number, string> = {
    400: 'InputError',
    403: 'NotAllowedError',
    404: 'NotFoundError',
  };
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: names[status] ?? 'Error', message },
        request: { method: 'POST', url: '/api/itsm/improvements' },
        response: { statusCode: status },
      }),
      {
        status,
        statusText: status === 403 ? 'Forbidden' : 'Bad Request',
        headers: { 'Content-Type': 'application/json' },
      },
    ) as any,
  );
}
