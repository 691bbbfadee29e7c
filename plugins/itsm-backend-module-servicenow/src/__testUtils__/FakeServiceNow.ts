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

import type { ServiceNowAuthConfig } from '../client/auth';

/**
 * An in-memory ServiceNow instance for tests and the benchmark: the Table API
 * (`GET /api/now/table/<table>`) with the encoded-query subset the provider
 * uses, paging, `sysparm_fields` with dot-walks, the three value shapes, and
 * `POST /oauth_token.do`. Like a real instance it leaves out fields a table
 * does not have and ignores query terms on unknown fields.
 *
 * Faults of a busy production instance: an answer instead of every Nth
 * request (`faults`), tables that answer 403 or 400 "Invalid table"
 * (`refuse`), and deleted rows, logged in `sys_audit_delete` when
 * `auditDeletes` is on.
 */

/** A row as stored: raw values; references are sys_id strings. */
export type FakeRow = Record<string, string>;

export interface FakeRequest {
  method: string;
  url: URL;
  headers: { get(name: string): string | null };
  body?: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface FakeServiceNowOptions {
  baseUrl?: string;
  /** Reference fields and the tables their sys_ids point into. */
  references?: Record<string, string[]>;
  auth?:
    | Extract<ServiceNowAuthConfig, { type: 'basic' }>
    | (Extract<ServiceNowAuthConfig, { type: 'oauth' }> & {
        expiresIn?: number;
        /** Whether grants also return a refresh token. */
        refreshTokens?: boolean;
      });
  /** Hours the "user time zone" of display values lies behind UTC. */
  displayZoneOffsetHours?: number;
  /**
   * Answers sent instead of every `every`th request (counting every request
   * the fake receives, token requests and retries included, from 1). When
   * several match one request, the first listed wins.
   */
  faults?: FakeFault[];
  /** Whether `delete` logs rows in `sys_audit_delete`, readable like any table. */
  auditDeletes?: boolean;
}

/** An answer the fake sends instead of every `every`th request. */
export interface FakeFault {
  every: number;
  status: number;
  headers?: Record<string, string>;
  /** Default: a Table API error body naming the status. */
  body?: string;
}

/** The table ServiceNow logs deleted records in. */
export const AUDIT_DELETE_TABLE = 'sys_audit_delete';

const DEFAULT_REFERENCES: Record<string, string[]> = {
  task: ['incident', 'change_request', 'problem'],
  sla: ['contract_sla'],
  assignment_group: ['sys_user_group'],
  support_group: ['sys_user_group'],
  assigned_to: ['sys_user'],
  owned_by: ['sys_user'],
  managed_by: ['sys_user'],
  caused_by: ['change_request'],
  problem_id: ['problem'],
  cmdb_ci: ['cmdb_ci', 'cmdb_ci_service'],
  business_service: ['cmdb_ci_service'],
  schedule: ['cmn_schedule'],
};

const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

interface Condition {
  field: string;
  op: string;
  value: string;
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compare(a: string, b: string): number {
  if (/^-?\d+(?:\.\d+)?$/.test(a) && /^-?\d+(?:\.\d+)?$/.test(b)) {
    return Number(a) - Number(b);
  }
  return compareText(a, b);
}

/** Compares values of a field; sys_ids as text, even when all digits. */
function compareField(field: string, a: string, b: string): number {
  return field === 'sys_id' || field.endsWith('.sys_id')
    ? compareText(a, b)
    : compare(a, b);
}

function byUpdatedThenId(a: FakeRow, b: FakeRow): number {
  return (
    compare(a.sys_updated_on ?? '', b.sys_updated_on ?? '') ||
    compareText(a.sys_id ?? '', b.sys_id ?? '')
  );
}

/** `YYYY-MM-DD HH:MM:SS` (UTC) of an instant. */
function dateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

function failure(
  status: number,
  message: string,
  detail: string | null = null,
) {
  return json(status, { error: { message, detail }, status: 'failure' });
}

export class FakeServiceNow {
  readonly baseUrl: string;
  /** Every request received, in order. */
  readonly requests: Array<{ method: string; url: URL }> = [];
  /** Grants of the token requests received. */
  readonly tokenRequests: string[] = [];
  /**
   * Consulted before each request is served: a response returned here is
   * sent instead (faults); it may also change data (updates during a sync).
   */
  onRequest?: (request: FakeRequest, index: number) => FakeResponse | undefined;

