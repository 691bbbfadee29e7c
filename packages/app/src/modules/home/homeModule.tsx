import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
## Northwind ITSM portal

This demo portal shows the Backstage ITSM plugins on the catalog of
Northwind Retail, a fictional online retailer whose IT, HR and facilities
teams each run a service desk.

- **Explore the catalog**: every service has an owner, a system and the
  ServiceNow and PagerDuty annotations that map ITSM records to it
  ([Catalog](/catalog)).
- **Start with a tier-1 service**: [Payments API](/catalog/default/component/payments-api)
  or [Identity (SSO)](/catalog/default/component/identity-service).
- **People & Places**: HR and facilities services such as
  [Employee onboarding](/catalog/default/component/employee-onboarding) and
  [Building access](/catalog/default/component/building-access) are catalog
  components too.

This card is defined in \`packages/app/src/modules/home/homeModule.tsx\`.
`;

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Welcome',
    description: 'Tips and links to help you get started with Backstage',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget],
});
