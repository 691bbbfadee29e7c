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

import {
  KubernetesValidatorFunctions,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { z } from 'zod';

/**
 * How an entity ref given without a kind is read.
 * @public
 */
export interface ItsmEntityRefDefaults {
  /** Default `component`. */
  defaultKind?: string;
}

const MAX_ENTITY_NAME_LENGTH = 253;

function normaliseEntityRef(
  value: string,
  defaults?: ItsmEntityRefDefaults,
): string {
  const ref = parseEntityRef(value.trim(), {
    defaultKind: defaults?.defaultKind ?? 'component',
    defaultNamespace: 'default',
  });
  if (!KubernetesValidatorFunctions.isValidKind(ref.kind)) {
    throw new Error(`kind '${ref.kind}' is not valid`);
  }
  if (
    !KubernetesValidatorFunctions.isValidNamespace(
      ref.namespace.toLocaleLowerCase('en-US'),
    )
  ) {
    throw new Error(`namespace '${ref.namespace}' is not valid`);
  }
  if (ref.name.length > MAX_ENTITY_NAME_LENGTH || /[\s:/]/.test(ref.name)) {
    throw new Error('name is not valid');
  }
  return stringifyEntityRef(ref);
}

function notAnEntityRef(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return `'${shown}' is not an entity ref ([kind:][namespace/]name)`;
}

/**
 * An entity ref input (`[kind:][namespace/]name`), normalised to
 * `kind:namespace/name`; the kind defaults to `component` (or
 * `defaults.defaultKind`), the namespace to `default`.
 * @public
 */
export function itsmEntityRefSchema(defaults?: ItsmEntityRefDefaults) {
  return z.string().transform((value, ctx) => {
    try {
      return normaliseEntityRef(value, defaults);
    } catch {
      ctx.addIssue({ code: 'custom', message: notAnEntityRef(value) });
      return z.NEVER;
    }
  });
}

/**
 * A list query parameter: repeated (`?a=1&a=2`), comma separated (`?a=1,2`)
 * or both; blanks are dropped.
 * @public
 */
export const itsmListParamSchema = z
  .union([z.string(), z.array(z.string())])
  .transform(v =>
    (Array.isArray(v) ? v : [v])
      .flatMap(s => s.split(','))
      .map(s => s.trim())
      .filter(Boolean),
  );

/**
 * An ISO 8601 instant with an offset, read as epoch milliseconds.
 * @public
 */
export const itsmInstantParamSchema = z.iso
  .datetime({ offset: true })
  .transform(v => Date.parse(v));

/**
 * A calendar date `YYYY-MM-DD` that exists (no 2025-02-30).
 * @public
 */
export const itsmCalendarDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(
    v => {
      const date = new Date(`${v}T00:00:00Z`);
      return !isNaN(date.getTime()) && date.toISOString().startsWith(v);
    },
    { message: 'is not a calendar date' },
  );
