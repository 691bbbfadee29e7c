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

import { ITSM_NO_SOURCE_CONNECTED } from '@backstage-itsm/plugin-itsm-common';
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  A,
  B,
  DAY,
  HOUR,
  MetricsHarness,
  T0,
  W,
} from '../__testUtils__/metricsHarness';
import {
  CoverageSource,
  coveringByAnnotation,
  filterAdmits,
  scopeEntityOf,
} from './coverage';

jest.setTimeout(120_000);

const databaseIds = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...databaseIds] });
const unsupported = databaseIds.filter(id => !databases.supports(id));
if (unsupported.length > 0) {
  describe.each(unsupported)('coverage on %s', () => {
    it.todo('needs a database server: set its connection string to run');
  });
}

const SN_ANNOTATION = 'servicenow.com/ci-sysid';
const PD_ANNOTATION = 'pagerduty.com/service-id';
const HR_ANNOTATION = 'hr.example.com/queue';

const servicenow: CoverageSource = {
  id: 'sn:corp',
  department: 'it',
  kinds: ['incident', 'change', 'problem'],
  mapsOnAnnotations: [SN_ANNOTATION, 'servicenow.com/entity-id'],
};
const pagerduty: CoverageSource = {
  id: 'pd:main',
  department: 'it',
  kinds: ['incident', 'change'],
  mapsOnAnnotations: [PD_ANNOTATION],
  unmeasurable: { reopen_rate: 'PagerDuty does not report reopenings' },
  metricNotes: {
    change_failure_rate:
      'Changes are linked to incidents by PagerDuty correlation: a heuristic.',
  },
};
const hrDesk: CoverageSource = {
  id: 'hr:desk',
  department: 'hr',
  kinds: ['request'],
  mapsOnAnnotations: [HR_ANNOTATION],
};
/** A source that maps by a rule of its own: it covers nothing by annotation. */
const facilities: CoverageSource = {
  id: 'facilities:desk',
  department: 'facilities',
  kinds: ['request'],
};
const SOURCES = [servicenow, pagerduty, hrDesk, facilities];

const COUNTS = ['incident_count', 'change_count', 'backlog', 'problem_backlog'];

