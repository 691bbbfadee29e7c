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

import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  itsmOwnershipSourcesExtensionPoint,
  itsmProvidersExtensionPoint,
} from '@backstage-itsm/plugin-itsm-node';
import { InMemoryItsmProvider } from '@backstage-itsm/plugin-itsm-node/testUtils';
import request from 'supertest';
import { change, fixtureEntities, incident } from './__testUtils__/records';
import { itsmPlugin } from './plugin';

describe('itsmPlugin', () => {
  it('runs registered providers, takes pushes from services and serves the records', async () => {
    const provider = new InMemoryItsmProvider({ id: 'sn:test' }).addBatch({
      records: [
        change({ externalId: 'chg-1' }),
        incident({ externalId: 'inc-1', causedByChange: 'chg-1' }),
      ],
    });
    const { server } = await startTestBackend({
      features: [
        itsmPlugin,
        createBackendModule({
          pluginId: 'itsm',
          moduleId: 'test-provider',
          register(reg) {
            reg.registerInit({
              deps: {
                itsm: itsmProvidersExtensionPoint,
                ownership: itsmOwnershipSourcesExtensionPoint,
              },
              async init({ itsm, ownership }) {
                ownership.addOwnershipSource({
                  id: 'oncall:test',
                  getOwnershipFacts: async ({ entity }) =>
                    entity.metadata.annotations?.['pagerduty.com/service-id']
                      ? {
                          sourceId: 'oncall:test',
                          sourceName: 'Test on-call',
                          onCall: [{ name: 'Priya Raman' }],
                          escalationPolicy: {
                            name: 'Platform escalation',
                            levels: [],
                          },
                          asOf: '2026-11-23T10:00:00.000Z',
                        }
                      : undefined,
                });
                itsm.addProvider({
                  provider,
                  schedule: {
                    frequency: { hours: 1 },
                    timeout: { minutes: 1 },
                  },
                });
              },
            });
          },
        }),
        catalogServiceMock.factory({ entities: fixtureEntities }),
        mockServices.rootConfig.factory({
          data: {
            itsm: { providers: { push: { tools: { department: 'it' } } } },
          },
        }),
      ],
    });
    const service = { Authorization: mockCredentials.service.header() };

    await request(server)
      .post('/api/itsm/sync/sn:test')
      .set(service)
      .expect(202);
    let items: any[] = [];
    for (let i = 0; i < 100 && items.length < 2; i++) {
      await new Promise(r => setTimeout(r, 50));
      items = (
        await request(server)
          .get('/api/itsm/records?entityRef=component:default/payments-api')
          .set(service)
      ).body.items;
    }
    const incidentRecord = items.find(r => r.externalId === 'inc-1');
    expect(incidentRecord.causedByChange).toMatchObject({
      externalId: 'chg-1',
      number: expect.stringMatching(/^CHG/),
    });
    expect(incidentRecord.ownerRefs).toEqual(['group:default/payments']);

    const pushed = await request(server)
      .post('/api/itsm/ingest/push:tools')
      .set(service)
      .send({
        records: [incident({ externalId: 'pushed-1' }), { externalId: 'bad' }],
      });
    expect(pushed.status).toBe(200);
    expect(pushed.body).toMatchObject({ upserted: 1, deadLettered: 1 });

    const sync = await request(server)
      .get('/api/itsm/sync')
      .set(service)
      .expect(200);
    expect(sync.body.items.map((s: any) => s.providerId).sort()).toEqual([
      'push:tools',
      'sn:test',
    ]);
    const letters = await request(server)
      .get('/api/itsm/sync/push:tools/dead-letters')
      .set(service)
      .expect(200);
    expect(letters.body.items[0]).toMatchObject({
      externalId: 'bad',
      error: expect.stringContaining('kind'),
    });

    await request(server).get('/api/itsm/health').expect(200, { status: 'ok' });
    const ownership = await request(server)
      .get('/api/itsm/ownership?entityRef=component:default/payments-api')
      .set(service);
    expect(ownership.status).toBe(200);
    expect(ownership.body).toMatchObject({
      entityRef: 'component:default/payments-api',
      sources: [{ sourceId: 'oncall:test', onCall: [{ name: 'Priya Raman' }] }],
      drift: [
        expect.objectContaining({
          field: 'onCallTeam',
          sourceValue: 'Platform escalation',
        }),
      ],
    });
    await request(server).get('/api/itsm/ownership').set(service).expect(400);
    await request(server)
      .get('/api/itsm/ownership?entityRef=component:default/nope')
      .set(service)
      .expect(404);

    // Pushes are for services only.
    await request(server)
      .post('/api/itsm/ingest/push:tools')
      .set('Authorization', mockCredentials.user.header())
      .send({ records: [] })
      .expect(403);
  });
});
