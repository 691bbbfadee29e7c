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

import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  HomePageLayoutBlueprint,
  HomePageWidgetBlueprint,
} from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

/** What the portal is for and what to do first; the services are beside it. */
export const WELCOME = `
This portal joins the catalog of Northwind Retail with its service desks:
who runs each service, its incidents, changes and problems from ServiceNow
and PagerDuty, its outcomes against targets, and what is being improved.

**What to do first**

1. Open the first service under *My services*: its verdict says which
   target it misses, and its *Incidents & changes* tab shows what happened.
2. Propose an improvement for what hurts most ([Improvements](/itsm/improvements)).
3. Prepare your team's monthly [service review](/itsm/reviews).

*My services* is empty? Set \`spec.owner\` in your service's
catalog-info.yaml to your team, and connect its records with the
\`servicenow.com/ci-sysid\` or \`pagerduty.com/service-id\` annotation.
`;

/** The welcome card. */
export function WelcomeContent() {
  return <MarkdownContent content={WELCOME} />;
}

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Welcome',
    description: 'What the portal is for and what to do first',
    components: async () => ({ Content: WelcomeContent }),
  },
});

const homeLayout = HomePageLayoutBlueprint.make({
  params: {
    loader: () => import('./HomeLayout').then(m => m.HomeLayout),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget, homeLayout],
});
