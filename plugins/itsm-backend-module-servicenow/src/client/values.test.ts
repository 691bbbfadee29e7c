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

import { andQuery, checkExtraQuery, queryFields } from './encodedQuery';
import {
  parseDurationSeconds,
  parseInstant,
  readField,
  shiftServiceNowDateTime,
} from './values';

describe('values', () => {
  it.each([
    ['2024-06-11 15:32:11', { ok: true, iso: '2024-06-11T15:32:11.000Z' }],
    [
      '2024-06-11T17:32:11+02:00',
      { ok: true, iso: '2024-06-11T15:32:11.000Z' },
    ],
    ['', { ok: true, iso: null }],
    ['UNKNOWN', { ok: true, iso: null }],
    ['2024-02-30 10:00:00', { ok: false, raw: '2024-02-30 10:00:00' }],
    ['2024-06-11T15:32:11', { ok: false, raw: '2024-06-11T15:32:11' }],
    ['11/06/2024 15:32', { ok: false, raw: '11/06/2024 15:32' }],
  ])('parses %j as UTC', (text, result) => {
    expect(parseInstant(text)).toEqual(result);
  });

  it.each([
    ['1970-01-03 14:33:00', 2 * 86400 + 14 * 3600 + 33 * 60],
    ['1970-01-01 00:00:00', 0],
    ['7937181', 7937181],
    ['', undefined],
    ['soon', undefined],
  ])('reads the glide_duration %j', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it('reads every field shape', () => {
    const row = {
      plain: 'abc',
      ref: { link: 'https://x/api/now/table/t/abc', value: 'abc' },
      all: { display_value: 'Name', value: 'abc' },
      number: 3.0,
      flag: false,
      empty: '',
      none: null,
    };
    expect(readField(row, 'plain', 'false')).toEqual({ value: 'abc' });
    expect(readField(row, 'plain', 'true')).toEqual({ display: 'abc' });
    expect(readField(row, 'ref', 'false')).toEqual({
      value: 'abc',
      display: undefined,
    });
    expect(readField(row, 'all', 'all')).toEqual({
      value: 'abc',
      display: 'Name',
    });
    expect(readField(row, 'number', 'false')).toEqual({ value: '3' });
    expect(readField(row, 'flag', 'false')).toEqual({ value: 'false' });
    expect(readField(row, 'empty', 'false')).toEqual({});
    expect(readField(row, 'none', 'false')).toEqual({});
    expect(readField(row, 'missing', 'false')).toEqual({});
  });

  it('shifts Table API date-times', () => {
    expect(shiftServiceNowDateTime('2024-06-01 00:01:00', -120_000)).toBe(
      '2024-05-31 23:59:00',
    );
  });
});

describe('encoded queries', () => {
  it('finds the fields a query uses', () => {
    expect(
      queryFields(
        'active=true^priority<=2^ORassignment_group.name=Network^stateIN1,2^short_descriptionISNOTEMPTY^123TEXTQUERY321=email',
      ),
    ).toEqual([
      'active',
      'priority',
      'assignment_group.name',
      'state',
      'short_description',
    ]);
  });

  it('refuses what would escape the window or reorder it', () => {
    expect(checkExtraQuery('active=true^NQactive=false')).toMatch(/\^NQ/);
    expect(checkExtraQuery('ORDERBYDESCnumber')).toMatch(/ORDERBY/);
    expect(checkExtraQuery('active=true^ORpriority=1')).toBeUndefined();
  });

  it('ANDs terms, leaving out empty ones', () => {
    expect(andQuery('a=1', undefined, '', 'ORDERBYx')).toBe('a=1^ORDERBYx');
  });
});
