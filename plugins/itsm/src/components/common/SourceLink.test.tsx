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

/* eslint-disable no-script-url -- these tests feed hostile URLs on purpose */

import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { SourceLink } from './SourceLink';

describe('SourceLink', () => {
  it('links an https URL', async () => {
    await renderInTestApp(
      <SourceLink url="https://acme.service-now.com/incident.do?sys_id=1">
        INC0010231
      </SourceLink>,
    );
    expect(screen.getByRole('link', { name: /INC0010231/ })).toHaveAttribute(
      'href',
      'https://acme.service-now.com/incident.do?sys_id=1',
    );
  });

  it('underlines the link, so colour is not the only thing that tells it from the text around it', async () => {
    await renderInTestApp(
      <p>
        <SourceLink url="https://acme.service-now.com/incident.do?sys_id=1">
          INC0010231
        </SourceLink>{' '}
        Card payments fail
      </p>,
    );
    expect(screen.getByRole('link', { name: /INC0010231/ })).toHaveStyle({
      textDecoration: 'underline',
    });
  });

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'java\tscript:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '/incident.do?sys_id=1',
    'https://admin:hunter2@acme.example/x',
    '',
    null,
    undefined,
  ])('shows %j as text, never as a link', async url => {
    const { container } = await renderInTestApp(
      <SourceLink url={url}>INC0010231</SourceLink>,
    );
    expect(screen.getByText('INC0010231')).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(container.querySelector('a')).toBeNull();
    expect(container.innerHTML).not.toContain('script:');
  });
});