  readonly #references: Record<string, string[]>;
  readonly #auth: FakeServiceNowOptions['auth'];
  readonly #zoneMs: number;
  readonly #tables = new Map<string, FakeRow[]>();
  readonly #byId = new Map<string, Map<string, FakeRow>>();
  readonly #schema = new Map<string, Set<string>>();
  readonly #indexes = new Map<string, Map<string, FakeRow[]>>();
  readonly #tokens = new Set<string>();
  readonly #refreshTokens = new Set<string>();
  readonly #faults: FakeFault[];
  readonly #refused = new Map<string, 400 | 403>();
  #tokenCount = 0;
  #auditCount = 0;
  #refusingAuthentication = false;

  constructor(options: FakeServiceNowOptions = {}) {
    this.baseUrl = options.baseUrl ?? 'https://example.service-now.com';
    this.#references = { ...DEFAULT_REFERENCES, ...options.references };
    this.#auth = options.auth;
    this.#zoneMs = (options.displayZoneOffsetHours ?? 7) * 3600_000;
    this.#faults = options.faults ?? [];
    if (options.auditDeletes) {
      this.declare(AUDIT_DELETE_TABLE, [
        'tablename',
        'documentkey',
        'sys_created_on',
      ]);
    }
  }

  /** Faulty answers sent so far (`faults`), by status. */
  readonly faultsSent = new Map<number, number>();

