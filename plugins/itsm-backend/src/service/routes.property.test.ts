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

/* eslint-disable no-script-url -- hostile input on purpose */

import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import fc from 'fast-check';
import type { Server } from 'node:http';
import request from 'supertest';
import { change, fixtureEntities, incident } from '../__testUtils__/records';
import { itsmPlugin } from '../plugin';

/*
 * Every route of /api/itsm, thrown generated query strings, JSON bodies
 * and path parameters (valid values, near misses and hostile text) by a
 * caller the policy allows everything: never a 5xx, and every 400 names a
 * field of the input. One backend (SQLite) with a few records, an
 * improvement and a held review behind it.
 */

jest.setTimeout(180_000);

/** Runs per route: bounded so the whole file runs in well under a minute. */
const RUNS = 80;

const ENTITY_REFS = [
  'payments-api',
  'component:payments-api',
  'component:default/payments-api',
  'component:default/checkout-web',
  'system:default/payments',
  'group:default/payments',
  'Component:Default/Payments-API',
];

/** Near misses and hostile text for any field. */
const HOSTILE = [
  '',
  ' ',
  '%',
  '%ZZ',
  '%00',
  '\u0000',
  '\u202e',
  '../../etc/passwd',
  'javascript:alert(1)',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  'a'.repeat(3000),
  '1e309',
  '-1',
  '0',
  '1.5',
  'NaN',
  'Infinity',
  'null',
  'true',
  '[]',
  '{}',
  ':',
  '/',
  'component:',
  'a:b:c/d',
  'component:default/',
  '2026-13-45',
  '2026-02-30T00:00:00Z',
  '2026-03-01T00:00:00',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2007-01-01T00:00:00Z',
  '2026-Q5',
  '2026-Q0',
  '2026-00',
  '1970-01',
];

/** Values a field of that name takes when it is right, to get past it. */
const GOOD: Record<string, string[]> = {
  entityRef: ENTITY_REFS,
  ownerRef: ['group:default/payments', 'payments', 'user:default/alice'],
  from: [
    '2026-03-01T00:00:00Z',
    '2026-01-01T00:00:00+02:00',
    '2025-01-01T00:00:00Z',
  ],
  to: ['2026-04-01T00:00:00Z', '2026-03-31T23:59:59.999Z'],
  bucket: ['day', 'week', 'month'],
  metrics: [
    'incident_count',
    'mttr,mtta',
    'incident_count,change_failure_rate',
  ],
  explain: ['incident_count', 'mttr'],
  period: ['2026-Q1', '2026-03', '2025-Q4', '2026-02'],
  format: ['json', 'markdown'],
  kind: ['incident', 'change', 'incident,change'],
  state: ['resolved', 'new,in_progress'],
  priority: ['1', '2,3'],
  providerId: ['push:tools', 'push:tools,sn:test'],
  q: ['502', 'payments'],
  limit: ['1', '10', '100'],
  offset: ['0', '5'],
  cursor: ['abc'],
  order: ['asc', 'desc'],
  sort: ['dueDate', 'priority', 'title'],
  status: ['proposed', 'in_progress,done'],
  department: ['it', 'hr'],
  overdue: ['true', 'false'],
  decisions: ['Raise the pool size'],
  title: ['Halve MTTR'],
};

const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
);

function valueFor(key: string): fc.Arbitrary<string> {
  const good = Object.prototype.hasOwnProperty.call(GOOD, key)
    ? GOOD[key]
    : undefined;
  return good
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...good) }, text)
    : text;
}

/** A pair the route does not know: a stray key, qs syntax, a prototype key. */
const strayPair = fc.tuple(
  fc.oneof(
    fc.string({ maxLength: 10 }),
    fc.constantFrom(
      'entityRef[a]',
      'from[]',
      'metrics[0]',
      '__proto__',
      'constructor',
      'colour',
    ),
  ),
  text,
);

/**
 * `key=value` pairs: mostly the route's own keys (a subset, each once or
 * repeated), with right values mostly; now and then a stray key.
 */
