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

import type { ItsmDataSource } from './types';

const SOURCE_SYSTEM_NAMES: Record<string, string> = {
  servicenow: 'ServiceNow',
  pagerduty: 'PagerDuty',
  file: 'File',
  push: 'Push',
  hr: 'HR',
  facilities: 'Facilities',
};

/**
 * A source's name for people: `servicenow:corp` reads `ServiceNow corp`.
 * @public
 */
export function itsmDataSourceName(providerId: string): string {
  const colon = providerId.indexOf(':');
  if (colon <= 0 || colon === providerId.length - 1) {
    return providerId;
  }
  const system = providerId.slice(0, colon);
  return `${
    SOURCE_SYSTEM_NAMES[system.toLocaleLowerCase('en-US')] ?? system
  } ${providerId.slice(colon + 1)}`;
}

/** What the sources of some numbers say about how complete they are. @public */
export interface ItsmDataFreshness {
  /** E.g. `Data as of 09:12 (ServiceNow corp, PagerDuty main)`. */
  summary: string;
  /** One sentence per source whose data may be incomplete; empty when none. */
  warnings: string[];
}

function joinWords(words: string[]): string {
  if (words.length <= 1) {
    return words.join('');
  }
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/**
 * Words the sources of a metrics answer or a service review, the same in the
 * portal and in the Markdown export: the summary names the sources and the
 * oldest of their last successful syncs (the numbers are complete up to
 * then), and a warning names each source whose first run has not finished,
 * whose last run failed, or whose last run could not read some parts.
 * `formatInstant` renders an ISO instant (local time in the portal, UTC in
 * the export).
 * @public
 */
export function describeItsmDataSources(
  sources: ItsmDataSource[],
  formatInstant: (iso: string) => string,
): ItsmDataFreshness {
  if (sources.length === 0) {
    return { summary: 'No source has records of this entity', warnings: [] };
  }
  const names = sources.map(s => itsmDataSourceName(s.providerId)).join(', ');
  const succeeded = sources
    .map(s => s.lastSucceededAt)
    .filter((at): at is string => at !== null)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  const summary =
    succeeded.length > 0
      ? `Data as of ${formatInstant(succeeded[0])} (${names})`
      : `No sync has succeeded yet (${names})`;
  const warnings = sources.flatMap(source => {
    const name = itsmDataSourceName(source.providerId);
    if (!source.firstRunFinished) {
      return [
        `The first ${name} sync has not finished: figures may be incomplete`,
      ];
    }
    const parts = source.failedParts.length
      ? `could not read ${joinWords(source.failedParts)}`
      : '';
    if (source.lastRunFailed) {
      return [
        `The last ${name} sync failed${
          parts ? ` and ${parts}` : ''
        }: figures may be incomplete`,
      ];
    }
    return parts
      ? [`The last ${name} sync ${parts}: figures may be incomplete`]
      : [];
  });
  return { summary, warnings };
}
