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

import { useApi } from '@backstage/core-plugin-api';
import type {
  ItsmMetricsCoverage,
  ItsmRecord,
} from '@backstage-itsm/plugin-itsm-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ItsmApi, itsmApiRef } from '../../api';

/** Most records the timeline loads for one window. */
export const MAX_TIMELINE_RECORDS = 10_000;
/** The API's largest page: fewer round trips for a long history. */
const PAGE_SIZE = 2000;

export interface EntityRecords {
  records: ItsmRecord[];
  /** More records exist in the window than were loaded. */
  truncated: boolean;
  /** Whether any record at all maps to the entity (any time). */
  anyMapped: boolean;
  /**
   * When no record maps: whether a source covers the entity all the same (it
   * bears an annotation a configured provider maps on) and which annotations
   * connect one. Undefined when the backend could not tell.
   */
  coverage?: ItsmMetricsCoverage;
}

/**
 * Whether a source covers an entity that no record maps to yet, from the
 * metrics answer. Undefined when the backend does not say, or the caller
 * may not read metrics: the timeline then falls back to "no record maps".
 */
async function readCoverage(
  api: { getMetrics: ItsmApi['getMetrics'] },
  entityRef: string,
): Promise<ItsmMetricsCoverage | undefined> {
  try {
    const answer = await api.getMetrics({
      entityRef,
      metrics: ['incident_count'],
    });
    return answer.coverage;
  } catch {
    return undefined;
  }
}

/** All records of an entity whose life overlaps the last `days` days, newest first. */
export function useEntityRecords(entityRef: string, days: number) {
  const api = useApi(itsmApiRef);
  return useAsyncRetry(async (): Promise<EntityRecords> => {
    const from = new Date(Date.now() - days * 24 * 3600 * 1000).toISOString();
    const records: ItsmRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.getRecords({
        entityRef,
        from,
        limit: PAGE_SIZE,
        cursor,
      });
      records.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && records.length < MAX_TIMELINE_RECORDS);
    let anyMapped = records.length > 0;
    if (!anyMapped) {
      anyMapped =
        (await api.getRecords({ entityRef, limit: 1 })).items.length > 0;
    }
    return {
      records: records.slice(0, MAX_TIMELINE_RECORDS),
      truncated: Boolean(cursor) || records.length > MAX_TIMELINE_RECORDS,
      anyMapped,
      coverage: anyMapped ? undefined : await readCoverage(api, entityRef),
    };
  }, [api, entityRef, days]);
}
