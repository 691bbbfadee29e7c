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

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  ItsmRecordKind,
  ITSM_RECORD_STATES,
  ITSM_SLA_STAGES,
} from '@backstage-itsm/plugin-itsm-common';
import { Duration } from 'luxon';
import { DEFAULT_ITSM_HTTP_RETRY_BUDGET_MS } from '@backstage-itsm/plugin-itsm-node';
import {
  checkItsmInstantFormat,
  DEFAULT_ITSM_INSTANT_FORMAT,
  ItsmInstantFormat,
} from './instants';
import {
  ItsmCategoryDefinition,
  ItsmFieldSpec,
  ItsmFieldType,
  ItsmMappedField,
  ItsmRecordMapping,
  ItsmSlaSpec,
  ITSM_MAPPED_FIELDS,
  ITSM_MAPPED_FIELD_TYPES,
  ITSM_REQUIRED_MAPPED_FIELDS,
} from './mapper';
import { parseTemplate } from './template';

/** Most records per batch, unless configured. @public */
export const DEFAULT_ITSM_MAPPED_BATCH_SIZE = 500;
/** How far before the watermark a sync reads again, unless configured. @public */
export const DEFAULT_ITSM_MAPPED_OVERLAP_MS = 5 * 60_000;
/** Per REST request, unless configured. @public */
export const DEFAULT_ITSM_REST_TIMEOUT_MS = 30_000;
/** How long one REST request may keep retrying, unless configured: 5 minutes. @public */
export const DEFAULT_ITSM_REST_RETRY_BUDGET_MS =
  DEFAULT_ITSM_HTTP_RETRY_BUDGET_MS;
/** Items per REST page, unless configured. @public */
export const DEFAULT_ITSM_REST_PAGE_SIZE = 100;

/**
 * What a module using config-driven sources fixes: where its config lives,
 * the provider ids, department and kind of its records, and its categories.
 * @public
 */
export interface ItsmMappedSourceModuleOptions {
  /** The config key holding the sources by id, e.g. `itsm.hr.sources`. */
  configKey: string;
  /** Provider ids are `<prefix>:<id>`, e.g. `hr`. */
  providerIdPrefix: string;
  department: string;
  kind: ItsmRecordKind;
  /** The module's categories by id, with their default entities. */
  categories: Readonly<Record<string, ItsmCategoryDefinition>>;
  /** Start every title with its category's label (`Onboarding: ...`). */
  categoryTitlePrefix?: boolean;
}

/** Where a CSV source reads. @public */
export interface ItsmCsvSourceSettings {
  type: 'csv';
  /** Absolute path of a file or folder. */
  path: string;
  delimiter: string;
  /**
   * The export holds every record of the source (a snapshot): a stored
   * record that a complete read of a changed export no longer finds was
   * deleted at the source. Default false.
   */
  fullExport?: boolean;
}

/** How a REST source pages. @public */
export type ItsmRestPagination =
  | { type: 'none' }
  | {
      type: 'offset';
      pageSize: number;
      limitParam: string;
      offsetParam: string;
    }
  | {
      type: 'page';
      pageSize: number;
      limitParam: string;
      pageParam: string;
      firstPage: number;
    }
  | { type: 'next'; nextPath: string; nextParam?: string };

/** Where and how a REST source reads. @public */
export interface ItsmRestSourceSettings {
  type: 'rest';
  url: string;
  /** Headers that are not secret, sent to any host a request reaches. */
  headers: Record<string, string>;
  /**
   * The auth header, if any: sent only to the origin of `url`, never to a
   * host a redirect leads to.
   */
  credentials?: Record<string, string>;
  query: Record<string, string>;
  itemsPath?: string;
  pagination: ItsmRestPagination;
  updatedSinceParam?: string;
  updatedSinceFormat: ItsmInstantFormat;
  timeoutMs: number;
  /** How long one request may keep retrying 429s, 5xx and network errors. */
  retryBudgetMs: number;
  /** Request starts per second; undefined for no limit. */
  maxRequestsPerSecond?: number;
}

