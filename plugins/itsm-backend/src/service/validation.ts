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
import { InputError } from '@backstage/errors';
import { describeValidationError } from '@backstage-itsm/plugin-itsm-common';
import { z } from 'zod';

/** How an entity ref given without a kind or namespace is completed. */
export interface EntityRefDefaults {
  /** Default `component`. */
  defaultKind?: string;
}

/** Longer than any name a catalog stores (Kubernetes' own limit is 63). */
const MAX_ENTITY_NAME_LENGTH = 253;

/**
 * Completes and checks a ref: kind and namespace as the catalog's default
 * validators require them; the name loosely (non-empty, no whitespace, `:`
 * or `/`, bounded), since adopters may relax the catalog's name rules.
 */
function normaliseEntityRef(value: string, defaults?: EntityRefDefaults) {
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
 * Parses an entity ref from request input the same way on every route: the
 * kind defaults to `component` (or `defaults.defaultKind`), the namespace to
 * `default`, and the result is the full ref (`component:default/payments-api`).
 * A ref that does not parse is a 400 naming `field`.
 */
export function parseEntityRefInput(
  value: string,
  field: string,
  defaults?: EntityRefDefaults,
): string {
  try {
    return normaliseEntityRef(value, defaults);
  } catch {
    throw new InputError(`Invalid ${field}: ${notAnEntityRef(value)}`);
  }
}

/**
 * The zod form of {@link parseEntityRefInput}, for query and body schemas:
 * the issue carries the field's path, so `parseInput` names it.
 */
export function entityRefParam(defaults?: EntityRefDefaults) {
  return z.string().transform((value, ctx) => {
    try {
      return normaliseEntityRef(value, defaults);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: notAnEntityRef(value),
      });
      return z.NEVER;
    }
  });
}

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
