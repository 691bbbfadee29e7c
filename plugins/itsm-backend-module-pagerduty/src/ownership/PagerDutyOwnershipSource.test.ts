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

import { registerMswTestHooks } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { PagerDutyClient } from '../client';
import {
  BASE_URL,
  FakePagerDuty,
  stall,
  TOKEN,
} from '../__testUtils__/fakePagerDuty';
import { VirtualClock } from '../__testUtils__/virtualClock';
import serviceFixture from '../__fixtures__/pagerduty-service.json';
import policyFixture from '../__fixtures__/pagerduty-escalation-policy.json';
import onCallsFixture from '../__fixtures__/pagerduty-oncalls.json';
import { PagerDutyOwnershipSource } from './PagerDutyOwnershipSource';

const server = setupServer();
registerMswTestHooks(server);

let fake: FakePagerDuty;
let clock: number;
let time: VirtualClock;

beforeEach(() => {
  fake = new FakePagerDuty();
  time = new VirtualClock();
  clock = Date.parse('2026-03-10T12:00:00Z');
  server.use(...fake.handlers());
});

function source(options: { serviceIds?: string[]; token?: string } = {}) {
  return new PagerDutyOwnershipSource({
    id: 'pagerduty:main',
    client: new PagerDutyClient({
      accountId: 'pagerduty:main',
      configPath: 'itsm.providers.pagerduty.main',
      baseUrl: BASE_URL,
      token: options.token ?? TOKEN,
      timeoutMs: 5000,
      retryBudgetMs: 30_000,
      // The HTTP layer's retries wait on virtual time.
      http: { now: time.now, sleep: time.sleep, fetch: time.fetch() },
    }),
    serviceIds: options.serviceIds,
    now: () => clock,
  });
}

function entity(serviceId?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'mail',
      annotations: serviceId ? { 'pagerduty.com/service-id': serviceId } : {},
    },
    spec: { type: 'service', owner: 'team-mail', lifecycle: 'production' },
  };
}

const TIM = {
  name: 'Tim Testwright',
  url: 'https://subdomain.pagerduty.com/users/PT23IWX',
};
const TINA = {
  name: 'Tina Testman',
  url: 'https://subdomain.pagerduty.com/users/PT23IUI',
};