function queryString(keys: string[]): fc.Arbitrary<string> {
  const own =
    keys.length === 0
      ? fc.constant([] as Array<readonly [string, string]>)
      : fc
          .subarray(keys)
          .chain(chosen =>
            fc.tuple(
              ...chosen.map(key =>
                fc
                  .array(valueFor(key), { minLength: 1, maxLength: 2 })
                  .map(values => values.map(value => [key, value] as const)),
              ),
            ),
          )
          .map(groups => groups.flat());
  return fc
    .tuple(
      own,
      fc.oneof(
        { weight: 4, arbitrary: fc.constant([]) },
        fc.array(strayPair, { minLength: 1, maxLength: 2 }),
      ),
    )
    .map(([pairs, stray]) =>
      [...pairs, ...stray]
        .map(
          ([key, value]) =>
            `${
              key.includes('[') ? key : encodeURIComponent(key)
            }=${encodeURIComponent(value)}`,
        )
        .join('&'),
    );
}

/** Any JSON value for a field: right ones mostly, then anything. */
function jsonFor(key: string): fc.Arbitrary<unknown> {
  const good: Record<string, fc.Arbitrary<unknown>> = {
    entityRefs: fc.array(fc.constantFrom(...ENTITY_REFS), { maxLength: 3 }),
    recordIds: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    records: fc.array(
      fc.oneof(
        fc.constant(incident({ externalId: 'prop-1' })),
        fc.constant(change({ externalId: 'prop-2' })),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      { maxLength: 3 },
    ),
    feedback: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 }),
    metric: fc.oneof(
      fc.constant(null),
      fc.record(
        {
          metricId: fc.constantFrom('mttr', 'incident_count', 'nope'),
          target: fc.oneof(fc.double(), fc.integer()),
          windowDays: fc.integer({ min: -5, max: 400 }),
          sustainWeeks: fc.integer({ min: -1, max: 30 }),
          entityRef: fc.constantFrom(...ENTITY_REFS, ':'),
        },
        { requiredKeys: ['metricId', 'target'] },
      ),
    ),
    dueDate: fc.constantFrom('2030-01-01', '2026-02-30', null, 'tomorrow'),
    priority: fc.constantFrom('low', 'medium', 'high', 'critical', 'urgent'),
  };
  // Own keys only: a generated key may be `constructor` or `__proto__`.
  const own = (o: object) => Object.prototype.hasOwnProperty.call(o, key);
  let right: fc.Arbitrary<unknown> | undefined;
  if (own(good)) {
    right = good[key];
  } else if (own(GOOD)) {
    right = fc.constantFrom(...GOOD[key]);
  }
  const anything = fc.oneof(text, fc.jsonValue({ maxDepth: 2 }));
  return right ? fc.oneof({ weight: 3, arbitrary: right }, anything) : anything;
}

/**
 * A JSON body: an object of the route's keys mostly (a subset, right values
 * mostly, now and then a stray key), else any JSON value.
 */
function jsonBody(keys: string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.subarray(keys),
          fc.oneof(
            { weight: 4, arbitrary: fc.constant([] as string[]) },
            fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
          ),
        )
        .chain(([own, stray]) => {
          const all = [...new Set([...own, ...stray])];
          return fc
            .tuple(...all.map(key => jsonFor(key)))
            .map(values =>
              Object.fromEntries(all.map((key, i) => [key, values[i]])),
            );
        }),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
}

/**
 * A valid query of the route, as it is or with one thing changed: a value
 * replaced (by a right one or anything), a key dropped, or a stray pair
 * added. Gets past the first check, to the ones behind it.
 */
function nearValidQuery(valid: string[]): fc.Arbitrary<string> {
  type Pair = [string, string];
  return fc
    .tuple(
      fc.constantFrom(...valid),
      fc.nat(),
      fc.constantFrom('keep', 'replace', 'drop', 'stray'),
      strayPair,
    )
    .chain(([query, index, edit, stray]): fc.Arbitrary<Pair[]> => {
      const pairs = query.split('&').map(pair => pair.split('=') as Pair);
      const at = index % pairs.length;
      if (edit === 'drop') {
        return fc.constant(pairs.filter((_, i) => i !== at));
      }
      if (edit === 'stray') {
        const added: Pair = [
          encodeURIComponent(stray[0]),
          encodeURIComponent(stray[1]),
        ];
        return fc.constant([...pairs, added]);
      }
      if (edit === 'replace') {
        return valueFor(pairs[at][0]).map(value =>
          pairs.map(
            (pair, i): Pair =>
              i === at ? [pair[0], encodeURIComponent(value)] : pair,
          ),
        );
      }
      return fc.constant(pairs);
    })
    .map(pairs => pairs.map(pair => pair.join('=')).join('&'));
}