  /** Adds or replaces rows (by sys_id); unknown keys widen the table's schema. */
  put(table: string, rows: FakeRow[]): this {
    const list = this.#tables.get(table) ?? [];
    const byId = this.#byId.get(table) ?? new Map<string, FakeRow>();
    const schema =
      this.#schema.get(table) ?? new Set<string>(['sys_id', 'sys_class_name']);
    for (const row of rows) {
      const copy = { ...row };
      Object.keys(copy).forEach(k => schema.add(k));
      const existing = byId.get(copy.sys_id);
      if (existing) {
        list.splice(list.indexOf(existing), 1);
      }
      byId.set(copy.sys_id, copy);
      list.push(copy);
    }
    list.sort(byUpdatedThenId);
    this.#tables.set(table, list);
    this.#byId.set(table, byId);
    this.#schema.set(table, schema);
    for (const key of [...this.#indexes.keys()]) {
      if (key.startsWith(`${table}.`)) this.#indexes.delete(key);
    }
    return this;
  }

  /** Changes fields of a row, as a user would (sys_updated_on included when given). */
  update(table: string, sysId: string, patch: FakeRow): this {
    const row = this.#byId.get(table)?.get(sysId);
    if (!row) throw new Error(`no ${table} row ${sysId}`);
    return this.put(table, [{ ...row, ...patch }]);
  }

  /** Declares fields a table has even when no row sets them. */
  declare(table: string, fields: string[]): this {
    const schema =
      this.#schema.get(table) ?? new Set<string>(['sys_id', 'sys_class_name']);
    fields.forEach(f => schema.add(f));
    this.#schema.set(table, schema);
    if (!this.#tables.has(table)) {
      this.#tables.set(table, []);
      this.#byId.set(table, new Map());
    }
    return this;
  }

  /** Removes a field from a table, as on an instance that never had it. */
  drop(table: string, field: string): this {
    this.#schema.get(table)?.delete(field);
    for (const row of this.#tables.get(table) ?? []) {
      delete row[field];
    }
    return this;
  }

  rows(table: string): FakeRow[] {
    return this.#tables.get(table) ?? [];
  }

  /**
   * Deletes a row, as a user would; logged in `sys_audit_delete` (at `at`,
   * default now) when the fake has `auditDeletes`.
   */
  delete(table: string, sysId: string, at?: string): this {
    const byId = this.#byId.get(table);
    const row = byId?.get(sysId);
    if (!row) throw new Error(`no ${table} row ${sysId}`);
    byId!.delete(sysId);
    const list = this.#tables.get(table)!;
    list.splice(list.indexOf(row), 1);
    for (const key of [...this.#indexes.keys()]) {
      if (key.startsWith(`${table}.`)) this.#indexes.delete(key);
    }
    if (this.#tables.has(AUDIT_DELETE_TABLE)) {
      const n = ++this.#auditCount;
      this.put(AUDIT_DELETE_TABLE, [
        {
          sys_id: `ad${String(n).padStart(30, '0')}`,
          tablename: table,
          documentkey: sysId,
          sys_created_on: at ?? dateTime(Date.now()),
        },
      ]);
    }
    return this;
  }

  /**
   * Makes a table answer every read with 403 (the integration user lacks
   * the role) or 400 "Invalid table" (as for a table it may not see).
   */
  refuse(table: string, status: 400 | 403): this {
    this.#refused.set(table, status);
    return this;
  }

  /**
   * Makes every table answer 401 whatever the credentials, as an instance
   * does for a user that lost its access (tokens are still issued).
   */
  refuseAuthentication(): this {
    this.#refusingAuthentication = true;
    return this;
  }

  /** Lets a refused table be read again. */
  allow(table: string): this {
    this.#refused.delete(table);
    return this;
  }

  /** Makes every access token issued so far invalid (as if revoked). */
  revokeAccessTokens(): void {
    this.#tokens.clear();
  }

  /** Makes every refresh token issued so far invalid. */
  revokeRefreshTokens(): void {
    this.#refreshTokens.clear();
  }

  /** Table API requests of one table, in order. */
  tableRequests(table?: string): URL[] {
    return this.requests
      .filter(r => r.url.pathname.startsWith('/api/now/table/'))
      .filter(r => !table || r.url.pathname === `/api/now/table/${table}`)
      .map(r => r.url);
  }

  handle(request: FakeRequest): FakeResponse {
    const index = this.requests.length;
    this.requests.push({ method: request.method, url: request.url });
    const fault = this.#faults.find(f => (index + 1) % f.every === 0);
    if (fault) {
      this.faultsSent.set(
        fault.status,
        (this.faultsSent.get(fault.status) ?? 0) + 1,
      );
      return {
        status: fault.status,
        headers: { 'content-type': 'application/json', ...fault.headers },
        body:
          fault.body ??
          JSON.stringify({
            error: { message: `Fault ${fault.status}`, detail: null },
            status: 'failure',
          }),
      };
    }
    const injected = this.onRequest?.(request, index);
    if (injected) return injected;
    const path = request.url.pathname;
    if (path === '/oauth_token.do' && request.method === 'POST') {
      return this.#token(new URLSearchParams(request.body ?? ''));
    }
    const match = /^\/api\/now\/table\/([a-z0-9_]+)$/.exec(path);
    if (!match || request.method !== 'GET') {
      return failure(400, 'Requested URI does not represent any resource');
    }
    const denied = this.#authenticate(request.headers.get('authorization'));
    if (denied) return denied;
    const table = match[1];
    const refused = this.#refused.get(table);
    if (refused === 403) {
      return failure(
        403,
        'User Not Authorized',
        `Insufficient rights to query records of ${table}`,
      );
    }
    if (refused === 400 || !this.#tables.has(table)) {
      return failure(400, `Invalid table ${table}`);
    }
    return json(200, { result: this.#read(table, request.url.searchParams) });
  }

  #authenticate(header: string | null): FakeResponse | undefined {
    const auth = this.#auth;
    const refuse = failure(
      401,
      'User Not Authenticated',
      'Required to provide Auth information',
    );
    if (this.#refusingAuthentication) return refuse;
    if (!auth) return undefined;
    if (auth.type === 'basic') {
      const expected = `Basic ${Buffer.from(
        `${auth.username}:${auth.password}`,
      ).toString('base64')}`;
      return header === expected ? undefined : refuse;
    }
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    return token && this.#tokens.has(token) ? undefined : refuse;
  }

  #token(form: URLSearchParams): FakeResponse {
    const auth = this.#auth;
    const grant = form.get('grant_type') ?? '';
    this.tokenRequests.push(grant);
    if (!auth || auth.type !== 'oauth') {
      return failure(400, 'OAuth is not configured');
    }
    if (
      form.get('client_id') !== auth.clientId ||
      form.get('client_secret') !== auth.clientSecret
    ) {
      return json(401, {
        error_description: 'access_denied',
        error: 'server_error',
      });
    }
    if (grant === 'password') {
      if (
        form.get('username') !== auth.username ||
        form.get('password') !== auth.password
      ) {
        return json(401, {
          error_description: 'access_denied',
          error: 'server_error',
        });
      }
    } else if (grant === 'refresh_token') {
      const refresh = form.get('refresh_token') ?? '';
      if (!this.#refreshTokens.has(refresh)) {
        return json(401, {
          error_description: 'access_denied',
          error: 'server_error',
        });
      }
    } else if (grant !== 'client_credentials') {
      return json(400, {
        error_description: 'unsupported_grant_type',
        error: 'invalid_request',
      });
    }
    const n = ++this.#tokenCount;
    const access = `access-${n}`;
    this.#tokens.add(access);
    const body: Record<string, unknown> = {
      access_token: access,
      scope: 'useraccount',
      token_type: 'Bearer',
      expires_in: auth.expiresIn ?? 1799,
    };
    if (auth.refreshTokens) {
      const refresh =
        grant === 'refresh_token' ? form.get('refresh_token')! : `refresh-${n}`;
      this.#refreshTokens.add(refresh);
      body.refresh_token = refresh;
    }
    return json(200, body);
  }

  #read(table: string, params: URLSearchParams): unknown[] {
    const { groups, orderBy } = this.#parse(
      table,
      params.get('sysparm_query') ?? '',
    );
    let candidates: FakeRow[] | undefined;
    let sorted = false;
    const rest: Condition[][] = [];
    for (const group of groups) {
      const [c] = group;
      if (
        candidates === undefined &&
        group.length === 1 &&
        c.op === 'IN' &&
        c.field === 'sys_id'
      ) {
        const byId = this.#byId.get(table)!;
        candidates = c.value
          .split(',')
          .map(id => byId.get(id))
          .filter((r): r is FakeRow => !!r);
      } else if (
        candidates === undefined &&
        group.length === 1 &&
        c.op === 'IN' &&
        !c.field.includes('.')
      ) {
        const index = this.#index(table, c.field);
        candidates = [...new Set(c.value.split(','))].flatMap(
          v => index.get(v) ?? [],
        );
      } else if (
        candidates === undefined &&
        group.length === 1 &&
        c.field === 'sys_updated_on' &&
        c.op === '>='
      ) {
        const list = this.#tables.get(table)!;
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((list[mid].sys_updated_on ?? '') < c.value) lo = mid + 1;
          else hi = mid;
        }
        candidates = list.slice(lo);
        sorted = true;
      } else {
        rest.push(group);
      }
    }
    if (candidates === undefined) {
      candidates = this.#tables.get(table)!;
      sorted = true;
    }
    let rows = rest.length
      ? candidates.filter(row =>
          rest.every(group => group.some(c => this.#matches(table, row, c))),
        )
      : candidates;
    const natural =
      sorted &&
      orderBy.length === 2 &&
      orderBy[0].field === 'sys_updated_on' &&
      orderBy[1].field === 'sys_id' &&
      !orderBy[0].desc &&
      !orderBy[1].desc;
    if (orderBy.length > 0 && !natural) {
      rows = [...rows].sort((a, b) => {
        for (const o of orderBy) {
          const d = compareField(
            o.field,
            this.#value(table, a, o.field) ?? '',
            this.#value(table, b, o.field) ?? '',
          );
          if (d !== 0) return o.desc ? -d : d;
        }
        return 0;
      });
    }
    const offset = Number(params.get('sysparm_offset') ?? 0);
    const limit = Number(params.get('sysparm_limit') ?? 10000);
    const page = rows.slice(offset, offset + limit);

    const requested = params.get('sysparm_fields');
    const fields = (
      requested ? requested.split(',') : [...this.#schema.get(table)!]
    ).filter(f => this.#hasField(table, f));
    const mode = params.get('sysparm_display_value') ?? 'false';
    const links = params.get('sysparm_exclude_reference_link') !== 'true';
    return page.map(row => {
      const out: Record<string, unknown> = {};
      for (const field of fields) {
        const value = this.#value(table, row, field) ?? '';
        const isRef = !field.includes('.') && field in this.#references;
        const display = () => this.#display(field, value, isRef);
        const link = `${this.baseUrl}/api/now/table/${
          this.#references[field]?.[0]
        }/${value}`;
        if (mode === 'true') {
          out[field] = display();
        } else if (mode === 'all') {
          out[field] = {
            display_value: display(),
            value,
            ...(isRef && value && links ? { link } : {}),
          };
        } else {
          out[field] = isRef && value && links ? { link, value } : value;
        }
      }
      return out;
    });
  }

  #display(field: string, value: string, isRef: boolean): string {
    if (value === '') return '';
    if (isRef) {
      const target = this.#lookup(field, value);
      return target?.row.name ?? target?.row.number ?? value;
    }
    if (DATE_TIME.test(value)) {
      const ms = Date.parse(`${value.replace(' ', 'T')}Z`) - this.#zoneMs;
      return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    }
    return value;
  }

  #lookup(
    field: string,
    id: string,
  ): { table: string; row: FakeRow } | undefined {
    for (const target of this.#references[field] ?? []) {
      const row = this.#byId.get(target)?.get(id);
      if (row) return { table: target, row };
    }
    return undefined;
  }

  #value(table: string, row: FakeRow, field: string): string | undefined {
    const dot = field.indexOf('.');
    if (dot < 0) {
      if (field === 'sys_class_name') return row.sys_class_name ?? table;
      return row[field];
    }
    const head = field.slice(0, dot);
    const target = this.#lookup(head, row[head] ?? '');
    if (!target) return '';
    return this.#value(target.table, target.row, field.slice(dot + 1));
  }

  #hasField(table: string, field: string): boolean {
    const dot = field.indexOf('.');
    if (dot < 0) return this.#schema.get(table)?.has(field) ?? false;
    const head = field.slice(0, dot);
    if (!this.#hasField(table, head) || !(head in this.#references))
      return false;
    return this.#references[head].some(t =>
      this.#hasField(t, field.slice(dot + 1)),
    );
  }

