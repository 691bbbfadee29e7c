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
  readItsmDurationMs,
  readItsmSchedule,
} from '@backstage-itsm/plugin-itsm-node';
import {
  checkKeys,
  invalid,
  missing,
  readEntityRef,
  readInstantFormat,
  readPositiveInt,
} from './configHelpers';
import { readCategories, readFieldSpec, readSlas } from './fieldConfig';
import { fingerprintOf } from './fingerprint';
import { DEFAULT_ITSM_INSTANT_FORMAT } from './instants';
import {
  ItsmFieldSpec,
  ItsmMappedField,
  ITSM_MAPPED_FIELDS,
  ITSM_MAPPED_FIELD_TYPES,
  ITSM_REQUIRED_MAPPED_FIELDS,
} from './mapper';
import {
  DEFAULT_ITSM_MAPPED_BATCH_SIZE,
  DEFAULT_ITSM_MAPPED_OVERLAP_MS,
  ItsmMappedSourceModuleOptions,
  ItsmMappedSourceSettings,
} from './settings';
import { readCsv, readRest } from './sourceConfig';

const SOURCE_KEYS = [
  'csv',
  'rest',
  'instantFormat',
  'timeZone',
  'mapping',
  'slas',
  'personalFields',
  'categories',
  'defaultEntityRef',
  'overlap',
  'batchSize',
  'schedule',
];

/**
 * Reads the sources of a module (`<configKey>.<id>`), checking everything a
 * sync would otherwise find out hours later: every mistake throws an error
 * naming the full config key, so the backend does not start.
 * @public
 */
export function readItsmMappedSourceConfigs(
  config: Config,
  options: ItsmMappedSourceModuleOptions & { cwd?: string },
): ItsmMappedSourceSettings[] {
  const root = config.getOptionalConfig(options.configKey);
  if (!root) return [];
  const cwd = options.cwd ?? process.cwd();
  return root.keys().map(id => {
    const key = `${options.configKey}.${id}`;
    const c = root.getConfig(id);
    checkKeys(c, key, SOURCE_KEYS);

    const timeZone = c.getOptionalString('timeZone') ?? 'UTC';
    const instants = readInstantFormat(
      c.getOptionalString('instantFormat'),
      timeZone,
      DEFAULT_ITSM_INSTANT_FORMAT,
      { format: `${key}.instantFormat`, zone: `${key}.timeZone` },
    );

    const hasCsv = c.has('csv');
    const hasRest = c.has('rest');
    if (hasCsv && hasRest) {
      throw invalid(
        `${key}.rest`,
        `a source reads either csv or rest, not both; remove ${key}.csv or ${key}.rest`,
      );
    }
    if (!hasCsv && !hasRest) {
      throw missing(`${key}.csv' or '${key}.rest`);
    }
    const source = hasCsv
      ? readCsv(c.getConfig('csv'), `${key}.csv`, cwd)
      : readRest(c.getConfig('rest'), `${key}.rest`, timeZone);

    const categories = readCategories(c, key, options.categories);
    const context = { instants, categories: Object.keys(categories) };

    if (!c.has('mapping')) throw missing(`${key}.mapping`);
    const m = c.getConfig('mapping');
    checkKeys(m, `${key}.mapping`, ITSM_MAPPED_FIELDS);
    for (const field of ITSM_REQUIRED_MAPPED_FIELDS) {
      if (!m.has(field)) throw missing(`${key}.mapping.${field}`);
    }
    const fields: Partial<Record<ItsmMappedField, ItsmFieldSpec>> = {};
    for (const field of ITSM_MAPPED_FIELDS) {
      if (m.has(field)) {
        fields[field] = readFieldSpec(
          m,
          field,
          `${key}.mapping.${field}`,
          ITSM_MAPPED_FIELD_TYPES[field],
          context,
        );
      }
    }

    const personalFields = c.getOptionalStringArray('personalFields') ?? [];
    personalFields.forEach((field, i) => {
      if (field.trim() === '') {
        throw invalid(`${key}.personalFields[${i}]`, 'must not be empty');
      }
    });

    const defaultEntityRef = c.getOptionalString('defaultEntityRef');

    return {
      key: id,
      configKey: key,
      id: `${options.providerIdPrefix}:${id}`,
      department: options.department,
      source,
      mapping: {
        kind: options.kind,
        fields,
        slas: readSlas(c, key, context),
        personalFields: personalFields.map(f => f.trim()),
        categories,
        defaultEntityRef:
          defaultEntityRef === undefined
            ? undefined
            : readEntityRef(defaultEntityRef, `${key}.defaultEntityRef`),
        categoryTitlePrefix: options.categoryTitlePrefix ?? false,
      },
      overlapMs: readItsmDurationMs(c, 'overlap', {
        prefix: key,
        fallback: DEFAULT_ITSM_MAPPED_OVERLAP_MS,
        allowZero: true,
      }),
      batchSize: readPositiveInt(
        c,
        'batchSize',
        key,
        DEFAULT_ITSM_MAPPED_BATCH_SIZE,
      ),
      schedule: readItsmSchedule(c, key),
      fingerprint: fingerprintOf(c),
    };
  });
}
