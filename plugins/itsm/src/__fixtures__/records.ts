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

import type { ItsmRecord } from '@backstage-itsm/plugin-itsm-common';

let n = 0;
/** A stored record as the API serves it; override any field. */
export function makeRecord(overrides: Partial<ItsmRecord> = {}): ItsmRecord {
  n++;
  return {
    id: `r${n}`,
    providerId: 'servicenow:corp',
    externalId: `e${n}`,
    kind: 'incident',
    department: 'it',
    number: `INC${n}`,
    title: `Record ${n}`,
    url: null,
    state: 'resolved',
    priority: 3,
    openedAt: '2026-03-01T10:00:00.000Z',
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: null,
    impactStart: null,
    impactEnd: null,
    changeType: null,
    plannedStart: null,
    plannedEnd: null,
    actualStart: null,
    actualEnd: null,
    outcome: null,
    causedByChange: null,
    problem: null,
    reopenCount: 0,
    assignmentGroup: null,
    assignee: null,
    sourceUpdatedAt: '2026-03-01T10:00:00.000Z',
    entityRefs: [],
    slas: [],
    ...overrides,
  };
}