/** One source, read and checked from config. @public */
export interface ItsmMappedSourceSettings {
  /** The key under the module's config key, e.g. `workday`. */
  key: string;
  /** The full config key, e.g. `itsm.hr.sources.workday`, for messages. */
  configKey: string;
  /** The provider id, e.g. `hr:workday`. */
  id: string;
  department: string;
  source: ItsmCsvSourceSettings | ItsmRestSourceSettings;
  mapping: ItsmRecordMapping;
  overlapMs: number;
  batchSize: number;
  schedule?: SchedulerServiceTaskScheduleDefinition;
  /**
   * A hash of everything that decides which records come out (not the
   * credentials or schedule): when it changes, the next sync reads
   * everything again.
   */
  fingerprint: string;
}

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
const CSV_KEYS = ['path', 'delimiter', 'fullExport'];
const REST_KEYS = [
  'url',
  'headers',
  'auth',
  'query',
  'itemsPath',
  'pagination',
  'updatedSinceParam',
  'updatedSinceFormat',
  'timeout',
  'retryBudget',
  'maxRequestsPerSecond',
];
const AUTH_KEYS = ['header', 'value', 'username', 'password'];
const PAGINATION_TYPES = ['none', 'offset', 'page', 'next'];
const PAGINATION_KEYS: Record<string, string[]> = {
  none: ['type'],
  offset: ['type', 'pageSize', 'limitParam', 'offsetParam'],
  page: ['type', 'pageSize', 'limitParam', 'pageParam', 'firstPage'],
  next: ['type', 'nextPath', 'nextParam'],
};
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
const HEADER_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function invalid(key: string, message: string): InputError {
  return new InputError(`Invalid config at ${key}: ${message}`);
}

function missing(key: string): InputError {
  return new InputError(`Missing required config value at '${key}'`);
}

function quoted(values: ReadonlyArray<string>): string {
  return values.map(v => `'${v}'`).join(', ');
}

/** Throws, naming the key, when a config object has keys it does not know. */
function checkKeys(c: Config, key: string, allowed: ReadonlyArray<string>) {
  for (const k of c.keys()) {
    if (!allowed.includes(k)) {
      throw invalid(
        `${key}.${k}`,
        `unknown key; expected one of ${quoted(allowed)}`,
      );
    }
  }
}

/** A JSON object of arbitrary keys (value maps, headers): read raw, since such keys need not be valid config key names. */
function readMap(
  c: Config,
  name: string,
  key: string,
): Record<string, unknown> {
  const raw = c.getOptional(name);
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(`${key}.${name}`, 'must be an object');
  }
  return raw as Record<string, unknown>;
}

function readStringMap(
  c: Config,
  name: string,
  key: string,
): Record<string, string> {
  const map = readMap(c, name, key);
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw invalid(`${key}.${name}.${k}`, 'must be a string');
    }
    map[k] = String(v);
  }
  return map as Record<string, string>;
}

function readPositiveInt(
  c: Config,
  name: string,
  key: string,
  fallback: number,
  min = 1,
): number {
  const value = c.getOptionalNumber(name);
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw invalid(
      `${key}.${name}`,
      `must be a whole number of at least ${min}`,
    );
  }
  return value;
}

function readDurationMs(
  c: Config,
  name: string,
  key: string,
  fallback: number,
): number {
  if (!c.has(name)) return fallback;
  let ms: number;
  try {
    ms = Duration.fromObject(readDurationFromConfig(c, { key: name })).as(
      'milliseconds',
    );
  } catch (error) {
    throw new InputError(`Invalid config at ${key}.${name}`, error);
  }
  if (!(ms >= 0) || !Number.isFinite(ms)) {
    throw invalid(
      `${key}.${name}`,
      'must be a duration such as 30s or { seconds: 30 }',
    );
  }
  return ms;
}

function readEntityRef(value: string, key: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(value, { defaultNamespace: 'default' }),
    );
  } catch (error) {
    throw invalid(
      key,
      `'${value}' is not an entity ref like component:default/employee-onboarding (${
        (error as Error).message
      })`,
    );
  }
}

