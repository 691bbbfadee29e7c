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

import * as path from 'node:path';
import type { Config } from '@backstage/config';
import { readItsmDurationMs } from '@backstage-itsm/plugin-itsm-node';
import {
  checkKeys,
  invalid,
  missing,
  quoted,
  readInstantFormat,
  readPositiveInt,
  readStringMap,
} from './configHelpers';
import { DEFAULT_ITSM_INSTANT_FORMAT } from './instants';
import {
  DEFAULT_ITSM_REST_PAGE_SIZE,
  DEFAULT_ITSM_REST_RETRY_BUDGET_MS,
  DEFAULT_ITSM_REST_TIMEOUT_MS,
  ItsmCsvSourceSettings,
  ItsmRestPagination,
  ItsmRestSourceSettings,
} from './settings';

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
const HEADER_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function readCsv(
  c: Config,
  key: string,
  cwd: string,
): ItsmCsvSourceSettings {
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
  const pageSize = () =>
    readPositiveInt(p, 'pageSize', at, DEFAULT_ITSM_REST_PAGE_SIZE);
  switch (type) {
    case 'offset':
      return {
        type,
        pageSize: pageSize(),
        limitParam: param('limitParam', 'limit'),
        offsetParam: param('offsetParam', 'offset'),
      };
    case 'page':
      return {
        type,
        pageSize: pageSize(),
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

export function readRest(
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
    timeoutMs: readItsmDurationMs(c, 'timeout', {
      prefix: key,
      fallback: DEFAULT_ITSM_REST_TIMEOUT_MS,
    }),
    retryBudgetMs: readItsmDurationMs(c, 'retryBudget', {
      prefix: key,
      fallback: DEFAULT_ITSM_REST_RETRY_BUDGET_MS,
      allowZero: true,
    }),
    ...(maxRequestsPerSecond !== undefined ? { maxRequestsPerSecond } : {}),
  };
}
