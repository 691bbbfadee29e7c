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

import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RedactedText } from './RedactedText';

describe('RedactedText', () => {
  it('shows text without the marker as it is', async () => {
    await renderInTestApp(<RedactedText value="Laptop not ready" />);
    expect(screen.getByText('Laptop not ready')).toBeInTheDocument();
    expect(screen.queryByTestId('itsm-redacted')).not.toBeInTheDocument();
  });

  it('shows a redacted value as a chip that explains itself', async () => {
    await renderInTestApp(<RedactedText value="[redacted]" />);
    const chip = screen.getByTestId('itsm-redacted');
    expect(chip).toHaveTextContent('redacted');
    expect(screen.queryByText('[redacted]')).not.toBeInTheDocument();
    await userEvent.hover(chip);
    expect(
      await screen.findByText('Personal data, withheld by the HR module'),
    ).toBeInTheDocument();
  });

  it('keeps the text around a marker inside a value', async () => {
    const { container } = await renderInTestApp(
      <RedactedText value="Onboarding for [redacted]: laptop not ready" />,
    );
    expect(container).toHaveTextContent(
      'Onboarding for redacted: laptop not ready',
    );
    expect(screen.getAllByTestId('itsm-redacted')).toHaveLength(1);
    expect(container).not.toHaveTextContent('[redacted]');
  });

  it('shows the fallback for an empty value', async () => {
    await renderInTestApp(<RedactedText value={null} fallback="–" />);
    expect(screen.getByText('–')).toBeInTheDocument();
  });
});
