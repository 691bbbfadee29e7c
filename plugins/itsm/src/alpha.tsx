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

import { compatWrapper } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import AssessmentIcon from '@mui/icons-material/Assessment';
import TrendingUpIcon from '@mui/icons-material/TrendingUp';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { ItsmClient, itsmApiRef } from './api';
import { catalogIndexRouteRef } from './components/MyServices/routes';
import {
  DEFAULT_IMPROVEMENTS_PATH,
  DEFAULT_REVIEW_PATH,
  improvementsRouteRef,
  reviewRouteRef,
} from './routes';

/** @alpha */
export const itsmApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: itsmApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new ItsmClient({ discoveryApi, fetchApi }),
    }),
});

/** @alpha */
export const serviceOwnershipCard = EntityCardBlueprint.make({
  name: 'service-ownership',
  params: {
    filter: 'kind:component,system,api',
    loader: () =>
      import('./components/EntityServiceOwnershipCard').then(m =>
        compatWrapper(<m.EntityServiceOwnershipCard />),
      ),
  },
});

/** @alpha */
export const outcomeMetricsCard = EntityCardBlueprint.make({
  name: 'outcome-metrics',
  params: {
    filter: 'kind:component,system,domain,group,api',
    loader: () =>
      import('./components/EntityOutcomeMetricsCard').then(m =>
        compatWrapper(<m.EntityOutcomeMetricsCard />),
      ),
  },
});

/** @alpha */
export const timelineContent = EntityContentBlueprint.make({
  name: 'timeline',
  params: {
    path: '/itsm',
    title: 'Incidents & changes',
    filter: 'kind:component,system,api',
    loader: () =>
      import('./components/EntityItsmTimelineContent').then(m =>
        compatWrapper(<m.EntityItsmTimelineContent />),
      ),
  },
});

/** @alpha */
export const improvementsCard = EntityCardBlueprint.make({
  name: 'improvements',
  params: {
    filter: 'kind:component,system,domain,group,api',
    loader: () =>
      import('./components/Improvements').then(m =>
        compatWrapper(
          <m.EntityImprovementsCard trackerLink={DEFAULT_IMPROVEMENTS_PATH} />,
        ),
      ),
  },
});

/** @alpha */
export const reviewContent = EntityContentBlueprint.make({
  name: 'service-review',
  params: {
    path: '/service-review',
    title: 'Service review',
    filter: 'kind:component,system,domain,group,api',
    loader: () =>
      import('./components/ServiceReview').then(m =>
        compatWrapper(<m.ServiceReviewContent />),
      ),
  },
});

/** @alpha */
export const improvementsPage = PageBlueprint.make({
  name: 'improvements',
  params: {
    path: DEFAULT_IMPROVEMENTS_PATH,
    title: 'Improvements',
    icon: <TrendingUpIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(improvementsRouteRef),
    loader: () =>
      import('./components/Improvements').then(m =>
        compatWrapper(<m.ImprovementTrackerPage />),
      ),
  },
});

/** @alpha */
export const reviewPage = PageBlueprint.make({
  name: 'service-review',
  params: {
    path: DEFAULT_REVIEW_PATH,
    title: 'Service reviews',
    icon: <AssessmentIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(reviewRouteRef),
    loader: () =>
      import('./components/ServiceReview').then(m =>
        compatWrapper(<m.ServiceReviewPage />),
      ),
  },
});

/**
 * Home page widget: the services the signed-in user or their teams own,
 * with their health verdicts, worst first.
 * @alpha
 */
export const myServicesHomePageWidget = HomePageWidgetBlueprint.make({
  name: 'my-services',
  params: {
    name: 'ItsmMyServices',
    title: 'My services',
    description:
      'The services you or your teams own, with their health verdicts, worst first',
    layout: {
      width: { minColumns: 4, defaultColumns: 8 },
      height: { minRows: 4, defaultRows: 6 },
    },
    components: () =>
      import('./components/MyServices').then(m => ({
        Content: () => compatWrapper(<m.MyServicesContent />),
      })),
  },
});

/**
 * The ITSM plugin for the new frontend system.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'itsm',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    itsmApi,
    serviceOwnershipCard,
    outcomeMetricsCard,
    timelineContent,
    improvementsCard,
    reviewContent,
    improvementsPage,
    reviewPage,
    myServicesHomePageWidget,
  ],
  routes: {
    improvements: convertLegacyRouteRef(improvementsRouteRef),
    review: convertLegacyRouteRef(reviewRouteRef),
  },
  externalRoutes: {
    catalogIndex: convertLegacyRouteRef(catalogIndexRouteRef),
  },
});
