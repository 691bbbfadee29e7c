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
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { ItsmClient, itsmApiRef } from './api';
import { timelineRouteRef } from './routes';

/** The ITSM frontend plugin (legacy frontend system). @public */
export const itsmPlugin = createPlugin({
  id: 'itsm',
  apis: [
    createApiFactory({
      api: itsmApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ItsmClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { timeline: timelineRouteRef },
});

/**
 * Owner, on-call and escalation, support hours and tier, CMDB owner, drift
 * between those sources, and the health verdict.
 * @public
 */
export const EntityServiceOwnershipCard = itsmPlugin.provide(
  createComponentExtension({
    name: 'EntityServiceOwnershipCard',
    component: {
      lazy: () =>
        import('./components/EntityServiceOwnershipCard').then(
          m => m.EntityServiceOwnershipCard,
        ),
    },
  }),
);

/**
 * Outcome metrics for a chosen window against targets, with the change from
 * the previous window and trends; each number opens the records behind it.
 * On systems, domains and groups the records of their parts are rolled up.
 * @public
 */
export const EntityOutcomeMetricsCard = itsmPlugin.provide(
  createComponentExtension({
    name: 'EntityOutcomeMetricsCard',
    component: {
      lazy: () =>
        import('./components/EntityOutcomeMetricsCard').then(
          m => m.EntityOutcomeMetricsCard,
        ),
    },
  }),
);

/** Incidents, changes and problems on one zoomable time axis, as an entity tab. @public */
export const EntityItsmTimelineContent = itsmPlugin.provide(
  createRoutableExtension({
    name: 'EntityItsmTimelineContent',
    component: () =>
      import('./components/EntityItsmTimelineContent').then(
        m => m.EntityItsmTimelineContent,
      ),
    mountPoint: timelineRouteRef,
  }),
);