/** A valid body of the route, as it is or with one field replaced, dropped or added. */
function nearValidBody(valid: object[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      fc.constantFrom(...valid),
      fc.nat(),
      fc.constantFrom('keep', 'replace', 'drop', 'stray'),
      fc.string({ maxLength: 8 }),
    )
    .chain(([body, index, edit, strayKey]) => {
      const keys = Object.keys(body);
      const key = keys[index % keys.length];
      if (edit === 'drop') {
        const { [key]: _dropped, ...rest } = body as Record<string, unknown>;
        return fc.constant<unknown>(rest);
      }
      if (edit === 'stray') {
        return jsonFor(strayKey).map(value => ({ ...body, [strayKey]: value }));
      }
      if (edit === 'replace') {
        return jsonFor(key).map(value => ({ ...body, [key]: value }));
      }
      return fc.constant<unknown>(body);
    });
}

/** A path parameter: a known id, or anything. */
function pathParam(known: string[]): fc.Arbitrary<string> {
  return fc
    .oneof({ weight: 2, arbitrary: fc.constantFrom(...known) }, text)
    .map(value => encodeURIComponent(value))
    .filter(value => value !== '' && value !== '.' && value !== '..');
}

type Method = 'get' | 'post' | 'patch' | 'delete';
interface Route {
  method: Method;
  /** The path, with the generated parameter when it has one. */
  path: (param: string) => string;
  /** Whether the path has a parameter (an id). */
  param?: boolean;
  /** The query keys the route knows. */
  query?: string[];
  /** The body keys the route knows; no body when absent. */
  body?: string[];
  /** Valid queries, mutated one thing at a time as well. */
  valid?: string[];
  /** Valid bodies, mutated one field at a time as well. */
  validBody?: object[];
  /** The caller: most routes are for users, pushes for services. */
  as?: 'service' | 'either';
}

/** How often each route answered each status: `get /metrics 400`. */
const STATUSES: Record<string, number> = {};

