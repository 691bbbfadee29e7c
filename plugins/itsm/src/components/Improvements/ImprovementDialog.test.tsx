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

import { identityApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockItsmApi } from '../../__fixtures__/mockItsmApi';
import { ItsmApi, itsmApiRef } from '../../api';
import { ImprovementDialog, ImprovementDialogProps } from './ImprovementDialog';
import { makeImprovement, responseError } from './improvementFixtures';
import { daysFromToday } from './improvementModel';

/** The guest of the demo: a payments engineer who also sits in checkout. */
const guestIdentity = mockApis.identity({
  userEntityRef: 'user:default/guest',
  ownershipEntityRefs: [
    'user:default/guest',
    'group:default/payments',
    'group:default/checkout',
  ],
});

async function renderDialog(
  api: ItsmApi,
  props: Partial<ImprovementDialogProps> = {},
) {
  const onSaved = jest.fn();
  const onClose = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [itsmApiRef, api],
        [identityApiRef, guestIdentity],
      ]}
    >
      <ImprovementDialog open onClose={onClose} onSaved={onSaved} {...props} />
    </TestApiProvider>,
  );
  return { onSaved, onClose };
}

async function choose(label: string, option: string) {
  await userEvent.click(screen.getByRole('combobox', { name: label }));
  await userEvent.click(
    within(screen.getByRole('listbox')).getByRole('option', { name: option }),
  );
}

/** Sets a text field at once (typing key by key re-renders the form each time). */
function typeInto(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label, { exact: false }), {
    target: { value },
  });
}

function helperOf(label: string): string {
  const input = screen.getByLabelText(label, { exact: false });
  const id = input.getAttribute('aria-describedby');
  return id ? document.getElementById(id)?.textContent ?? '' : '';
}

// Typing into MUI dialogs is slow in jsdom, more so with suites in parallel.
jest.setTimeout(30_000);