function readInstantFormat(
  format: string | undefined,
  zone: string | undefined,
  fallback: ItsmInstantFormat,
  keys: { format: string; zone: string },
): ItsmInstantFormat {
  const result = {
    format: format ?? fallback.format,
    zone: zone ?? fallback.zone,
  };
  // The zone first, with a format that cannot fail, to name the right key.
  const zoneProblem = checkItsmInstantFormat({
    format: 'iso',
    zone: result.zone,
  });
  if (zoneProblem) throw invalid(keys.zone, zoneProblem);
  const formatProblem = checkItsmInstantFormat(result);
  if (formatProblem) throw invalid(keys.format, formatProblem);
  return result;
}

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
function readFieldSpec(
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

function readCategories(
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

function readSlas(
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

function readCsv(c: Config, key: string, cwd: string): ItsmCsvSourceSettings {
  checkKeys(c, key, CSV_KEYS);
  const rawPath = c.getString('path');
  if (rawPath.trim() === '') throw invalid(`${key}.path`, 'must not be empty');
  const delimiter = c.getOptionalString('delimiter') ?? ',';
  if (delimiter === '' || /[\r\n"]/.test(delimiter)) {
    throw invalid(
      `${key}.delimiter`,
      'must be a character such as , ; or a tab, not a quote or line break',
    );
  }
  return {
    type: 'csv',
    path: path.resolve(cwd, rawPath),
    delimiter,
    fullExport: c.getOptionalBoolean('fullExport') ?? false,
  };
}

function readPagination(c: Config, key: string): ItsmRestPagination {
  const p = c.getOptionalConfig('pagination');
  if (!p) return { type: 'none' };
  const at = `${key}.pagination`;
  const type = p.getOptionalString('type');
  if (type === undefined) throw missing(`${at}.type`);
  if (!PAGINATION_TYPES.includes(type)) {
    throw invalid(
      `${at}.type`,
      `unknown pagination '${type}'; expected one of ${quoted(
        PAGINATION_TYPES,
      )}`,
    );
  }
  checkKeys(p, at, PAGINATION_KEYS[type]);
  const param = (name: string, fallback: string) => {
    const value = p.getOptionalString(name) ?? fallback;
    if (value.trim() === '')
      throw invalid(`${at}.${name}`, 'must not be empty');
    return value;
  };
  switch (type) {
    case 'offset':
      return {
        type,
        pageSize: readPositiveInt(
          p,
          'pageSize',
          at,
          DEFAULT_ITSM_REST_PAGE_SIZE,
        ),
        limitParam: param('limitParam', 'limit'),
        offsetParam: param('offsetParam', 'offset'),
      };
    case 'page':
      return {
        type,
        pageSize: readPositiveInt(
          p,
          'pageSize',
          at,
          DEFAULT_ITSM_REST_PAGE_SIZE,
        ),
        limitParam: param('limitParam', 'limit'),
        pageParam: param('pageParam', 'page'),
        firstPage: readPositiveInt(p, 'firstPage', at, 1, 0),
      };
    case 'next': {
      const nextPath = p.getOptionalString('nextPath');
      if (nextPath === undefined) throw missing(`${at}.nextPath`);
      if (nextPath.trim() === '') {
        throw invalid(`${at}.nextPath`, 'must not be empty');
      }
      const nextParam = p.getOptionalString('nextParam');
      return {
        type,
        nextPath,
        nextParam: nextParam === undefined ? undefined : param('nextParam', ''),
      };
    }
    default:
      return { type: 'none' };
  }
}

function readRest(
  c: Config,
  key: string,
  timeZone: string,
): ItsmRestSourceSettings {
  if (c.has('maxAttempts')) {
    // Requests are retried for a time now, not a number of times.
    throw invalid(
      `${key}.maxAttempts`,
      `no longer supported: a request is retried for a time, not a number of times; remove it and set ${key}.retryBudget (default 5 minutes) if the default does not suit`,
    );
  }
  checkKeys(c, key, REST_KEYS);
  const url = c.getString('url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`${key}.url`, `'${url}' is not an absolute URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalid(
      `${key}.url`,
      `'${url}' must be an http or https URL, not ${parsed.protocol}`,
    );
  }
  if (parsed.username || parsed.password) {
    throw invalid(
      `${key}.url`,
      `credentials do not belong in the URL; use ${key}.auth`,
    );
  }

  const headers = readStringMap(c, 'headers', key);
  for (const name of Object.keys(headers)) {
    if (!HEADER_PATTERN.test(name)) {
      throw invalid(`${key}.headers.${name}`, `'${name}' is not a header name`);
    }
  }
  let credentials: Record<string, string> | undefined;
  const auth = c.getOptionalConfig('auth');
  if (auth) {
    const at = `${key}.auth`;
    checkKeys(auth, at, AUTH_KEYS);
    const value = auth.getOptionalString('value');
    const username = auth.getOptionalString('username');
    const password = auth.getOptionalString('password');
    const header = auth.getOptionalString('header') ?? 'Authorization';
    if (!HEADER_PATTERN.test(header)) {
      throw invalid(`${at}.header`, `'${header}' is not a header name`);
    }
    if (
      value !== undefined &&
      (username !== undefined || password !== undefined)
    ) {
      throw invalid(at, 'set either value, or username and password, not both');
    }
    if (value !== undefined) {
      credentials = { [header]: value };
    } else if (username !== undefined || password !== undefined) {
      if (username === undefined) throw missing(`${at}.username`);
      if (password === undefined) throw missing(`${at}.password`);
      credentials = {
        [header]: `Basic ${Buffer.from(`${username}:${password}`).toString(
          'base64',
        )}`,
      };
    } else {
      throw missing(`${at}.value`);
    }
  }

  const query = readStringMap(c, 'query', key);
  const itemsPath = c.getOptionalString('itemsPath');
  const updatedSinceParam = c.getOptionalString('updatedSinceParam');
  if (updatedSinceParam !== undefined && updatedSinceParam.trim() === '') {
    throw invalid(`${key}.updatedSinceParam`, 'must not be empty');
  }
  let maxRequestsPerSecond: number | undefined;
  if (c.has('maxRequestsPerSecond')) {
    maxRequestsPerSecond = c.getNumber('maxRequestsPerSecond');
    if (!(maxRequestsPerSecond > 0) || !Number.isFinite(maxRequestsPerSecond)) {
      throw invalid(
        `${key}.maxRequestsPerSecond`,
        'must be a number above 0, e.g. 5 or 0.5',
      );
    }
  }
  return {
    type: 'rest',
    url: parsed.toString(),
    headers,
    ...(credentials ? { credentials } : {}),
    query,
    itemsPath: itemsPath?.trim() || undefined,
    pagination: readPagination(c, key),
    updatedSinceParam,
    updatedSinceFormat: readInstantFormat(
      c.getOptionalString('updatedSinceFormat'),
      timeZone,
      DEFAULT_ITSM_INSTANT_FORMAT,
      {
        format: `${key}.updatedSinceFormat`,
        zone: `${key}.updatedSinceFormat`,
      },
    ),
    timeoutMs: readDurationMs(c, 'timeout', key, DEFAULT_ITSM_REST_TIMEOUT_MS),
    retryBudgetMs: readDurationMs(
      c,
      'retryBudget',
      key,
      DEFAULT_ITSM_REST_RETRY_BUDGET_MS,
    ),
    ...(maxRequestsPerSecond !== undefined ? { maxRequestsPerSecond } : {}),
  };
}

/** JSON with object keys sorted, so equal configs hash equal. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(
        k =>
          `${JSON.stringify(k)}:${stableJson(
            (value as Record<string, unknown>)[k],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fingerprintOf(c: Config): string {
  const raw = c.get() as Record<string, unknown>;
  const rest = raw.rest as Record<string, unknown> | undefined;
  const csv = raw.csv as Record<string, unknown> | undefined;
  const relevant: Record<string, unknown> = {
    ...raw,
    schedule: undefined,
    batchSize: undefined,
    rest: rest && {
      ...rest,
      auth: undefined,
      headers: undefined,
      timeout: undefined,
      // No longer read, but part of every fingerprint written so far.
      maxAttempts: undefined,
    },
  };
  // Keys added later are left out, not nulled, so fingerprints stay as they were.
  if (rest) {
    relevant.rest = without(relevant.rest, [
      'retryBudget',
      'maxRequestsPerSecond',
    ]);
  }
  if (csv) relevant.csv = without(csv, ['fullExport']);
  return createHash('sha1').update(stableJson(relevant)).digest('hex');
}

function without(value: unknown, keys: string[]): Record<string, unknown> {
  const copy = { ...(value as Record<string, unknown>) };
  for (const key of keys) delete copy[key];
  return copy;
}

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
    let schedule: SchedulerServiceTaskScheduleDefinition | undefined;
    if (c.has('schedule')) {
      try {
        schedule = readSchedulerServiceTaskScheduleDefinitionFromConfig(
          c.getConfig('schedule'),
        );
      } catch (error) {
        throw new InputError(`Invalid config at ${key}.schedule`, error);
      }
    }

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
      overlapMs: readDurationMs(
        c,
        'overlap',
        key,
        DEFAULT_ITSM_MAPPED_OVERLAP_MS,
      ),
      batchSize: readPositiveInt(
        c,
        'batchSize',
        key,
        DEFAULT_ITSM_MAPPED_BATCH_SIZE,
      ),
      schedule,
      fingerprint: fingerprintOf(c),
    };
  });
}
