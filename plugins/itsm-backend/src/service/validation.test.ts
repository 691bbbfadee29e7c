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

import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { itsmEntityRefSchema } from '@backstage-itsm/plugin-itsm-common';
import { parseEntityRefInput, parseInput } from './validation';

describe('parseEntityRefInput', () => {
  it.each([
    ['payments-api', 'component:default/payments-api'],
    ['component:payments-api', 'component:default/payments-api'],
    ['system:default/hr-services', 'system:default/hr-services'],
    ['Group:Default/SMO', 'group:default/smo'],
    ['  payments-api ', 'component:default/payments-api'],
  ])('reads %j as %j', (input, expected) => {
    expect(parseEntityRefInput(input, 'entityRef')).toBe(expected);
  });

  it('takes another default kind', () => {
    expect(
      parseEntityRefInput('sre', 'ownerRef', { defaultKind: 'group' }),
    ).toBe('group:default/sre');
  });

  it.each([
    '',
    ' ',
    'a:b:c/d',
    'component:default/',
    ':/',
    'payments api',
    'component:default/a/b',
    '1kind:default/x',
    'component:Not_A_Namespace/x',
    'x'.repeat(300),
  ])('refuses %j with a 400 naming the field', input => {
    const call = () => parseEntityRefInput(input, 'query.entityRef');
    expect(call).toThrow(InputError);
    expect(call).toThrow(/^Invalid query\.entityRef: /);
  });
});

describe('itsmEntityRefSchema', () => {
  const schema = z.object({ entityRef: itsmEntityRefSchema() }).strict();

  it('normalises inside a schema', () => {
    expect(parseInput(schema, { entityRef: 'payments-api' }, 'query')).toEqual({
      entityRef: 'component:default/payments-api',
    });
  });

  it('names the field of a ref that does not parse', () => {
    expect(() => parseInput(schema, { entityRef: 'a:b:c/d' }, 'query')).toThrow(
      /^Invalid query: entityRef: 'a:b:c\/d' is not an entity ref/,
    );
  });

  it('names the path inside a body', () => {
    const body = z.object({
      links: z.array(
        z.object({ ref: itsmEntityRefSchema({ defaultKind: 'group' }) }),
      ),
    });
    expect(parseInput(body, { links: [{ ref: 'sre' }] }, 'body')).toEqual({
      links: [{ ref: 'group:default/sre' }],
    });
    expect(() =>
      parseInput(body, { links: [{ ref: 'sre' }, { ref: ':' }] }, 'body'),
    ).toThrow(/^Invalid body: links\.1\.ref: /);
  });

  it('shortens a long input in the message', () => {
    expect(() =>
      parseInput(schema, { entityRef: `a b${'x'.repeat(500)}` }, 'query'),
    ).toThrow(/^Invalid query: entityRef: 'a bx{77}…' is not an entity ref/);
  });
});
