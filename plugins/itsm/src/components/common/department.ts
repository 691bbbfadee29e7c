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

import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_ITSM_DEPARTMENT,
  ItsmRecordKind,
  ITSM_REDACTED,
} from '@backstage-itsm/plugin-itsm-common';

/** How a service desk names its records and which numbers it is judged by. */
export interface DepartmentTerms {
  department: string;
  /** Singular and plural noun per record kind: "case", "work order". */
  noun(kind: ItsmRecordKind, count?: number): string;
  /** The metric ids its outcome card shows first, in order. */
  headlineMetrics: string[];
  /** Record kinds the desk works with, for filters. */
  kinds: ItsmRecordKind[];
}

const IT_NOUNS: Record<ItsmRecordKind, [string, string]> = {
  incident: ['incident', 'incidents'],
  change: ['change', 'changes'],
  problem: ['problem', 'problems'],
  request: ['request', 'requests'],
};

const DEPARTMENTS: Record<
  string,
  {
    request: [string, string];
    headlineMetrics: string[];
    kinds: ItsmRecordKind[];
  }
> = {
  it: {
    request: IT_NOUNS.request,
    headlineMetrics: [
      'incident_count',
      'mtta',
      'mttr',
      'availability',
      'change_failure_rate',
      'sla_attainment',
    ],
    kinds: ['incident', 'change', 'problem', 'request'],
  },
  hr: {
    request: ['case', 'cases'],
    headlineMetrics: [
      'fulfilment_time',
      'hr_first_response_time',
      'hr_onboarding_completion_time',
      'sla_attainment',
    ],
    kinds: ['request'],
  },
  facilities: {
    request: ['work order', 'work orders'],
    headlineMetrics: [
      'fulfilment_time',
      'facilities_on_time_completion',
      'sla_attainment',
    ],
    kinds: ['request'],
  },
};

/** The department of an entity from its `backstage-itsm.io/department` annotation; `it` without one. */
export function entityDepartment(entity: Entity | undefined): string {
  return (
    entity?.metadata.annotations?.[ANNOTATION_ITSM_DEPARTMENT]?.trim() || 'it'
  );
}

/** The wording and headline metrics of a department; unknown departments read like IT. */
export function departmentTerms(department: string): DepartmentTerms {
  const known = DEPARTMENTS[department] ?? DEPARTMENTS.it;
  return {
    department,
    noun(kind, count = 1) {
      const [one, many] = kind === 'request' ? known.request : IT_NOUNS[kind];
      return count === 1 ? one : many;
    },
    headlineMetrics: known.headlineMetrics,
    kinds: known.kinds,
  };
}

/** Whether a value was replaced by a module because it is personal data. */
export function isRedacted(value: unknown): boolean {
  return typeof value === 'string' && value.includes(ITSM_REDACTED);
}
