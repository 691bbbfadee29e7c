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

import type { Config } from '@backstage/config';
import {
  ITSM_RECORD_STATES,
  ITSM_SLA_STAGES,
} from '@backstage-itsm/plugin-itsm-common';
import {
  checkKeys,
  invalid,
  missing,
  quoted,
  readEntityRef,
  readInstantFormat,
  readMap,
} from './configHelpers';
import type { ItsmInstantFormat } from './instants';
import type {
  ItsmCategoryDefinition,
  ItsmFieldSpec,
  ItsmFieldType,
  ItsmSlaSpec,
} from './mapper';
import { parseTemplate } from './template';

const FIELD_KEYS = ['from', 'template', 'value', 'values', 'format', 'zone'];
const SLA_KEYS = [
  'name',
  'kind',
  'stage',
  'breached',
  'target',
  'elapsed',
  'unit',
  'startAt',
  'endAt',
  'breachAt',
];
const SLA_UNITS: Record<string, number> = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86400,
};
const CATEGORY_KEYS = ['entityRef', 'label'];
const ID_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Checks one value of a value map against the field's type. */
function checkMappedValue(
  type: ItsmFieldType,
  value: unknown,
  key: string,
  categories: ReadonlyArray<string>,
): string | number | boolean {
  const allowed = (list: ReadonlyArray<string>, what: string) => {
    if (typeof value !== 'string' || !list.includes(value)) {
      throw invalid(
        key,
        `${JSON.stringify(value)} is not ${what}; expected one of ${quoted(
          list,
        )}`,
      );
    }
    return value;
  };
  switch (type) {
    case 'state':
      return allowed(ITSM_RECORD_STATES, 'a record state');
    case 'slaStage':
      return allowed(ITSM_SLA_STAGES, 'an SLA stage');
    case 'category':
      return allowed(categories, 'a category');
    case 'priority': {
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 5) {
        throw invalid(
          key,
          `${JSON.stringify(
            value,
          )} is not a priority; expected 1 (highest) to 5`,
        );
      }
      return n;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw invalid(key, `${JSON.stringify(value)} is not true or false`);
    case 'text':
      if (typeof value === 'string' || typeof value === 'number') {
        return String(value);
      }
      throw invalid(key, 'must be text');
    default:
      throw invalid(key, `value maps do not apply to ${type} fields`);
  }
}

/**
 * Reads one field: a source field name, a template (text fields, any value
 * with `{`), or `{ from | template | value, values?, format?, zone? }`.
 */
export function readFieldSpec(
  parent: Config,
  name: string,
  key: string,
  type: ItsmFieldType,
  context: { instants: ItsmInstantFormat; categories: ReadonlyArray<string> },
): ItsmFieldSpec {
  const raw = parent.getOptional(name);
  const parseTemplateAt = (text: string, at: string) => {
    if (type !== 'text') {
      throw invalid(
        at,
        `templates apply to text fields only, not to ${type} fields; name one source field`,
      );
    }
    try {
      return parseTemplate(text);
    } catch (error) {
      throw invalid(at, `template '${text}': ${(error as Error).message}`);
    }
  };
  const instantFormat = (format?: string, zone?: string) =>
    type === 'instant'
      ? readInstantFormat(format, zone, context.instants, {
          format: `${key}.format`,
          zone: `${key}.zone`,
        })
      : undefined;

  if (typeof raw === 'string') {
    if (raw.trim() === '') throw invalid(key, 'must not be empty');
    return {
      type,
      source: raw.includes('{')
        ? { template: parseTemplateAt(raw, key) }
        : { from: raw.trim() },
      format: instantFormat(),
    };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(
      key,
      'must be a source field name, a template, or an object with from, template or value',
    );
  }
  const c = parent.getConfig(name);
  checkKeys(c, key, FIELD_KEYS);
  const present = ['from', 'template', 'value'].filter(k => c.has(k));
  if (present.length !== 1) {
    throw invalid(
      key,
      `set exactly one of 'from', 'template' and 'value'${
        present.length ? `, not ${quoted(present)}` : ''
      }`,
    );
  }
  let source: ItsmFieldSpec['source'];
  if (c.has('from')) {
    const from = c.getString('from').trim();
    if (!from) throw invalid(`${key}.from`, 'must not be empty');
    source = { from };
  } else if (c.has('template')) {
    source = {
      template: parseTemplateAt(c.getString('template'), `${key}.template`),
    };
  } else {
    const value = c.get('value');
    if (
      typeof value !== 'string' &&
      typeof value !== 'number' &&
      typeof value !== 'boolean'
    ) {
      throw invalid(`${key}.value`, 'must be a string or number');
    }
    source = { value };
  }

  let values: Map<string, string | number | boolean> | undefined;
  if (c.has('values')) {
    values = new Map();
    for (const [sourceValue, target] of Object.entries(
      readMap(c, 'values', key),
    )) {
      values.set(
        sourceValue,
        checkMappedValue(
          type,
          target,
          `${key}.values.${sourceValue}`,
          context.categories,
        ),
      );
    }
  }
  if (type !== 'instant' && (c.has('format') || c.has('zone'))) {
    throw invalid(
      `${key}.${c.has('format') ? 'format' : 'zone'}`,
      'applies to instant fields only',
    );
  }
  return {
    type,
    source,
    values,
    format: instantFormat(
      c.getOptionalString('format'),
      c.getOptionalString('zone'),
    ),
  };
}

