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

import type { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  readItsmDurationMs,
  readItsmSchedule,
} from '@backstage-itsm/plugin-itsm-node';
import type { ServiceNowAuthConfig } from '../client/auth';
import { CHOICE_TARGETS, ChoiceOverrides } from '../provider/choices';
import { checkExtraQuery } from '../client/encodedQuery';
import {
  DEFAULT_OVERLAP_SECONDS,
  DEFAULT_PAGE_SIZE,
  DEFAULT_RECONCILE_EVERY_MS,
} from '../provider/ServiceNowItsmProvider';
import {
  SERVICENOW_TABLES,
  ServiceNowTable,
  TASK_TABLES,
} from '../client/tables';

/** The config key that holds the ServiceNow instances, keyed by id. */
export const SERVICENOW_PROVIDERS_CONFIG_KEY = 'itsm.providers.servicenow';

/** Seconds per request before it counts as timed out, unless configured. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Seconds the ownership facts of a CI are cached, unless configured. */
export const DEFAULT_OWNERSHIP_CACHE_SECONDS = 300;
/** Seconds one request may spend retrying 429s, 5xx and timeouts, unless configured. */
export const DEFAULT_RETRY_BUDGET_SECONDS = 300;
/**
 * Requests per second unless configured. ServiceNow's rate limit rules
 * count per user per hour and are set by the instance's admin, so no
 * default can match them; this one keeps bursts off the instance's API
 * semaphores without slowing a sync against a real instance, where a page
 * takes longer than a tenth of a second.
 */
export const DEFAULT_MAX_REQUESTS_PER_SECOND = 10;

/** One `itsm.providers.servicenow.<id>` block, read and checked. */
export interface ServiceNowInstanceConfig {
  /** The config key, e.g. `corp`. */
  key: string;
  /** `itsm.providers.servicenow.<key>`, for messages. */
  configKey: string;
  /** The provider id, `servicenow:<key>`. */
  id: string;
  /** Without a trailing slash. */
  baseUrl: string;
  auth: ServiceNowAuthConfig;
  schedule?: SchedulerServiceTaskScheduleDefinition;
  tables: ServiceNowTable[];
  query: Partial<Record<ServiceNowTable, string>>;
  pageSize: number;
  overlapSeconds: number;
  displayValue: 'false' | 'all';
  choices: ChoiceOverrides;
  timeoutSeconds: number;
  retryBudgetSeconds: number;
  /** 0 for no limit. */
  maxRequestsPerSecond: number;
  reconcileEveryMs: number;
  acknowledgedAtField?: string;
  ownershipCacheSeconds: number;
}

function invalid(key: string, message: string): never {
  throw new InputError(`Invalid config at ${key}: ${message}`);
}

function readNumber(
  c: Config,
  prefix: string,
  name: string,
  fallback: number,
  { min, max, integer }: { min: number; max: number; integer?: boolean },
): number {
  // getOptionalNumber names the full key when the value is not a number.
  const value = c.getOptionalNumber(name) ?? fallback;
  if (
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    invalid(
      `${prefix}.${name}`,
      `${value} is not ${
        integer ? 'a whole number' : 'a number'
      } from ${min} to ${max}`,
    );
  }
  return value;
}

function readAuth(c: Config, prefix: string): ServiceNowAuthConfig {
  const auth = c.getConfig('auth');
  const type = auth.getString('type');
  if (type === 'basic') {
    return {
      type,
      username: auth.getString('username'),
      password: auth.getString('password'),
    };
  }
  if (type === 'oauth') {
    const username = auth.getOptionalString('username');
    const password = auth.getOptionalString('password');
    if ((username === undefined) !== (password === undefined)) {
      invalid(
        `${prefix}.auth.${username === undefined ? 'username' : 'password'}`,
        'the OAuth password grant needs both username and password; leave both out for client credentials',
      );
    }
    return {
      type,
      clientId: auth.getString('clientId'),
      clientSecret: auth.getString('clientSecret'),
      ...(username !== undefined ? { username, password } : {}),
    };
  }
  return invalid(
    `${prefix}.auth.type`,
    `'${type}' is not an auth type; use basic or oauth`,
  );
}