describe('PagerDutyOwnershipSource', () => {
  it('reads the service, its escalation policy and who is on call', async () => {
    // The fixtures as published: the service names its policy by reference
    // (so the policy is read on its own), on-calls sit at level 2.
    fake.services.push(serviceFixture.service);
    fake.escalationPolicies.push(policyFixture.escalation_policy);
    fake.onCalls.push(...onCallsFixture.oncalls);

    const facts = await source().getOwnershipFacts({
      entity: entity('PIJ90N7'),
    });
    expect(facts).toEqual({
      sourceId: 'pagerduty:main',
      sourceName: 'PagerDuty',
      url: 'https://subdomain.pagerduty.com/service-directory/PIJ90N7',
      supportGroup: {
        name: 'Engineering',
        url: 'https://subdomain.pagerduty.com/teams/PQ9K7I8',
      },
      escalationPolicy: {
        name: 'Another Escalation Policy',
        url: 'https://subdomain.pagerduty.com/escalation_policies/PT20YPA',
        levels: [
          {
            level: 1,
            delayMinutes: 30,
            // Nobody on call at level 1: the rule's own targets.
            targets: [
              {
                name: 'Kyler Kuhn',
                url: 'https://subdomain.pagerduty.com/users/PAM4FGS',
              },
              {
                name: 'Daily Engineering Rotation',
                url: 'https://subdomain.pagerduty.com/schedules/PI7DH85',
              },
            ],
          },
          { level: 2, targets: [TIM, TINA] },
        ],
      },
      onCall: [TIM, TINA],
      asOf: '2026-03-10T12:00:00.000Z',
    });

    const [serviceRequest] = fake.requestsTo('/services/PIJ90N7');
    expect(serviceRequest.searchParams.getAll('include[]')).toEqual([
      'escalation_policies',
    ]);
    expect(fake.requestsTo('/escalation_policies/PT20YPA')).toHaveLength(1);
    const [onCallRequest] = fake.requestsTo('/oncalls');
    expect(
      onCallRequest.searchParams.getAll('escalation_policy_ids[]'),
    ).toEqual(['PT20YPA']);
    expect(onCallRequest.searchParams.getAll('include[]')).toEqual(['users']);
    expect(onCallRequest.searchParams.get('time_zone')).toBe('UTC');
  });

  it('uses the included policy, and on-call users with their email, level by level', async () => {
    fake.services.push({
      ...serviceFixture.service,
      escalation_policy: {
        ...policyFixture.escalation_policy,
        escalation_rules: [
          ...policyFixture.escalation_policy.escalation_rules,
          {
            id: 'PRULE2',
            escalation_delay_in_minutes: 15,
            targets: [
              {
                id: 'PA7DH85',
                type: 'schedule_reference',
                summary: 'SecOps Engineering Rotation',
                self: 'https://api.pagerduty.com/schedules/PA7DH85',
                html_url: 'https://subdomain.pagerduty.com/schedules/PA7DH85',
              },
            ],
          },
        ],
      },
    });
    const [tim, tina] = onCallsFixture.oncalls;
    fake.onCalls.push(
      // include[]=users: full users with name and email.
      {
        ...tim,
        escalation_level: 1,
        user: { ...tim.user, name: 'Tim Testwright', email: 'tim@example.com' },
      },
      {
        ...tina,
        user: { ...tina.user, name: 'Tina Testman', email: 'tina@example.com' },
      },
    );

    const facts = await source().getOwnershipFacts({
      entity: entity(' PIJ90N7 , PXOTHER'),
    });
    expect(fake.requestsTo(/^\/escalation_policies/)).toEqual([]);
    expect(facts?.onCall).toEqual([{ ...TIM, email: 'tim@example.com' }]);
    expect(facts?.escalationPolicy?.levels).toEqual([
      {
        level: 1,
        delayMinutes: 30,
        targets: [{ ...TIM, email: 'tim@example.com' }],
      },
      {
        level: 2,
        delayMinutes: 15,
        targets: [{ ...TINA, email: 'tina@example.com' }],
      },
    ]);
  });

  it('caches facts per service for a minute, sharing a load in flight', async () => {
    fake.services.push(serviceFixture.service);
    fake.escalationPolicies.push(policyFixture.escalation_policy);
    fake.onCalls.push(...onCallsFixture.oncalls);
    const s = source();

    const [a, b] = await Promise.all([
      s.getOwnershipFacts({ entity: entity('PIJ90N7') }),
      s.getOwnershipFacts({ entity: entity('PIJ90N7') }),
    ]);
    expect(a).toBe(b);
    expect(fake.requests).toHaveLength(3);

    clock += 59_000;
    await s.getOwnershipFacts({ entity: entity('PIJ90N7') });
    expect(fake.requests).toHaveLength(3);

    clock += 2_000;
    const fresh = await s.getOwnershipFacts({ entity: entity('PIJ90N7') });
    expect(fake.requests).toHaveLength(6);
    expect(fresh?.asOf).toBe('2026-03-10T12:01:01.000Z');
  });

  it('does not cache a failure', async () => {
    fake.services.push(serviceFixture.service);
    fake.escalationPolicies.push(policyFixture.escalation_policy);
    // Down for longer than the retry budget, then back.
    let down = true;
    fake.fault = () =>
      down
        ? HttpResponse.json({ error: { message: 'oops' } }, { status: 500 })
        : undefined;
    const s = source();
    await expect(
      s.getOwnershipFacts({ entity: entity('PIJ90N7') }),
    ).rejects.toMatchObject({ status: 500 });
    down = false;
    await expect(
      s.getOwnershipFacts({ entity: entity('PIJ90N7') }),
    ).resolves.toMatchObject({ sourceId: 'pagerduty:main' });
  });

  it('has nothing to say about entities without a service of this account', async () => {
    fake.services.push(serviceFixture.service);
    await expect(
      source().getOwnershipFacts({ entity: entity() }),
    ).resolves.toBeUndefined();
    await expect(
      source().getOwnershipFacts({ entity: entity(' , ') }),
    ).resolves.toBeUndefined();
    await expect(
      source({ serviceIds: ['POTHER1'] }).getOwnershipFacts({
        entity: entity('PIJ90N7'),
      }),
    ).resolves.toBeUndefined();
    expect(fake.requests).toEqual([]);

    // Unknown to this account (another account's service).
    await expect(
      source().getOwnershipFacts({ entity: entity('PUNKNOWN') }),
    ).resolves.toBeUndefined();
  });

  it('fails clearly when the token is refused', async () => {
    fake.services.push(serviceFixture.service);
    await expect(
      source({ token: 'wrong' }).getOwnershipFacts({
        entity: entity('PIJ90N7'),
      }),
    ).rejects.toThrow(
      /PagerDuty account pagerduty:main: GET \/services\/PIJ90N7 was refused \(401/,
    );
  });

  it('rides out a 5xx and a 429 within the look-up', async () => {
    fake.services.push(serviceFixture.service);
    fake.escalationPolicies.push(policyFixture.escalation_policy);
    fake.onCalls.push(...onCallsFixture.oncalls);
    // The first request and the fourth fail.
    let n = 0;
    fake.fault = () => {
      n++;
      if (n === 1) return HttpResponse.json({}, { status: 503 });
      if (n === 4) {
        return HttpResponse.json(
          {},
          { status: 429, headers: { 'retry-after': '2' } },
        );
      }
      return undefined;
    };
    await expect(
      source().getOwnershipFacts({ entity: entity('PIJ90N7') }),
    ).resolves.toMatchObject({ onCall: [TIM, TINA] });
    expect(fake.requests).toHaveLength(5);
    expect(time.waits).toContain(2000);
  });

  it('gives up on a look-up past its deadline, retries included', async () => {
    fake.services.push(serviceFixture.service);
    fake.fault = async req => {
      await stall(req, 2000);
      return undefined;
    };
    const s = new PagerDutyOwnershipSource({
      id: 'pagerduty:main',
      client: new PagerDutyClient({
        accountId: 'pagerduty:main',
        configPath: 'itsm.providers.pagerduty.main',
        baseUrl: BASE_URL,
        token: TOKEN,
        timeoutMs: 30_000,
      }),
      deadlineMs: 100,
    });
    await expect(
      s.getOwnershipFacts({ entity: entity('PIJ90N7') }),
    ).rejects.toMatchObject({
      retryable: true,
      message:
        'PagerDuty account pagerduty:main: GET /services/PIJ90N7 timed out after 100ms',
    });
  });

  it('stops waiting when the caller gives up', async () => {
    fake.services.push(serviceFixture.service);
    fake.escalationPolicies.push(policyFixture.escalation_policy);
    const controller = new AbortController();
    const s = source();
    const pending = s.getOwnershipFacts({
      entity: entity('PIJ90N7'),
      signal: controller.signal,
    });
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    // The shared load goes on for the next caller.
    await expect(
      s.getOwnershipFacts({ entity: entity('PIJ90N7') }),
    ).resolves.toMatchObject({ sourceId: 'pagerduty:main' });
    expect(fake.requestsTo('/services/PIJ90N7')).toHaveLength(1);
  });
});
