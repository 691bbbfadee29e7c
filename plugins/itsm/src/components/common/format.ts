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

import { DateTime } from 'luxon';

/** `23 Nov 2026, 14:05` in the viewer's zone. */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '–';
  return DateTime.fromISO(iso).toLocaleString(DateTime.DATETIME_MED);
}

/** `3 days ago`. */
export function formatRelative(iso: string | null | undefined): string {
  if (!iso) return '–';
  return DateTime.fromISO(iso).toRelative() ?? '–';
}

/** A percentage of a 0..1 ratio with the given decimals. */
export function formatPercent(
  ratio: number | null | undefined,
  decimals = 1,
): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio))
    return '–';
  return `${(ratio * 100).toFixed(decimals)}%`;
}