/**
 * The instance URL. Messages never repeat the configured value: a URL with
 * credentials in it (`https://user:password@...`) is refused, and its
 * password must not reach the log that reports the refusal.
 */
function readBaseUrl(c: Config, prefix: string): string {
  const key = `${prefix}.baseUrl`;
  const raw = c.getString('baseUrl').trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return invalid(
      key,
      'is not an absolute URL, e.g. https://example.service-now.com',
    );
  }
  if (url.username || url.password) {
    invalid(
      key,
      'must not carry credentials (user:password@); set them under auth, where they are kept secret',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    invalid(key, 'must be an http(s) URL');
  }
  if (url.search || url.hash) {
    invalid(
      key,
      `${url.origin}${url.pathname} must not have a query or fragment`,
    );
  }
  return raw.replace(/\/+$/, '');
}

/**
 * Why an extra encoded query would escape the provider's own conditions,
 * which are joined to it with `^` (AND): a leading `NQ` becomes `^NQ` (a
 * new OR-ed query), and `EQ` or `^EQ` ends the query, so whatever follows
 * (the sync window, the order) is dropped.
 */
function queryEscape(query: string): string | undefined {
  if (/^\^?(?:NQ|EQ)/.test(query)) {
    return `must not start with ${
      /^\^?NQ/.test(query) ? 'NQ' : 'EQ'
    } (it would escape the provider's own conditions)`;
  }
  if (/\^EQ/.test(query)) {
    return "must not contain ^EQ (it ends the query, and the provider's own conditions after it would be ignored)";
  }
  return undefined;
}

function readChoices(c: Config, prefix: string): ChoiceOverrides {
  // Read raw: choice codes such as '-5' are not valid config key names.
  const raw = c.getOptional('choices');
  if (raw === undefined) return {};
  const key = `${prefix}.choices`;
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(raw)) invalid(key, 'must be an object keyed by table');
  const overrides: Record<string, Record<string, Record<string, string>>> = {};
  for (const [table, byField] of Object.entries(raw)) {
    const targets = (
      CHOICE_TARGETS as Record<string, Record<string, readonly string[]>>
    )[table];
    if (!targets) {
      invalid(
        `${key}.${table}`,
        `unknown table; choices can be set for ${Object.keys(
          CHOICE_TARGETS,
        ).join(', ')}`,
      );
    }
    if (!isObject(byField))
      invalid(`${key}.${table}`, 'must be an object keyed by field');
    for (const [field, byValue] of Object.entries(byField)) {
      const allowed = targets[field];
      if (!allowed) {
        invalid(
          `${key}.${table}.${field}`,
          `unknown choice field; ${table} has ${Object.keys(targets).join(
            ', ',
          )}`,
        );
      }
      if (!isObject(byValue)) {
        invalid(
          `${key}.${table}.${field}`,
          'must map ServiceNow values to normalised values',
        );
      }
      for (const [value, target] of Object.entries(byValue)) {
        const text = typeof target === 'number' ? String(target) : target;
        if (typeof text !== 'string' || !allowed.includes(text)) {
          invalid(
            `${key}.${table}.${field}.${value}`,
            `${JSON.stringify(target)} is not one of ${allowed.join(', ')}`,
          );
        }
        ((overrides[table] ??= {})[field] ??= {})[value] = text;
      }
    }
  }
  return overrides as ChoiceOverrides;
}

/**
 * Reads `itsm.providers.servicenow.<id>` blocks. Every mistake throws,
 * naming the key at fault, so a broken config fails the backend's start
 * instead of a sync hours later.
 */
