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
import { ItsmSourceItem, replaceSourceValue } from './paths';

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '')
  );
}

/**
 * A copy of a source item with the value of every personal field replaced by
 * `[redacted]` (`ITSM_REDACTED`); empty values stay empty. Fields are CSV
 * columns or JSON paths; a path through an array redacts the field in every
 * element, and a field holding an object or array is replaced whole. The
 * original item is not changed, and the caller drops it.
 * @public
 */
export function redactPersonalFields(
  item: ItsmSourceItem,
  personalFields: ReadonlyArray<string>,
): ItsmSourceItem {
  const copy = structuredClone(item);
  for (const field of personalFields) {
    replaceSourceValue(copy, field, value =>
      isEmpty(value) ? value : ITSM_REDACTED,
    );
  }
  return copy;
}