describe('every route of /api/itsm, thrown generated input', () => {
  let server: Server;
  const known = {
    records: [] as string[],
    improvements: [] as string[],
    held: [] as string[],
  };

  beforeAll(async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })) as any,
    });
    ({ server } = await startTestBackend({
      features: [
        itsmPlugin,
        permissions.factory,
        catalogServiceMock.factory({
          entities: [
            ...fixtureEntities,
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'System',
              metadata: { name: 'payments', namespace: 'default' },
              spec: { owner: 'payments' },
              relations: [
                {
                  type: 'hasPart',
                  targetRef: 'component:default/payments-api',
                },
              ],
            },
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Group',
              metadata: { name: 'payments', namespace: 'default' },
              spec: { type: 'team', children: [] },
              relations: [
                {
                  type: 'ownerOf',
                  targetRef: 'component:default/payments-api',
                },
              ],
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            itsm: { providers: { push: { tools: { department: 'it' } } } },
          },
        }),
      ],
    }));
    const service = { Authorization: mockCredentials.service.header() };
    const user = {
      Authorization: mockCredentials.user.header('user:default/alice'),
    };
    const opened = '2026-03-02T10:00:00Z';
    await request(server)
      .post('/api/itsm/ingest/push:tools')
      .set(service)
      .send({
        records: [
          change({
            externalId: 'seed-chg',
            openedAt: opened,
            sourceUpdatedAt: opened,
            url: 'https://acme.example/chg',
          }),
          incident({
            externalId: 'seed-inc',
            causedByChange: 'seed-chg',
            openedAt: opened,
            resolvedAt: '2026-03-02T12:00:00Z',
            sourceUpdatedAt: '2026-03-02T12:00:00Z',
            url: 'https://acme.example/inc',
          }),
        ],
      })
      .expect(200);
    const records = await request(server)
      .get('/api/itsm/records?entityRef=payments-api')
      .set(user)
      .expect(200);
    known.records = records.body.items.map((r: { id: string }) => r.id);
    const created = await request(server)
      .post('/api/itsm/improvements')
      .set(user)
      .send({
        title: 'Halve MTTR',
        entityRefs: ['component:default/payments-api'],
        ownerRef: 'group:default/payments',
        metric: { metricId: 'mttr', target: 3600 },
      });
    if (created.status === 201) {
      known.improvements.push(created.body.id);
    }
    const held = await request(server)
      .post('/api/itsm/reviews')
      .set(user)
      .send({ entityRef: 'payments-api', period: '2026-Q1' });
    if (held.status === 201) {
      known.held.push(held.body.held.id);
    }
  });

  const routes: Route[] = [
    { method: 'get', path: () => '/health' },
    {
      method: 'get',
      path: () => '/records',
      query: [
        'entityRef',
        'kind',
        'state',
        'priority',
        'providerId',
        'from',
        'to',
        'q',
        'limit',
        'cursor',
        'order',
      ],
      valid: [
        'entityRef=payments-api',
        'entityRef=payments-api&kind=incident&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&limit=10&order=asc',
        'providerId=push%3Atools&state=resolved&priority=3&q=502',
      ],
    },
    { method: 'get', path: p => `/records/${p}`, param: true },
    { method: 'get', path: () => '/sync', as: 'either' },
    {
      method: 'get',
      path: p => `/sync/${p}/dead-letters`,
      param: true,
      query: ['limit'],
      valid: ['limit=10'],
      as: 'either',
    },
    { method: 'post', path: p => `/sync/${p}`, param: true, as: 'either' },
    {
      method: 'post',
      path: p => `/ingest/${p}`,
      param: true,
      body: ['records', 'feedback'],
      validBody: [
        { records: [incident({ externalId: 'prop-inc' })] },
        {
          records: [change({ externalId: 'prop-chg' })],
          feedback: [
            {
              externalId: 'prop-fb',
              scale: 'csat5',
              score: 4,
              respondedAt: '2026-03-05T00:00:00Z',
              recordExternalId: 'prop-inc',
            },
          ],
        },
      ],
      as: 'service',
    },
    {
      method: 'get',
      path: () => '/ownership',
      query: ['entityRef'],
      valid: [
        'entityRef=payments-api',
        'entityRef=component%3Adefault%2Fcheckout-web',
      ],
    },
    {
      method: 'get',
      path: () => '/metrics',
      query: ['entityRef', 'from', 'to', 'bucket', 'metrics', 'explain'],
      valid: [
        'entityRef=payments-api',
        'entityRef=payments-api&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&bucket=week&metrics=incident_count%2Cmttr&explain=incident_count',
        'entityRef=system%3Adefault%2Fpayments&from=2025-04-01T00:00:00Z&to=2026-04-01T00:00:00Z&bucket=day',
        'entityRef=group%3Adefault%2Fpayments&from=2023-04-01T00:00:00Z&to=2026-04-01T00:00:00Z&bucket=month',
      ],
    },
    {
      method: 'get',
      path: () => '/reviews',
      query: ['entityRef', 'period', 'from', 'to', 'format'],
      valid: [
        'entityRef=payments-api&period=2026-Q1',
        'entityRef=payments-api&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&format=markdown',
        'entityRef=group%3Adefault%2Fpayments&period=2026-03&format=markdown',
      ],
    },
    {
      method: 'post',
      path: () => '/reviews',
      body: ['entityRef', 'period', 'decisions', 'from', 'to'],
      validBody: [
        { entityRef: 'payments-api', period: '2026-02', decisions: 'Hold it' },
        { entityRef: 'system:default/payments', period: '2025-Q4' },
      ],
    },
    {
      method: 'patch',
      path: p => `/reviews/held/${p}`,
      param: true,
      body: ['decisions'],
      validBody: [{ decisions: 'Amended: raise the pool size' }],
    },
    { method: 'delete', path: p => `/reviews/held/${p}`, param: true },
    {
      method: 'get',
      path: () => '/improvements',
      query: [
        'entityRef',
        'ownerRef',
        'status',
        'department',
        'overdue',
        'q',
        'sort',
        'order',
        'limit',
        'offset',
      ],
      valid: [
        'entityRef=payments-api',
        'ownerRef=payments&status=proposed%2Cin_progress&sort=dueDate&order=asc&limit=10&offset=0',
      ],
    },
    { method: 'get', path: p => `/improvements/${p}`, param: true },
    {
      method: 'post',
      path: () => '/improvements',
      body: [
        'title',
        'description',
        'entityRefs',
        'ownerRef',
        'priority',
        'dueDate',
        'recordIds',
        'department',
        'metric',
        'comment',
      ],
      validBody: [
        {
          title: 'Halve MTTR',
          entityRefs: ['payments-api'],
          ownerRef: 'group:default/payments',
          dueDate: '2030-01-01',
          metric: { metricId: 'mttr', target: 3600 },
        },
        {
          title: 'Fewer failed changes',
          entityRefs: ['component:default/payments-api'],
          ownerRef: 'payments',
          priority: 'high',
          comment: 'From the March review',
        },
      ],
    },
    {
      method: 'patch',
      path: p => `/improvements/${p}`,
      param: true,
      body: [
        'title',
        'description',
        'entityRefs',
        'ownerRef',
        'priority',
        'dueDate',
        'recordIds',
        'status',
        'metric',
        'comment',
      ],
      validBody: [
        { status: 'in_progress', comment: 'Started' },
        { title: 'Halve MTTR this year', priority: 'low' },
      ],
    },
    { method: 'delete', path: p => `/improvements/${p}`, param: true },
  ];

  function queryArbitrary(route: Route): fc.Arbitrary<string> {
    const generated = queryString(route.query ?? []);
    return route.valid
      ? fc.oneof(generated, nearValidQuery(route.valid))
      : generated;
  }

  function bodyArbitrary(route: Route): fc.Arbitrary<unknown> {
    if (!route.body) {
      return fc.constant(undefined);
    }
    const generated = jsonBody(route.body);
    return route.validBody
      ? fc.oneof(generated, nearValidBody(route.validBody))
      : generated;
  }

  function callersOf(route: Route): Array<'user' | 'service'> {
    if (route.as === 'service') return ['service'];
    if (route.as === 'either') return ['user', 'service'];
    return ['user'];
  }

  /** Known ids for a route's parameter, filled in once the data is seeded. */
  function knownParams(route: Route): string[] {
    const path = route.path('{}');
    if (path.startsWith('/records/')) return known.records;
    if (path.startsWith('/improvements/')) return known.improvements;
    if (path.startsWith('/reviews/held/')) return known.held;
    return ['push:tools'];
  }

  /**
   * The fields a 400's message names: each name before a `:` (`Invalid
   * query: entityRef: ...`, `...; metric.target: ...`, `Invalid entityRef:
   * ...`), the word after `Invalid` (`Invalid cursor`), and the keys of an
   * `Unrecognized key(s): "colour"` list.
   */
  function namedFields(message: string): string[] {
    const beforeColon = [
      ...message.matchAll(/([\w$]+)(?:\.[\w$]+|\[[^\]]*\])*:/g),
    ].map(m => m[1]);
    const invalid = /^Invalid ([\w$]+)/.exec(message)?.[1];
    const unrecognized = /Unrecognized keys?: (.*)$/.exec(message)?.[1] ?? '';
    return [
      ...beforeColon,
      ...(invalid ? [invalid] : []),
      ...(unrecognized ? [`unrecognized:${unrecognized}`] : []),
    ];
  }

  /**
   * Whether a 400's message names a field of the input: one the route
   * knows or one the input held. A body with none of the route's fields
   * (not an object, or an object of none of them) may be named as a whole
   * (`Invalid body: ...`).
   */
  function namesAField(
    message: string,
    route: Route,
    input: { query: string; body: unknown },
  ): boolean {
    const fields = new Set<string>([
      ...(route.query ?? []),
      ...(route.body ?? []),
    ]);
    const stray: string[] = [];
    for (const pair of input.query.split('&')) {
      const raw = pair.split('=')[0] ?? '';
      let key = raw;
      try {
        key = decodeURIComponent(raw);
      } catch {
        // Not percent-encoded text: the key as sent.
      }
      // qs reads `a[b]=` as the key `a`.
      const stripped = key.replace(/\[.*$/, '');
      fields.add(stripped);
      stray.push(key, stripped);
    }
    const isObject =
      typeof input.body === 'object' &&
      input.body !== null &&
      !Array.isArray(input.body);
    const bodyKeys = isObject ? Object.keys(input.body as object) : [];
    bodyKeys.forEach(key => fields.add(key));
    stray.push(...bodyKeys);

    const named = namedFields(message);
    if (named.some(field => fields.has(field))) {
      return true;
    }
    const unrecognized = named.find(f => f.startsWith('unrecognized:'));
    if (unrecognized && stray.some(key => unrecognized.includes(`"${key}"`))) {
      return true;
    }
    const noRouteField = !bodyKeys.some(key => route.body?.includes(key));
    return (
      route.body !== undefined &&
      noRouteField &&
      /^Invalid body: /.test(message)
    );
  }

  it.each(
    routes.map(
      route =>
        [
          `${route.method.toUpperCase()} ${route.path(':param')}`,
          route,
        ] as const,
    ),
  )('%s: never a 5xx, and every 400 names a field', async (_name, route) => {
    const run = fc.assert(
      fc.asyncProperty(
        queryArbitrary(route),
        bodyArbitrary(route),
        route.param
          ? pathParam(knownParams(route).length ? knownParams(route) : ['x'])
          : fc.constant(''),
        fc.constantFrom(...callersOf(route)),
        async (query, body, param, caller) => {
          const url = `/api/itsm${route.path(param)}${
            query ? `?${query}` : ''
          }`;
          let req = request(server)
            [route.method](url)
            .set(
              'Authorization',
              caller === 'service'
                ? mockCredentials.service.header()
                : mockCredentials.user.header('user:default/alice'),
            );
          if (route.body) {
            req = req
              .set('Content-Type', 'application/json')
              .send(JSON.stringify(body ?? null));
          }
          const res = await req;
          const k = `${route.method} ${route.path(':p')} ${res.status}`;
          STATUSES[k] = (STATUSES[k] ?? 0) + 1;
          const message: string = res.body?.error?.message ?? res.text;
          const context = `${route.method.toUpperCase()} ${url} ${
            route.body ? JSON.stringify(body)?.slice(0, 300) : ''
          } -> ${res.status} ${message.slice(0, 300)}`;
          if (res.status >= 500) {
            throw new Error(`5xx: ${context}`);
          }
          if (res.status === 400) {
            if (!namesAField(message, route, { query, body })) {
              throw new Error(`400 without a field: ${context}`);
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
    // A 5xx or a 400 that names no field rejects, with the counterexample.
    await expect(run).resolves.toBeUndefined();
  });

  it('got past the checks and met bad input on every route that takes input', () => {
    expect(known.records).toHaveLength(2);
    expect(known.improvements).toHaveLength(1);
    expect(known.held).toHaveLength(1);
    const answered = (route: Route, status: RegExp) =>
      Object.entries(STATUSES).some(
        ([key, count]) =>
          key.startsWith(`${route.method} ${route.path(':p')} `) &&
          status.test(key.split(' ').pop()!) &&
          count > 0,
      );
    const missing = routes.flatMap(route => {
      const name = `${route.method} ${route.path(':p')}`;
      const gaps: string[] = [];
      if (!answered(route, /^2\d\d$/)) gaps.push(`${name}: no 2xx`);
      if ((route.query || route.body) && !answered(route, /^400$/)) {
        gaps.push(`${name}: no 400`);
      }
      return gaps;
    });
    expect(missing).toEqual([]);
  });
});
