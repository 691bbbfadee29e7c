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
import { itsmOwnerRefOf } from './entities';

function component(owner: unknown, namespace?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', ...(namespace ? { namespace } : {}) },
    spec: { type: 'service', lifecycle: 'production', owner },
  } as Entity;
}

describe('itsmOwnerRefOf', () => {
  it('reads a bare owner as a group in the entity namespace', () => {
    expect(itsmOwnerRefOf(component('payments'))).toBe(
      'group:default/payments',
    );
    expect(itsmOwnerRefOf(component('payments', 'finance'))).toBe(
      'group:finance/payments',
    );
  });

  it('keeps an explicit kind and namespace', () => {
    expect(itsmOwnerRefOf(component('user:default/jane.doe'))).toBe(
      'user:default/jane.doe',
    );
  });

  it('is undefined for a missing, empty, non-string or invalid owner', () => {
    expect(itsmOwnerRefOf(component(undefined))).toBeUndefined();
    expect(itsmOwnerRefOf(component(''))).toBeUndefined();
    expect(itsmOwnerRefOf(component(42))).toBeUndefined();
    expect(itsmOwnerRefOf(component('group:'))).toBeUndefined();
  });
});
