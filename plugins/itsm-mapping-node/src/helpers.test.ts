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

import { ITSM_REDACTED } from '@backstage-itsm/plugin-itsm-common';
import {
  checkItsmInstantFormat,
  formatItsmInstant,
  parseItsmInstant,
} from './instants';
import { getSourceValue } from './paths';
import { redactPersonalFields } from './redact';
import { parseTemplate } from './template';

describe('parseTemplate', () => {
  it('renders fields, literal braces and collapses spaces', () => {
    const t = parseTemplate('{{{Category}}}:  {Subject} {missing}');
    expect(t.fields).toEqual(['Category', 'Subject', 'missing']);
    expect(t.render({ Category: 'Payroll', Subject: ' Late  pay ' })).toBe(
      '{Payroll}: Late pay',
    );
    expect(parseTemplate('{a}').render({})).toBeUndefined();
  });

  it.each([
    ['{Subject', 'placeholder at position 1 is not closed'],
    ['Subject}', "'}' at position 8 closes no placeholder"],
    ['{ }', 'placeholder at position 1 must name a source field'],
  ])('refuses %s', (text, message) => {
    expect(() => parseTemplate(text)).toThrow(message);
  });
});

describe('instants', () => {
  it('parses each named format to UTC', () => {
    const at = '2026-03-02T10:04:00.000Z';
    expect(parseItsmInstant('2026-03-02T11:04:00+01:00')).toBe(at);
    expect(
      parseItsmInstant('2026-03-02 10:04:00', { format: 'sql', zone: 'UTC' }),
    ).toBe(at);
    expect(
      parseItsmInstant('Mon, 02 Mar 2026 10:04:00 GMT', {
        format: 'http',
        zone: 'UTC',
      }),
    ).toBe(at);
    expect(
      parseItsmInstant('Mon, 02 Mar 2026 10:04:00 +0000', {
        format: 'rfc2822',
        zone: 'UTC',
      }),
    ).toBe(at);
    expect(
      parseItsmInstant('1772445840000', { format: 'millis', zone: 'UTC' }),
    ).toBe(at);
    expect(
      parseItsmInstant('1772445840', { format: 'seconds', zone: 'UTC' }),
    ).toBe(at);
    expect(parseItsmInstant('yesterday')).toBeUndefined();
    expect(
      parseItsmInstant('12x', { format: 'seconds', zone: 'UTC' }),
    ).toBeUndefined();
  });

  it('writes an instant in a source format for a query parameter', () => {
    expect(
      formatItsmInstant('2026-07-02T09:04:00.000Z', {
        format: 'dd/MM/yyyy HH:mm',
        zone: 'Europe/London',
      }),
    ).toBe('02/07/2026 10:04');
    expect(
      formatItsmInstant('2026-07-02T09:04:00.000Z', {
        format: 'iso',
        zone: 'UTC',
      }),
    ).toBe('2026-07-02T09:04:00.000Z');
    expect(
      formatItsmInstant('2026-07-02T09:04:00.000Z', {
        format: 'seconds',
        zone: 'UTC',
      }),
    ).toBe('1782983040');
  });

  it('checks zones and formats', () => {
    expect(
      checkItsmInstantFormat({ format: 'iso', zone: 'Europe/London' }),
    ).toBeUndefined();
    expect(
      checkItsmInstantFormat({ format: 'dd.MM.yyyy HH:mm', zone: 'UTC' }),
    ).toBeUndefined();
    expect(
      checkItsmInstantFormat({ format: 'iso', zone: 'Nowhere/Town' }),
    ).toMatch(/is not a time zone/);
    expect(checkItsmInstantFormat({ format: 'nonsense', zone: 'UTC' })).toMatch(
      /is neither a luxon format/,
    );
  });
});

describe('redactPersonalFields', () => {
  it('redacts columns, nested fields, array elements and whole objects, in a copy', () => {
    const item = {
      'Employee Name': 'Hannah Whitfield',
      'a.b': 'dotted column',
      worker: {
        name: 'Hannah',
        contact: { email: 'h@example.com', phone: '1' },
      },
      people: [{ email: 'a@example.com' }, { email: 'b@example.com' }, {}],
      manager: { name: 'Marcus', id: 7 },
      tags: ['x', 'y'],
      empty: '',
    };
    const copy = redactPersonalFields(item, [
      'Employee Name',
      'a.b',
      'worker.contact.email',
      'people.email',
      'manager',
      'tags[1]',
      'empty',
      'absent.field',
    ]);
    expect(copy).toEqual({
      'Employee Name': ITSM_REDACTED,
      'a.b': ITSM_REDACTED,
      worker: { name: 'Hannah', contact: { email: ITSM_REDACTED, phone: '1' } },
      people: [{ email: ITSM_REDACTED }, { email: ITSM_REDACTED }, {}],
      manager: ITSM_REDACTED,
      tags: ['x', ITSM_REDACTED],
      empty: '',
    });
    expect(item['Employee Name']).toBe('Hannah Whitfield');
    expect(getSourceValue(copy, 'worker.contact.phone')).toBe('1');
  });
});