  #index(table: string, field: string): Map<string, FakeRow[]> {
    const key = `${table}.${field}`;
    let index = this.#indexes.get(key);
    if (!index) {
      index = new Map();
      for (const row of this.#tables.get(table)!) {
        const value = row[field] ?? '';
        if (!index.has(value)) index.set(value, []);
        index.get(value)!.push(row);
      }
      this.#indexes.set(key, index);
    }
    return index;
  }

  #parse(table: string, query: string) {
    const groups: Condition[][] = [];
    const orderBy: Array<{ field: string; desc: boolean }> = [];
    for (const raw of query.split('^')) {
      if (raw === '') continue;
      if (raw.startsWith('ORDERBYDESC')) {
        orderBy.push({ field: raw.slice(11), desc: true });
        continue;
      }
      if (raw.startsWith('ORDERBY')) {
        orderBy.push({ field: raw.slice(7), desc: false });
        continue;
      }
      const or = raw.startsWith('OR'); // field names are lower case
      const term = or ? raw.slice(2) : raw;
      const m =
        /^([a-z_][a-z0-9_.]*?)(>=|<=|!=|=|>|<|NOT IN|IN|STARTSWITH|ISNOTEMPTY|ISEMPTY)(.*)$/.exec(
          term,
        );
      // Like an instance, a term on an unknown field is ignored.
      if (!m || !this.#hasField(table, m[1])) continue;
      const condition = { field: m[1], op: m[2], value: m[3] };
      if (or && groups.length > 0) groups[groups.length - 1].push(condition);
      else groups.push([condition]);
    }
    return { groups, orderBy };
  }

  #matches(table: string, row: FakeRow, c: Condition): boolean {
    const value = this.#value(table, row, c.field) ?? '';
    const order = () => compareField(c.field, value, c.value);
    switch (c.op) {
      case '=':
        return value === c.value;
      case '!=':
        return value !== c.value;
      case '>=':
        return order() >= 0;
      case '<=':
        return order() <= 0;
      case '>':
        return order() > 0;
      case '<':
        return order() < 0;
      case 'IN':
        return c.value.split(',').includes(value);
      case 'NOT IN':
        return !c.value.split(',').includes(value);
      case 'STARTSWITH':
        return value.startsWith(c.value);
      case 'ISEMPTY':
        return value === '';
      case 'ISNOTEMPTY':
        return value !== '';
      default:
        return true;
    }
  }
}
