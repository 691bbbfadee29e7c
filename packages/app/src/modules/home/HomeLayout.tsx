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

import { Content, Header, Page } from '@backstage/core-components';
import type {
  HomePageLayoutProps,
  HomePageWidgetData,
} from '@backstage/plugin-home-react/alpha';
import Grid from '@material-ui/core/Grid';

/**
 * The widgets the demo home page shows, by widget name: the ITSM plugin's
 * "My services" in the main column; the welcome and the starred entities
 * beside it. Other installed widgets (the home plugin's jokes, clocks and
 * toolkit) are left out; add a name here to show one.
 */
export const MAIN_WIDGETS = ['ItsmMyServices'];
export const SIDE_WIDGETS = ['GettingStarted', 'HomePageStarredEntities'];

function pick(widgets: HomePageWidgetData[], names: string[]) {
  return names.flatMap(name => widgets.filter(w => w.name === name));
}

/**
 * The home page: what the signed-in user owns and how it is doing first,
 * then what the portal is for and what to do next.
 */
export function HomeLayout(props: HomePageLayoutProps) {
  const main = pick(props.widgets, MAIN_WIDGETS);
  const side = pick(props.widgets, SIDE_WIDGETS);
  return (
    <Page themeId="home">
      <Header
        title="Northwind ITSM portal"
        subtitle="Your services, how they are doing, and what to improve next"
      />
      <Content>
        <Grid container spacing={3} alignItems="flex-start">
          <Grid item xs={12} md={main.length > 0 ? 8 : 12}>
            <Grid container spacing={3} direction="column">
              {main.map(widget => (
                <Grid item key={widget.name}>
                  {widget.component}
                </Grid>
              ))}
            </Grid>
          </Grid>
          {side.length > 0 && (
            <Grid item xs={12} md={4}>
              <Grid container spacing={3} direction="column">
                {side.map(widget => (
                  <Grid item key={widget.name}>
                    {widget.component}
                  </Grid>
                ))}
              </Grid>
            </Grid>
          )}
        </Grid>
      </Content>
    </Page>
  );
}
