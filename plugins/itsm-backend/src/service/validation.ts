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

import { InputError } from '@backstage/errors';
import { describeValidationError } from '@backstage-itsm/plugin-itsm-common';
import { z } from 'zod';

/** `a,b` or repeated `?x=a&x=b`: a list, without empties. */
export const listParam = z
  .union([z.string(), z.array(z.string())])
  .transform(v =>
    (Array.isArray(v) ? v : [v])
      .flatMap(s => s.split(','))
      .map(s => s.trim())
      .filter(Boolean),
  );

/** ISO 8601 with `Z` or an offset, normalised to epoch ms (UTC). */
export const instantParam = z.iso
  .datetime({ offset: true })
  .transform(v => Date.parse(v));

/** Parses request input, or throws a 400 naming the fields at fault. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: string,
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(
      `Invalid ${where}: ${describeValidationError(parsed.error)}`,
    );
  }
  return parsed.data;
}
