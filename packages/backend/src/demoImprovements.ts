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

import {
  AuthService,
  coreServices,
  createBackendPlugin,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type {
  ItsmImprovement,
  ItsmImprovementCreateRequest,
  ItsmImprovementStatus,
  ItsmMetricsResponse,
  ItsmRecordPage,
  ItsmSyncStatus,
} from '@backstage-itsm/plugin-itsm-common';

/** One demo item: what it is, where it ends up, and the metric it moves. */
interface DemoImprovement {
  request: Omit<ItsmImprovementCreateRequest, 'metric' | 'dueDate'>;
  /** Days from today to the due date. */
  dueInDays: number;
  status: ItsmImprovementStatus;
  metric?: { metricId: string; improveBy: number };
  /** A record of this kind on the first entity motivates the item. */
  motivatedBy?: 'incident' | 'problem' | 'request';
  comments?: string[];
}

const DEMO: DemoImprovement[] = [
  {
    request: {
      title: 'Halve payments-api MTTR with runbook automation',
      description:
        'Auto-remediation for the three most frequent alert types and a runbook link on every page.',
      entityRefs: ['component:default/payments-api'],
      ownerRef: 'group:default/payments',
      priority: 'high',
    },
    dueInDays: 60,
    status: 'in_progress',
    metric: { metricId: 'mttr', improveBy: 0.5 },
    motivatedBy: 'problem',
    comments: ['Runbooks for the top three alerts are live.'],
  },
  {
    request: {
      title: 'Canary releases for checkout-web',
      description:
        'Ship to 5% of traffic first and roll back automatically on error-rate regression.',
      entityRefs: ['component:default/checkout-web'],
      ownerRef: 'group:default/payments',
      priority: 'critical',
    },
    dueInDays: 45,
    status: 'approved',
    metric: { metricId: 'change_failure_rate', improveBy: 0.5 },
    motivatedBy: 'incident',
  },
  {
    request: {
      title: 'Route chat tickets by intent',
      description:
        'Classify live-chat tickets on arrival so they reach the right queue without a hand-off.',
      entityRefs: ['component:default/ticket-router'],
      ownerRef: 'group:default/customer-support',
      priority: 'medium',
    },
    dueInDays: 90,
    status: 'proposed',
    metric: { metricId: 'mtta', improveBy: 0.4 },
  },
  {
    request: {
      title: 'Self-service leaver checklist',
      description:
        'Managers start offboarding from one form; access removal and equipment return follow automatically.',
      entityRefs: ['component:default/employee-offboarding'],
      ownerRef: 'group:default/hr-operations',
      priority: 'high',
    },
    dueInDays: 75,
    status: 'in_progress',
    metric: { metricId: 'fulfilment_time', improveBy: 0.3 },
    motivatedBy: 'request',
  },
  {
    request: {
      title: 'Replace the HQ badge readers',
      description:
        'The 2019 readers fail in the cold; the new ones are rated to -20 °C.',
      entityRefs: ['component:default/building-access'],
      ownerRef: 'group:default/facilities',
      priority: 'medium',
    },
    dueInDays: 20,
    status: 'done',
    metric: { metricId: 'fulfilment_time', improveBy: 0.2 },
  },
  {
    request: {
      title: 'Move CI runners to spot instances',
      description:
        'Abandoned: spot interruptions made release builds unreliable; reserved capacity instead.',
      entityRefs: ['component:default/ci-runners'],
      ownerRef: 'group:default/it-platform',
      priority: 'low',
    },
    dueInDays: 30,
    status: 'abandoned',
  },
];

const PATH: Record<ItsmImprovementStatus, ItsmImprovementStatus[]> = {
  proposed: [],
  approved: ['approved'],
  in_progress: ['approved', 'in_progress'],
  done: ['approved', 'in_progress', 'done'],
  abandoned: ['abandoned'],
};

class ItsmDemoSeeder {
  constructor(
    private readonly deps: {
      auth: AuthService;
      discovery: DiscoveryService;
      logger: LoggerService;
    },
  ) {}

  async #call<T>(path: string, init?: { method: string; body?: unknown }) {
    const { auth, discovery } = this.deps;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'itsm',
    });
    const response = await fetch(
      `${await discovery.getBaseUrl('itsm')}${path}`,
      {
        method: init?.method ?? 'GET',
        headers: {
          Authorization: `Bearer ${token}`,
          ...(init?.body !== undefined
            ? { 'Content-Type': 'application/json' }
            : {}),
        },
        body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
      },
    );
    if (!response.ok) {
      throw new Error(
        `${init?.method ?? 'GET'} ${path}: ${
          response.status
        } ${await response.text()}`,
      );
    }
    return (await response.json()) as T;
  }

  /** True once every provider has finished a sync, so baselines see the data. */
  async ready(): Promise<boolean> {
    const { items } = await this.#call<{ items: ItsmSyncStatus[] }>('/sync');
    if (items.length === 0 || items.some(s => s.lastSucceededAt === null)) {
      return false;
    }
    // Records are mapped to entities once the catalog has them.
    const mapped = await Promise.all(
      DEMO.filter(demo => demo.metric || demo.motivatedBy).map(demo =>
        this.#call<ItsmRecordPage>(
          `/records?entityRef=${encodeURIComponent(
            demo.request.entityRefs[0],
          )}&limit=1`,
        ),
      ),
    );
    return mapped.every(page => page.items.length > 0);
  }

  async seed(): Promise<number> {
    const existing = await this.#call<{ totalCount: number }>(
      '/improvements?limit=1',
    );
    if (existing.totalCount > 0) {
      return 0;
    }
    let created = 0;
    for (const demo of DEMO) {
      const entityRef = demo.request.entityRefs[0];
      let metric: ItsmImprovementCreateRequest['metric'] = null;
      if (demo.metric) {
        const { metrics } = await this.#call<ItsmMetricsResponse>(
          `/metrics?entityRef=${encodeURIComponent(entityRef)}&metrics=${
            demo.metric.metricId
          }`,
        );
        const m = metrics[demo.metric.metricId];
        if (m.value !== null && m.value > 0) {
          // A target a real improvement away from where the metric is now.
          const lower = m.definition.direction === 'lower_is_better';
          const target = lower
            ? m.value * (1 - demo.metric.improveBy)
            : Math.min(1, m.value + (1 - m.value) * demo.metric.improveBy);
          metric = {
            metricId: demo.metric.metricId,
            target: Number(target.toPrecision(3)),
          };
        }
      }
      let recordIds: string[] = [];
      if (demo.motivatedBy) {
        const page = await this.#call<ItsmRecordPage>(
          `/records?entityRef=${encodeURIComponent(entityRef)}&kind=${
            demo.motivatedBy
          }&limit=1`,
        );
        recordIds = page.items.map(r => r.id);
      }
      const item = await this.#call<ItsmImprovement>('/improvements', {
        method: 'POST',
        body: {
          ...demo.request,
          recordIds,
          metric,
          dueDate: new Date(Date.now() + demo.dueInDays * 86_400_000)
            .toISOString()
            .slice(0, 10),
          comment: 'Raised at the monthly service review.',
        },
      });
      for (const status of PATH[demo.status]) {
        await this.#call(`/improvements/${item.id}`, {
          method: 'PATCH',
          body: { status },
        });
      }
      for (const comment of demo.comments ?? []) {
        await this.#call(`/improvements/${item.id}`, {
          method: 'PATCH',
          body: { comment },
        });
      }
      created++;
    }
    return created;
  }
}

/**
 * The demo portal's continual-improvement register: once the demo data has
 * synced, a handful of improvements in every status are proposed through
 * the ITSM API, so their baselines come from the demo metrics like anyone
 * else's. Runs only with `itsmDemo.seedImprovements: true` and an empty
 * register.
 */
export default createBackendPlugin({
  pluginId: 'itsm-demo',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ config, scheduler, logger, ...deps }) {
        if (!config.getOptionalBoolean('itsmDemo.seedImprovements')) {
          return;
        }
        const seeder = new ItsmDemoSeeder({ ...deps, logger });
        let done = false;
        let attempts = 0;
        await scheduler.scheduleTask({
          id: 'itsm-demo-seed-improvements',
          frequency: { seconds: 5 },
          timeout: { minutes: 2 },
          initialDelay: { seconds: 5 },
          scope: 'local',
          fn: async () => {
            // Seed once the data is in, or after three minutes regardless.
            attempts++;
            if (done || (attempts < 36 && !(await seeder.ready()))) {
              return;
            }
            done = true;
            try {
              const created = await seeder.seed();
              logger.info(`Seeded ${created} demo improvements`);
            } catch (error) {
              logger.error(`Could not seed demo improvements: ${error}`);
            }
          },
        });
      },
    });
  },
});