export function readServiceNowConfigs(
  config: Config,
): ServiceNowInstanceConfig[] {
  const root = config.getOptionalConfig(SERVICENOW_PROVIDERS_CONFIG_KEY);
  if (!root) {
    return [];
  }
  return root.keys().map(key => {
    const prefix = `${SERVICENOW_PROVIDERS_CONFIG_KEY}.${key}`;
    const c = root.getConfig(key);
    const baseUrl = readBaseUrl(c, prefix);
    const auth = readAuth(c, prefix);

    const schedule = readItsmSchedule(c, prefix);

    const tables = c.getOptionalStringArray('tables') ?? [...SERVICENOW_TABLES];
    tables.forEach((table, index) => {
      if (!(SERVICENOW_TABLES as readonly string[]).includes(table)) {
        invalid(
          `${prefix}.tables[${index}]`,
          `unknown table '${table}', expected one of ${SERVICENOW_TABLES.join(
            ', ',
          )}`,
        );
      }
    });
    if (!tables.some(t => (TASK_TABLES as readonly string[]).includes(t))) {
      invalid(
        `${prefix}.tables`,
        `must list at least one of ${TASK_TABLES.join(', ')}`,
      );
    }

    const query: Partial<Record<ServiceNowTable, string>> = {};
    const queryConfig = c.getOptionalConfig('query');
    for (const table of queryConfig?.keys() ?? []) {
      if (!(SERVICENOW_TABLES as readonly string[]).includes(table)) {
        invalid(
          `${prefix}.query.${table}`,
          `unknown table, expected one of ${SERVICENOW_TABLES.join(', ')}`,
        );
      }
      const text = queryConfig!.getString(table).trim();
      const problem = queryEscape(text) ?? checkExtraQuery(text);
      if (problem) invalid(`${prefix}.query.${table}`, problem);
      if (text) query[table as ServiceNowTable] = text;
    }

    let displayValue: 'false' | 'all' = 'false';
    if (c.has('displayValue')) {
      const raw = c.get('displayValue');
      if (raw === false || raw === 'false') {
        displayValue = 'false';
      } else if (raw === 'all') {
        displayValue = 'all';
      } else {
        invalid(
          `${prefix}.displayValue`,
          `${JSON.stringify(
            raw,
          )} is not supported; use false (default) or all. With true the instance sends date-times in the integration user's time zone and references without sys_ids`,
        );
      }
    }

    const acknowledgedAtField = c.getOptionalString('acknowledgedAtField');
    if (
      acknowledgedAtField !== undefined &&
      !/^[a-z_][a-z0-9_]*$/.test(acknowledgedAtField)
    ) {
      invalid(
        `${prefix}.acknowledgedAtField`,
        `'${acknowledgedAtField}' is not a field name, e.g. u_acknowledged_at`,
      );
    }

    return {
      key,
      configKey: prefix,
      id: `servicenow:${key}`,
      baseUrl,
      auth,
      schedule,
      tables: SERVICENOW_TABLES.filter(t => tables.includes(t)),
      query,
      pageSize: readNumber(c, prefix, 'pageSize', DEFAULT_PAGE_SIZE, {
        min: 2,
        max: 10000,
        integer: true,
      }),
      overlapSeconds: readNumber(
        c,
        prefix,
        'overlapSeconds',
        DEFAULT_OVERLAP_SECONDS,
        { min: 0, max: 86400 },
      ),
      displayValue,
      choices: readChoices(c, prefix),
      timeoutSeconds: readNumber(
        c,
        prefix,
        'timeoutSeconds',
        DEFAULT_TIMEOUT_SECONDS,
        { min: 0.001, max: 3600 },
      ),
      retryBudgetSeconds: readNumber(
        c,
        prefix,
        'retryBudgetSeconds',
        DEFAULT_RETRY_BUDGET_SECONDS,
        { min: 0, max: 86400 },
      ),
      maxRequestsPerSecond: readNumber(
        c,
        prefix,
        'maxRequestsPerSecond',
        DEFAULT_MAX_REQUESTS_PER_SECOND,
        { min: 0, max: 1000 },
      ),
      reconcileEveryMs: readItsmDurationMs(c, 'reconcileEvery', {
        prefix,
        fallback: DEFAULT_RECONCILE_EVERY_MS,
      }),
      acknowledgedAtField,
      ownershipCacheSeconds: readNumber(
        c,
        prefix,
        'ownershipCacheSeconds',
        DEFAULT_OWNERSHIP_CACHE_SECONDS,
        { min: 0, max: 86400 },
      ),
    };
  });
}
