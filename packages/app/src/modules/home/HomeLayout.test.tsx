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

import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { HomePageWidgetData } from '@backstage/plugin-home-react/alpha';
import { screen } from '@testing-library/react';
import { HomeLayout } from './HomeLayout';
import { WelcomeContent } from './homeModule';

const widget = (name: string): HomePageWidgetData =>
  ({
    name,
    component: <section data-testid="widget">{name}</section>,
  } as HomePageWidgetData);

describe('HomeLayout', () => {
  it('shows My services first, the welcome and starred entities beside it, and no other widget', async () => {
    await renderInTestApp(
      <HomeLayout
        widgets={[
          widget('HomePageRandomJoke'),
          widget('HomePageStarredEntities'),
          widget('GettingStarted'),
          widget('ItsmMyServices'),
          widget('HomePageWorldClock'),
        ]}
      />,
    );
    expect(
      await screen.findByRole('heading', { name: 'Northwind ITSM portal' }),
    ).toBeInTheDocument();
    const shown = screen
      .getAllByTestId('widget')
      .map(section => section.textContent);
    expect(shown).toEqual([
      'ItsmMyServices',
      'GettingStarted',
      'HomePageStarredEntities',
    ]);
  });
});

describe('WelcomeContent', () => {
  it('says what the portal is for and what to do first', async () => {
    await renderInTestApp(<WelcomeContent />);
    expect(
      await screen.findByText(/joins the catalog of Northwind Retail/),
    ).toBeInTheDocument();
    expect(screen.getByText('What to do first')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'service review' }),
    ).toHaveAttribute('href', '/itsm/reviews');
  });
});
