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

import type { Entity } from '@backstage/catalog-model';
import { identityApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ReviewEntityPicker } from './ReviewEntityPicker';

jest.setTimeout(30_000);

const PAYMENTS_TEAM = 'group:default/payments';

function component(
  name: string,
  title: string,
  owner: string,
  kind = 'Component',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', title },
    spec: { type: 'service', owner, lifecycle: 'production' },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

const entities: Entity[] = [
  component('payments-api', 'Payments API', PAYMENTS_TEAM),
  component('payments-web', 'Checkout', PAYMENTS_TEAM),
  component('hr-portal', 'HR portal', 'group:default/people-ops'),
  component(
    'payments',
    'Payments platform',
    'group:default/platform',
    'System',
  ),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'payments', namespace: 'default' },
    spec: { type: 'team', profile: { displayName: 'Payments team' } },
  },
];

async function renderPicker(
  props: { entityRef?: string; entity?: Entity } = {},
) {
  const catalog = catalogApiMock({ entities });
  const queryEntities = jest.spyOn(catalog, 'queryEntities');
  const onChange = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [catalogApiRef, catalog],
        [
          identityApiRef,
          mockApis.identity({
            userEntityRef: 'user:default/priya',
            ownershipEntityRefs: ['user:default/priya', PAYMENTS_TEAM],
          }),
        ],
      ]}
    >
      <ReviewEntityPicker
        entityRef={props.entityRef ?? ''}
        entity={props.entity}
        onChange={onChange}
      />
    </TestApiProvider>,
  );
  const input = screen.getByRole('combobox', { name: 'Entity to review' });
  return { input, onChange, queryEntities };
}

function optionTexts(): string[] {
  return screen.getAllByRole('option').map(o => o.textContent ?? '');
}

describe('ReviewEntityPicker', () => {
  it("offers the user's teams and what they own before anything is typed", async () => {
    const { input } = await renderPicker();
    await userEvent.click(input);
    await waitFor(() =>
      expect(optionTexts()).toEqual([
        'Payments teamGroup · group:default/payments',
        'Payments APIComponent · component:default/payments-api',
        'CheckoutComponent · component:default/payments-web',
      ]),
    );
    expect(screen.getByRole('listbox')).toHaveTextContent(
      /Yours and your teams/,
    );
  });

  it('searches the catalog by part of a name or title, once typing pauses', async () => {
    const { input, onChange, queryEntities } = await renderPicker();
    await userEvent.type(input, 'paym');
    const option = await screen.findByRole('option', { name: /Payments API/ });
    expect(
      within(option).getByText('Component · component:default/payments-api'),
    ).toBeInTheDocument();
    // Matched on name or title: the Checkout component is payments-web.
    expect(optionTexts()).toEqual([
      'Payments teamGroup · group:default/payments',
      'Payments platformSystem · system:default/payments',
      'Payments APIComponent · component:default/payments-api',
      'CheckoutComponent · component:default/payments-web',
    ]);
    const searches = queryEntities.mock.calls
      .map(([request]) => request)
      .filter(request => request && 'fullTextFilter' in request);
    expect(searches).toEqual([
      expect.objectContaining({
        fullTextFilter: {
          term: 'paym',
          fields: [
            'metadata.name',
            'metadata.title',
            'spec.profile.displayName',
          ],
        },
        limit: 20,
      }),
    ]);
    await userEvent.click(option);
    expect(onChange).toHaveBeenCalledWith('component:default/payments-api');
  });

  it('says what to try when nothing matches', async () => {
    const { input } = await renderPicker();
    await userEvent.type(input, 'zzz');
    expect(
      await screen.findByText(
        'Nothing in the catalog matches "zzz": try another part of its name or title',
      ),
    ).toBeInTheDocument();
  });

  it('shows the entity of the URL by its title', async () => {
    const { input } = await renderPicker({
      entityRef: 'component:default/payments-api',
      entity: entities[0],
    });
    expect(input).toHaveValue('Payments API');
  });

  it('shows a ref the catalog has not answered for by its name', async () => {
    const { input } = await renderPicker({
      entityRef: 'component:default/legacy-billing',
    });
    expect(input).toHaveValue('legacy-billing');
  });
});
