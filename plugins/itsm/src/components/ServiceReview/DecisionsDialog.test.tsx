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

import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ITSM_MAX_REVIEW_DECISIONS_LENGTH } from '@backstage-itsm/plugin-itsm-common';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';
import { heldPaymentsReview } from '../../__fixtures__/review';
import { ItsmApi, itsmApiRef } from '../../api';
import { responseError } from '../Improvements/improvementFixtures';
import { AmendReviewDialog } from './AmendReviewDialog';
import { HoldReviewDialog } from './HoldReviewDialog';

jest.setTimeout(30_000);

async function renderAmend(api: ItsmApi) {
  const onAmended = jest.fn();
  await renderInTestApp(
    <TestApiProvider apis={[[itsmApiRef, api]]}>
      <AmendReviewDialog
        onClose={jest.fn()}
        onAmended={onAmended}
        heldId="rev-1"
        decisions="Canary deploys."
        periodLabel="Q3 2026"
      />
    </TestApiProvider>,
  );
  return {
    onAmended,
    dialog: screen.getByRole('dialog', {
      name: 'Amend the decisions of Q3 2026',
    }),
  };
}

describe('review decision dialogs', () => {
  it('saves amended decisions trimmed, only once they differ', async () => {
    const api = mockItsmApi({
      amendReview: jest.fn().mockResolvedValue(heldPaymentsReview),
    });
    const { dialog, onAmended } = await renderAmend(api);
    const save = within(dialog).getByRole('button', { name: 'Save decisions' });
    const field = within(dialog).getByLabelText('Decisions and actions');
    expect(save).toBeDisabled();
    fireEvent.change(field, { target: { value: '  Canary deploys.\n' } });
    expect(save).toBeDisabled();
    fireEvent.change(field, { target: { value: ' Canary for all. ' } });
    await userEvent.click(save);
    expect(api.amendReview).toHaveBeenCalledWith('rev-1', {
      decisions: 'Canary for all.',
    });
    expect(onAmended).toHaveBeenCalledWith(heldPaymentsReview);
  });

  it("refuses decisions the backend's rule refuses, naming the field", async () => {
    const api = mockItsmApi({ amendReview: jest.fn() });
    const { dialog } = await renderAmend(api);
    const field = within(dialog).getByLabelText('Decisions and actions');
    fireEvent.change(field, {
      target: { value: 'x'.repeat(ITSM_MAX_REVIEW_DECISIONS_LENGTH + 1) },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Save decisions' }),
    );
    expect(field).toHaveAccessibleDescription(/^Decisions: /);
    expect(api.amendReview).not.toHaveBeenCalled();
  });

  it('says who may amend on a 403, and what failed otherwise', async () => {
    const api = mockItsmApi({
      amendReview: jest
        .fn()
        .mockRejectedValueOnce(await responseError(403, 'no'))
        .mockRejectedValueOnce(new Error('database is down')),
    });
    const { dialog, onAmended } = await renderAmend(api);
    fireEvent.change(within(dialog).getByLabelText('Decisions and actions'), {
      target: { value: 'Something else' },
    });
    const save = within(dialog).getByRole('button', { name: 'Save decisions' });
    await userEvent.click(save);
    expect(
      await within(dialog).findByText(
        'You do not have permission to amend this review; its owners and ITSM administrators may.',
      ),
    ).toBeInTheDocument();
    await userEvent.click(save);
    expect(
      await within(dialog).findByText(
        'Could not amend the review: database is down',
      ),
    ).toBeInTheDocument();
    expect(onAmended).not.toHaveBeenCalled();
  });

  it('holds with empty decisions allowed, and names what failed', async () => {
    const api = mockItsmApi({
      holdReview: jest.fn().mockRejectedValue(new Error('conflict')),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[itsmApiRef, api]]}>
        <HoldReviewDialog
          open
          onClose={jest.fn()}
          onHeld={jest.fn()}
          entityRef="component:default/payments-api"
          period="2026-Q3"
          periodLabel="Q3 2026"
        />
      </TestApiProvider>,
    );
    const dialog = screen.getByRole('dialog', {
      name: 'Hold the review of Q3 2026',
    });
    expect(
      within(dialog).getByText(
        'Markdown or plain text: what was decided, who does what by when.',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Hold review' }),
    );
    expect(api.holdReview).toHaveBeenCalledWith({
      entityRef: 'component:default/payments-api',
      period: '2026-Q3',
      decisions: '',
    });
    expect(
      await within(dialog).findByText('Could not hold the review: conflict'),
    ).toBeInTheDocument();
  });
});