describe('ImprovementDialog', () => {
  it('names each missing field and sends nothing', async () => {
    const api = mockItsmApi({ createImprovement: jest.fn() });
    await renderDialog(api);
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(helperOf('Title')).toBe('Title is required');
    expect(helperOf('Owner')).toBe('Owner is required');
    expect(helperOf('Entities')).toBe('At least one entity is required');
    expect(api.createImprovement).not.toHaveBeenCalled();
  });

  it("offers the user's groups and themself as owners, and says when another is named", async () => {
    const api = mockItsmApi({ createImprovement: jest.fn() });
    await renderDialog(api);
    await userEvent.click(screen.getByRole('combobox', { name: /^Owner/ }));
    const options = within(await screen.findByRole('listbox'))
      .getAllByRole('option')
      .map(option => option.textContent);
    expect(options).toEqual([
      'group:default/checkout',
      'group:default/payments',
      'user:default/guest',
    ]);
    await userEvent.click(
      screen.getByRole('option', { name: 'group:default/payments' }),
    );
    expect(screen.getByLabelText(/^Owner/)).toHaveValue(
      'group:default/payments',
    );
    expect(helperOf('Owner')).toBe('One of your groups, or yourself');

    typeInto('Owner', 'hr-operations');
    expect(helperOf('Owner')).toBe(
      'Not one of your groups: only ITSM administrators may name it',
    );
  });

  it('shows an owner the backend refuses on the Owner field', async () => {
    const api = mockItsmApi({
      createImprovement: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            403,
            "ownerRef: you may name yourself or a group you belong to (user:default/guest, group:default/payments), not 'group:default/hr-operations'; administrators may name any owner",
          ),
        ),
    });
    await renderDialog(api, {
      initial: {
        title: 'Faster onboarding',
        ownerRef: 'group:default/hr-operations',
        entityRefs: ['component:default/payments-api'],
      },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(helperOf('Owner')).toMatch(
        /^You may name yourself or a group you belong to/,
      ),
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('refuses a due date in the past and a target that is not a duration', async () => {
    const api = mockItsmApi({ createImprovement: jest.fn() });
    await renderDialog(api, {
      initial: {
        title: 'Fewer payment incidents',
        ownerRef: 'group:default/payments-team',
        entityRefs: ['component:default/payments-api'],
      },
    });
    fireEvent.change(screen.getByLabelText('Due date'), {
      target: { value: '2020-01-01' },
    });
    await choose('Metric', 'Mean time to resolve');
    typeInto('Target', 'soon');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(helperOf('Due date')).toBe('Due date must be today or later');
    expect(helperOf('Target')).toBe(
      'Target: Write a duration such as 4h, 30m or 2d',
    );
    expect(api.createImprovement).not.toHaveBeenCalled();
  });

  it("applies the backend's request rules, naming the field", async () => {
    const api = mockItsmApi({ createImprovement: jest.fn() });
    await renderDialog(api, {
      initial: {
        title: 'Fewer payment incidents',
        ownerRef: 'group:default/payments-team',
        entityRefs: ['component:default/payments-api'],
      },
    });
    typeInto('Entities', 'payments-api, not/a/ref');
    await choose('Metric', 'Mean time to resolve');
    typeInto('Target', '4h');
    typeInto('Sustain (weeks)', '30');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(helperOf('Entities')).toMatch(/^Entities: 'not\/a\/ref' is not/);
    expect(helperOf('Sustain (weeks)')).toMatch(/^Sustain: /);
    expect(api.createImprovement).not.toHaveBeenCalled();
  });

  it('creates with refs in full form and a duration target in seconds', async () => {
    const saved = makeImprovement({ title: 'Fewer payment incidents' });
    const api = mockItsmApi({
      createImprovement: jest.fn().mockResolvedValue(saved),
    });
    const { onSaved } = await renderDialog(api, {
      initial: { recordIds: ['r1'], department: 'it' },
    });
    typeInto('Title', 'Fewer payment incidents');
    typeInto('Owner', 'payments-team');
    typeInto('Entities', 'payments-api, system:payments');
    const due = daysFromToday(10);
    fireEvent.change(screen.getByLabelText('Due date'), {
      target: { value: due },
    });
    await choose('Priority', 'High');
    await choose('Metric', 'Mean time to resolve');
    typeInto('Target', '4h 30m');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(saved));
    expect(api.createImprovement).toHaveBeenCalledWith({
      title: 'Fewer payment incidents',
      description: '',
      ownerRef: 'group:default/payments-team',
      entityRefs: ['component:default/payments-api', 'system:default/payments'],
      priority: 'high',
      dueDate: due,
      recordIds: ['r1'],
      department: 'it',
      metric: {
        metricId: 'mttr',
        entityRef: 'component:default/payments-api',
        target: 16200,
        windowDays: 30,
        sustainWeeks: 4,
      },
    });
  });

  it('reads ratio targets as percentages', async () => {
    const api = mockItsmApi({
      createImprovement: jest.fn().mockResolvedValue(makeImprovement()),
    });
    await renderDialog(api, {
      initial: {
        title: 'Safer changes',
        ownerRef: 'group:default/payments-team',
        entityRefs: ['component:default/payments-api'],
      },
    });
    await choose('Metric', 'Change failure rate');
    typeInto('Target', '5%');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(api.createImprovement).toHaveBeenCalledWith(
        expect.objectContaining({
          metric: expect.objectContaining({
            metricId: 'change_failure_rate',
            target: 0.05,
          }),
        }),
      ),
    );
  });

  it('shows a backend 400 next to the field it names', async () => {
    const api = mockItsmApi({
      createImprovement: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            400,
            'Invalid body: metric.target: the target must be below the baseline 3600 for mttr (lower is better)',
          ),
        ),
    });
    const { onSaved } = await renderDialog(api, {
      initial: {
        title: 'Faster restores',
        ownerRef: 'group:default/payments-team',
        entityRefs: ['component:default/payments-api'],
        metric: { metricId: 'mttr', target: 7200 },
      },
    });
    expect(screen.getByLabelText('Target', { exact: false })).toHaveValue('2h');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(helperOf('Target')).toBe(
        'The target must be below the baseline 3600 for mttr (lower is better)',
      ),
    );
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('shows a backend error naming no field at the top, and 403 as permission', async () => {
    const api = mockItsmApi({
      createImprovement: jest
        .fn()
        .mockRejectedValueOnce(
          await responseError(400, 'Invalid body: no such record r9'),
        )
        .mockRejectedValueOnce(
          await responseError(403, 'You may not create improvements'),
        ),
    });
    await renderDialog(api, {
      initial: {
        title: 'Faster restores',
        ownerRef: 'group:default/payments-team',
        entityRefs: ['component:default/payments-api'],
      },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No such record r9',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(screen.getByRole('alert')).toHaveTextContent(
        'You do not have permission to create improvements here.',
      ),
    );
  });

  it('offers only the status changes allowed from the current status and sends only what changed', async () => {
    const improvement = makeImprovement({
      status: 'proposed',
      title: 'Faster restores',
    });
    const updated = { ...improvement, status: 'approved' as const };
    const api = mockItsmApi({
      updateImprovement: jest.fn().mockResolvedValue(updated),
    });
    const { onSaved } = await renderDialog(api, { improvement });
    expect(screen.getByText('Edit improvement')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('combobox', { name: 'Status' }));
    const options = within(screen.getByRole('listbox'))
      .getAllByRole('option')
      .map(o => o.textContent);
    expect(options).toEqual(['Proposed', 'Approved', 'Abandoned']);
    await userEvent.click(screen.getByRole('option', { name: 'Approved' }));
    typeInto('Comment', 'Agreed in the service review');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(updated));
    expect(api.updateImprovement).toHaveBeenCalledWith(improvement.id, {
      status: 'approved',
      comment: 'Agreed in the service review',
    });
  });

  it('offers no change from done', async () => {
    const api = mockItsmApi();
    await renderDialog(api, {
      improvement: makeImprovement({ status: 'done' }),
    });
    await userEvent.click(screen.getByRole('combobox', { name: 'Status' }));
    expect(
      within(screen.getByRole('listbox'))
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['Done']);
  });
});
