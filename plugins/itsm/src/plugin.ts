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
import { createCardExtension } from '@backstage/plugin-home-react';
import { ItsmClient, itsmApiRef } from './api';
import { catalogIndexRouteRef } from './components/MyServices/routes';
import {
  improvementsRouteRef,
  reviewRouteRef,
  timelineRouteRef,
} from './routes';

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
  routes: {
    timeline: timelineRouteRef,
    improvements: improvementsRouteRef,
    review: reviewRouteRef,
  },
  externalRoutes: {
    catalogIndex: catalogIndexRouteRef,
  },
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

/**
 * The entity's continual-improvement items with their measured progress,
 * and a button to propose one.
 * @public
 */
export const EntityImprovementsCard = itsmPlugin.provide(
  createComponentExtension({
    name: 'EntityImprovementsCard',
    component: {
      lazy: () =>
        import('./components/Improvements').then(m => m.EntityImprovementsCard),
    },
  }),
);

/** The service review of an entity for a month or quarter, as an entity tab. @public */
export const EntityServiceReviewContent = itsmPlugin.provide(
  createComponentExtension({
    name: 'EntityServiceReviewContent',
    component: {
      lazy: () =>
        import('./components/ServiceReview').then(m => m.ServiceReviewContent),
    },
  }),
);

/** Every improvement the user may read: filter, sort, create and edit. @public */
export const ImprovementTrackerPage = itsmPlugin.provide(
  createRoutableExtension({
    name: 'ImprovementTrackerPage',
    component: () =>
      import('./components/Improvements').then(m => m.ImprovementTrackerPage),
    mountPoint: improvementsRouteRef,
  }),
);

/** The service review of any entity or team (`?entityRef=&period=`). @public */
export const ServiceReviewPage = itsmPlugin.provide(
  createRoutableExtension({
    name: 'ServiceReviewPage',
    component: () =>
      import('./components/ServiceReview').then(m => m.ServiceReviewPage),
    mountPoint: reviewRouteRef,
  }),
);

/**
 * Home page card: the services the signed-in user or their teams own, with
 * their health verdicts, worst first; each row opens the entity. Bind
 * `itsmPlugin.externalRoutes.catalogIndex` to the catalog's index page for
 * its "and N more" link.
 * @public
 */
export const HomePageMyServicesCard = itsmPlugin.provide(
  createCardExtension({
    name: 'HomePageMyServicesCard',
    title: 'My services',
    description:
      'The services you or your teams own, with their health verdicts, worst first',
    components: () =>
      import('./components/MyServices').then(m => ({
        Content: m.MyServicesContent,
      })),
  }),
);
