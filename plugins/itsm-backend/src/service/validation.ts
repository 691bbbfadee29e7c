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
import {
  describeValidationError,
  itsmEntityRefSchema,
  ItsmEntityRefDefaults,
} from '@backstage-itsm/plugin-itsm-common';
import { z } from 'zod';

/**
 * Parses a request input with one of the shared schemas of itsm-common;
 * a failure is a 400 naming `where` and the fields, e.g.
 * `Invalid query: limit: Too big: expected number to be <=2000`.
 */
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

/**
 * Normalises one entity ref input to `kind:namespace/name`; a 400
 * `Invalid <field>: '<value>' is not an entity ref` otherwise.
 */
export function parseEntityRefInput(
  value: string,
  field: string,
  defaults?: ItsmEntityRefDefaults,
): string {
  const parsed = itsmEntityRefSchema(defaults).safeParse(value);
  if (!parsed.success) {
    throw new InputError(`Invalid ${field}: ${parsed.error.issues[0].message}`);
  }
  return parsed.data;
}

/** A 400 naming a field of the body that the schema could not judge alone. */
export function invalidField(field: string, message: string): InputError {
  return new InputError(`Invalid body: ${field}: ${message}`);
}