export function readCategories(
  c: Config,
  key: string,
  defaults: Readonly<Record<string, ItsmCategoryDefinition>>,
): Record<string, ItsmCategoryDefinition> {
  const categories: Record<string, ItsmCategoryDefinition> = {};
  for (const [id, definition] of Object.entries(defaults)) {
    categories[id] = { ...definition };
  }
  const section = c.getOptionalConfig('categories');
  for (const id of section?.keys() ?? []) {
    const at = `${key}.categories.${id}`;
    if (!ID_PATTERN.test(id)) {
      throw invalid(
        at,
        `'${id}' is not a category id; use lower-case letters, digits and '_', e.g. leave_request`,
      );
    }
    const entry = section!.getConfig(id);
    checkKeys(entry, at, CATEGORY_KEYS);
    const entityRef = entry.getOptionalString('entityRef');
    const label = entry.getOptionalString('label');
    if (label !== undefined && label.trim() === '') {
      throw invalid(`${at}.label`, 'must not be empty');
    }
    categories[id] = {
      label:
        label?.trim() ??
        categories[id]?.label ??
        id.charAt(0).toUpperCase() + id.slice(1).replace(/_/g, ' '),
      entityRef:
        entityRef !== undefined
          ? readEntityRef(entityRef, `${at}.entityRef`)
          : categories[id]?.entityRef,
    };
  }
  return categories;
}

export function readSlas(
  c: Config,
  key: string,
  context: { instants: ItsmInstantFormat; categories: ReadonlyArray<string> },
): ItsmSlaSpec[] {
  const section = c.getOptionalConfig('slas');
  return (section?.keys() ?? []).map(id => {
    const at = `${key}.slas.${id}`;
    const s = section!.getConfig(id);
    checkKeys(s, at, SLA_KEYS);
    const kind = s.getOptionalString('kind');
    if (kind === undefined) throw missing(`${at}.kind`);
    if (kind !== 'response' && kind !== 'resolution') {
      throw invalid(
        `${at}.kind`,
        `'${kind}' is not 'response' or 'resolution'`,
      );
    }
    if (!s.has('stage')) throw missing(`${at}.stage`);
    const unit = s.getOptionalString('unit') ?? 'seconds';
    if (!SLA_UNITS[unit]) {
      throw invalid(
        `${at}.unit`,
        `'${unit}' is not one of ${quoted(Object.keys(SLA_UNITS))}`,
      );
    }
    const field = (name: string, type: ItsmFieldType) =>
      s.has(name)
        ? readFieldSpec(s, name, `${at}.${name}`, type, context)
        : undefined;
    const nameText = s.getOptionalString('name');
    let name;
    if (nameText !== undefined) {
      try {
        name = parseTemplate(nameText);
      } catch (error) {
        throw invalid(`${at}.name`, (error as Error).message);
      }
    }
    return {
      id,
      name,
      kind,
      stage: field('stage', 'slaStage')!,
      breached: field('breached', 'boolean'),
      target: field('target', 'number'),
      elapsed: field('elapsed', 'number'),
      unitSeconds: SLA_UNITS[unit],
      startAt: field('startAt', 'instant'),
      endAt: field('endAt', 'instant'),
      breachAt: field('breachAt', 'instant'),
    };
  });
}