describe.each(databases.eachSupportedId())('coverage on %s', databaseId => {
  let harness: MetricsHarness;

  beforeAll(async () => {
    harness = await MetricsHarness.create(
      await databases.init(databaseId),
      [],
      SOURCES,
    );
  });

  afterEach(async () => {
    await harness.clear();
  });

  it('counts 0 and availability 1.0 for an entity covered by annotation with no record', async () => {
    const response = await harness.compute({
      annotations: { [SN_ANNOTATION]: 'ci-payments' },
      bucket: 'week',
      sources: true,
    });
    for (const id of COUNTS) {
      expect({ id, ...response.metrics[id] }).toMatchObject({
        id,
        value: 0,
        n: 0,
        previous: { value: 0, n: 0 },
      });
      expect(response.metrics[id].unknownReason).toBeUndefined();
      expect(response.series![id].every(p => p.value === 0 && p.n === 0)).toBe(
        true,
      );
    }
    expect(response.metrics.availability).toMatchObject({ value: 1, n: 0 });
    // Means and ratios of nothing stay null, and need no reason.
    for (const id of ['mttr', 'mtta', 'change_failure_rate', 'reopen_rate']) {
      expect({ id, ...response.metrics[id] }).toMatchObject({
        id,
        value: null,
        n: 0,
      });
      expect(response.metrics[id].unknownReason).toBeUndefined();
    }
    expect(response.coverage).toEqual({
      covered: true,
      annotations: [
        HR_ANNOTATION,
        PD_ANNOTATION,
        SN_ANNOTATION,
        'servicenow.com/entity-id',
      ],
    });
  });

  it('judges a zero count against its target as met, and the entity healthy', async () => {
    const response = await harness.compute({
      annotations: {
        [SN_ANNOTATION]: 'ci-payments',
        'backstage-itsm.io/incident-count-target': '5',
      },
      metrics: ['incident_count', 'mttr'],
    });
    expect(response.metrics.incident_count).toMatchObject({
      value: 0,
      target: 5,
      status: 'met',
    });
    expect(response.health).toEqual({ verdict: 'healthy', reasons: [] });
  });

  it('counts 0 for an entity whose only records lie outside the window', async () => {
    await harness.seed([
      {
        id: 'old',
        priority: 1,
        opened: T0 - 10 * DAY,
        resolved: T0 - 10 * DAY + HOUR,
      },
    ]);
    const response = await harness.compute({ sources: true });
    expect(response.metrics.incident_count).toMatchObject({
      value: 0,
      n: 0,
      previous: { value: 1, n: 1 },
    });
    expect(response.metrics.backlog).toMatchObject({ value: 0, n: 0 });
    expect(response.metrics.change_count).toMatchObject({ value: 0, n: 0 });
    expect(response.metrics.availability).toMatchObject({ value: 1, n: 0 });
    expect(response.metrics.availability.previous!.value).toBeCloseTo(
      1 - 1 / (30 * 24),
      9,
    );
    expect(response.coverage?.covered).toBe(true);
  });

  it('is null with a reason when no source covers the entity', async () => {
    // Records of another entity, an annotation no source maps on, and one
    // a source maps on but with no value: none of them covers A.
    await harness.seed([
      { id: 'b', priority: 1, opened: T0 + HOUR, entities: [B] },
    ]);
    const response = await harness.compute({
      annotations: {
        'github.com/project-slug': 'acme/pay',
        [PD_ANNOTATION]: ' , ',
      },
      sources: true,
    });
    for (const id of [...COUNTS, 'availability', 'mttr', 'reopen_rate']) {
      expect({ id, ...response.metrics[id] }).toMatchObject({
        id,
        value: null,
        n: 0,
        unknownReason: ITSM_NO_SOURCE_CONNECTED,
      });
    }
    expect(response.coverage).toEqual({
      covered: false,
      annotations: [
        HR_ANNOTATION,
        PD_ANNOTATION,
        SN_ANNOTATION,
        'servicenow.com/entity-id',
      ],
    });
    expect(response.health.verdict).toBe('unknown');
    expect(response.health.reasons).toEqual([
      `No source connected: add one of the annotations ${HR_ANNOTATION}, ${PD_ANNOTATION}, ${SN_ANNOTATION}, servicenow.com/entity-id to this entity to map its records`,
    ]);
  });

  it('is covered when an entity rolled up into the scope bears the annotation', async () => {
    const response = await harness.compute({
      entityRefs: [A, B],
      entities: [
        { entityRef: A, ownerRef: 'group:default/payments', annotations: [] },
        {
          entityRef: B,
          ownerRef: 'group:default/checkout',
          annotations: [PD_ANNOTATION],
        },
      ],
      metrics: ['incident_count', 'availability'],
    });
    expect(response.metrics.incident_count).toMatchObject({ value: 0, n: 0 });
    expect(response.metrics.availability).toMatchObject({ value: 1, n: 0 });
  });

  it('covers by annotation only where the caller may count the source, and never by a sealed record', async () => {
    await harness.seed([{ id: 'a', priority: 1, opened: T0 + HOUR }]);
    const sealed = await harness.compute({
      annotations: { [SN_ANNOTATION]: 'ci-payments' },
      // The caller may count HR records only: ServiceNow's are sealed.
      filter: { key: 'department', values: ['hr'] },
      metrics: ['incident_count', 'availability'],
      sources: true,
    });
    expect(sealed.metrics.incident_count).toMatchObject({
      value: null,
      n: 0,
      unknownReason: ITSM_NO_SOURCE_CONNECTED,
    });
    expect(sealed.metrics.availability).toMatchObject({
      value: null,
      unknownReason: ITSM_NO_SOURCE_CONNECTED,
    });
    expect(sealed.coverage?.covered).toBe(false);
    expect(sealed.sources).toEqual([]);

    const owner = await harness.compute({
      annotations: { [SN_ANNOTATION]: 'ci-payments' },
      filter: { key: 'owner', values: ['group:default/payments'] },
      window: { from: W.to, to: W.to + 30 * DAY },
      metrics: ['incident_count'],
    });
    expect(owner.metrics.incident_count).toMatchObject({ value: 0, n: 0 });
  });

  it('is unknown with the reason when every covering source cannot measure a metric, and a number when another can', async () => {
    const records = [
      {
        id: 'p1',
        provider: 'pd:main',
        opened: T0 + HOUR,
        resolved: T0 + 2 * HOUR,
      },
      {
        id: 'p2',
        provider: 'pd:main',
        opened: T0 + HOUR,
        resolved: T0 + 3 * HOUR,
      },
    ];
    await harness.seed(records);
    const alone = await harness.compute({
      annotations: { [PD_ANNOTATION]: 'PX1' },
      metrics: ['reopen_rate', 'mttr'],
      bucket: 'week',
    });
    expect(alone.metrics.reopen_rate).toMatchObject({
      value: null,
      n: 2,
      status: 'no_target',
      previous: { value: null },
      unknownReason: 'PagerDuty does not report reopenings',
    });
    expect(alone.series!.reopen_rate.every(p => p.value === null)).toBe(true);
    expect(alone.metrics.mttr).toMatchObject({ value: 5400, n: 2 });
    expect(alone.metrics.mttr.unknownReason).toBeUndefined();

    // ServiceNow covers the entity too: its records can say.
    await harness.seed([
      {
        id: 's1',
        opened: T0 + HOUR,
        resolved: T0 + 2 * HOUR,
        reopen: 1,
      },
    ]);
    const both = await harness.compute({
      annotations: { [PD_ANNOTATION]: 'PX1' },
      metrics: ['reopen_rate'],
    });
    expect(both.metrics.reopen_rate).toMatchObject({ value: 1 / 3, n: 3 });
    expect(both.metrics.reopen_rate.unknownReason).toBeUndefined();
    expect(both.metrics.reopen_rate.notes).toEqual([
      'Partly measured: PagerDuty does not report reopenings (pd:main); its records are counted here as they are.',
    ]);
  });

  it('puts the covering sources notes and the outage priorities beside the metrics', async () => {
    const response = await harness.compute({
      annotations: {
        [PD_ANNOTATION]: 'PX1',
        'backstage-itsm.io/outage-priority-threshold': '1',
      },
      metrics: ['change_failure_rate', 'availability', 'incident_count'],
    });
    expect(response.metrics.change_failure_rate.notes).toEqual([
      'Changes are linked to incidents by PagerDuty correlation: a heuristic.',
    ]);
    expect(response.metrics.availability.notes).toEqual([
      "Outages are P1 incidents (the entity's backstage-itsm.io/outage-priority-threshold annotation).",
    ]);
    expect(response.metrics.incident_count.notes).toBeUndefined();

    const defaults = await harness.compute({
      annotations: { [SN_ANNOTATION]: 'ci' },
      metrics: ['availability', 'change_failure_rate'],
    });
    expect(defaults.metrics.availability.notes).toEqual([
      'Outages are P1 and P2 incidents (the default; set backstage-itsm.io/outage-priority-threshold to change it).',
    ]);
    // ServiceNow says nothing about its links.
    expect(defaults.metrics.change_failure_rate.notes).toBeUndefined();
  });
});

