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

import { incident } from '../__testUtils__/records';
import { prepareBatch } from './prepareBatch';

const now = Date.parse('2026-04-01T00:00:00Z');

function prepare(records: unknown[]) {
  return prepareBatch({
    providerId: 'servicenow:prod',
    department: 'it',
    records,
    resolve: () => [],
    now,
  });
}

describe('prepareBatch record urls', () => {
  it.each([
    'https://acme.service-now.com/incident.do?sys_id=abc',
    'http://intranet.example/cases/1',
    'HTTPS://ACME.EXAMPLE/x',
    null,
    undefined,
  ])('keeps %j', url => {
    const batch = prepare([incident({ url })]);
    expect(batch.deadLetters).toEqual([]);
    expect(batch.records).toHaveLength(1);
  });

  it.each([
    [
      'javascript:alert(1)',
      /^url: must be an http or https URL, not javascript:$/,
    ],
    ['JaVaScRiPt:alert(document.cookie)', /^url: .*not javascript:$/],
    ['java\tscript:alert(1)', /^url: .*not javascript:$/],
    [' javascript:alert(1)', /^url: .*not javascript:$/],
    ['data:text/html,<script>alert(1)</script>', /^url: .*not data:$/],
    ['vbscript:msgbox(1)', /^url: .*not vbscript:$/],
    ['file:///etc/passwd', /^url: .*not file:$/],
    ['/incident.do?sys_id=abc', /^url: must be an absolute http or https URL$/],
    ['//evil.example/x', /^url: must be an absolute http or https URL$/],
    ['incident.do', /^url: must be an absolute http or https URL$/],
    ['https://', /^url: must be an absolute http or https URL$/],
    ['', /^url: must be an absolute http or https URL$/],
    [
      'https://admin:hunter2@acme.example/x',
      /^url: must not carry credentials/,
    ],
    ['https://admin@acme.example/x', /^url: must not carry credentials/],
    ['https://:hunter2@acme.example/x', /^url: must not carry credentials/],
  ])('sends %j to dead letters, naming url', (url, reason) => {
    const record = incident({ url });
    const batch = prepare([record]);
    expect(batch.records).toEqual([]);
    expect(batch.deadLetters).toEqual([
      {
        externalId: record.externalId,
        payload: expect.anything(),
        error: expect.stringMatching(reason),
      },
    ]);
  });

  it('refuses a url that is not a string', () => {
    const batch = prepare([{ ...incident(), url: { href: 'https://x' } }]);
    expect(batch.deadLetters[0].error).toMatch(/^url: /);
  });

  it('masks the credentials wherever the dead letter repeats them', () => {
    const url =
      'https://svc-itsm:S3cr3t!pw@acme.service-now.com/incident.do?sys_id=1';
    const record = incident({
      url,
      payload: { sys_id: '1', link: url, nested: [{ self: url }] },
    });
    const batch = prepare([record]);
    expect(batch.deadLetters).toHaveLength(1);
    const stored = JSON.stringify(batch.deadLetters[0]);
    expect(stored).not.toContain('S3cr3t');
    expect(stored).not.toContain('svc-itsm');
    expect(batch.deadLetters[0].payload).toMatchObject({
      url: 'https://***@acme.service-now.com/incident.do?sys_id=1',
      payload: {
        link: 'https://***@acme.service-now.com/incident.do?sys_id=1',
        nested: [
          { self: 'https://***@acme.service-now.com/incident.do?sys_id=1' },
        ],
      },
    });
  });

  it('masks credentials that JSON escapes', () => {
    const url = 'https://u:pa"ss\\word@acme.example/x';
    const batch = prepare([incident({ url, payload: { url } })]);
    expect(JSON.stringify(batch.deadLetters)).not.toContain('word');
    expect(batch.deadLetters[0].payload).toMatchObject({
      url: 'https://***@acme.example/x',
      payload: { url: 'https://***@acme.example/x' },
    });
  });

  it('accounts for every record of a batch where every 5th url is hostile', () => {
    const hostile = [
      'javascript:alert(1)',
      'data:text/html,x',
      '/relative',
      'https://u:p@host.example/',
    ];
    const records = Array.from({ length: 100 }, (_, i) =>
      incident({
        url:
          i % 5 === 4
            ? hostile[(i / 5) % hostile.length | 0]
            : `https://acme.example/inc/${i}`,
      }),
    );
    const batch = prepare(records);
    expect(batch.records).toHaveLength(80);
    expect(batch.deadLetters).toHaveLength(20);
    expect(batch.deadLetters.every(d => d.error.startsWith('url: '))).toBe(
      true,
    );
    expect(batch.records.map(r => r.record.url)).toEqual(
      records.filter((_, i) => i % 5 !== 4).map(r => r.url),
    );
  });
});
