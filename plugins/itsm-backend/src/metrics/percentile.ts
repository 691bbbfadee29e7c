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
 * The linear-interpolated percentile of ascending `sorted` values, computed
 * exactly as PostgreSQL's `percentile_cont` does (same floating-point steps),
 * so both databases give identical numbers. Null for no values.
 */
export function percentileCont(
  sorted: ArrayLike<number>,
  fraction: number,
): number | null {
  const count = sorted.length;
  if (count === 0) {
    return null;
  }
  const position = fraction * (count - 1);
  const first = Math.floor(position);
  const second = Math.ceil(position);
  return interpolate(sorted[first], sorted[second], position - first);
}

/** PostgreSQL's `float8_lerp`, used by `percentile_cont`. */
export function interpolate(
  low: number,
  high: number,
  proportion: number,
): number {
  if (proportion === 0 || low === high) {
    return low;
  }
  return low + (high - low) * proportion;
}