describe('coverage rules', () => {
  it('reads the annotations that name an id, and the owner', () => {
    expect(
      scopeEntityOf({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'pay',
          namespace: 'shop',
          annotations: { [SN_ANNOTATION]: 'a, b', [PD_ANNOTATION]: ' ,' },
        },
        spec: { owner: 'payments' },
      }),
    ).toEqual({
      entityRef: 'component:shop/pay',
      ownerRef: 'group:shop/payments',
      annotations: [SN_ANNOTATION],
    });
  });

  it('evaluates a filter on a record that does not exist yet as SQL would', () => {
    const record = {
      department: 'it',
      kind: 'incident' as const,
      ownerRef: 'group:default/payments',
    };
    expect(filterAdmits(undefined, record)).toBe(true);
    expect(filterAdmits({ key: 'department', values: ['it'] }, record)).toBe(
      true,
    );
    expect(
      filterAdmits({ not: { key: 'kind', values: ['incident'] } }, record),
    ).toBe(false);
    expect(
      filterAdmits(
        {
          anyOf: [
            { key: 'department', values: ['hr'] },
            { key: 'owner', values: ['group:default/payments'] },
          ],
        },
        record,
      ),
    ).toBe(true);
    expect(
      filterAdmits(
        { allOf: [{ key: 'owner', values: ['group:default/payments'] }] },
        { ...record, ownerRef: null },
      ),
    ).toBe(false);
    // Empty groups, as the SQL translation reads them.
    expect(filterAdmits({ anyOf: [] } as any, record)).toBe(false);
    expect(filterAdmits({ allOf: [] } as any, record)).toBe(true);
  });

  it('covers by annotation when a kind the source yields passes the filter', () => {
    const entity = {
      entityRef: A,
      ownerRef: 'group:default/payments',
      annotations: [PD_ANNOTATION],
    };
    // PagerDuty yields incidents and changes: changes pass.
    expect(
      coveringByAnnotation(SOURCES, [entity], {
        key: 'kind',
        values: ['change'],
      }),
    ).toEqual(['pd:main']);
    expect(
      coveringByAnnotation(SOURCES, [entity], {
        key: 'kind',
        values: ['problem'],
      }),
    ).toEqual([]);
    expect(coveringByAnnotation(SOURCES, [], undefined)).toEqual([]);
  });
});
