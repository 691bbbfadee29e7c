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

import { getSourceValue, sourceText } from './paths';

/** A parsed template such as `'{Category}: {Subject}'`. @public */
export interface ItsmTemplate {
  /** The text as configured. */
  readonly source: string;
  /** The source fields it names, in order. */
  readonly fields: ReadonlyArray<string>;
  /**
   * The text with each `{field}` replaced by the field's value (empty when
   * the item has none), spaces collapsed; undefined when nothing is left.
   */
  render(item: unknown): string | undefined;
}

/**
 * Parses a template: `{name}` names a source field (CSV column or JSON
 * path); `{{` and `}}` stand for literal braces. Throws on an unclosed or
 * empty placeholder, with a message for the config key at fault.
 * @public
 */
export function parseTemplate(source: string): ItsmTemplate {
  const parts: Array<{ text: string } | { field: string }> = [];
  let text = '';
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if ((char === '{' || char === '}') && source[i + 1] === char) {
      text += char;
      i++;
      continue;
    }
    if (char === '}') {
      throw new Error(`'}' at position ${i + 1} closes no placeholder`);
    }
    if (char !== '{') {
      text += char;
      continue;
    }
    const end = source.indexOf('}', i + 1);
    if (end < 0) {
      throw new Error(`placeholder at position ${i + 1} is not closed`);
    }
    const field = source.slice(i + 1, end).trim();
    if (field === '' || field.includes('{')) {
      throw new Error(
        `placeholder at position ${i + 1} must name a source field`,
      );
    }
    if (text) parts.push({ text });
    text = '';
    parts.push({ field });
    i = end;
  }
  if (text) parts.push({ text });
  const fields = parts.flatMap(p => ('field' in p ? [p.field] : []));
  return {
    source,
    fields,
    render(item) {
      const out = parts
        .map(p =>
          'field' in p
            ? sourceText(getSourceValue(item, p.field)) ?? ''
            : p.text,
        )
        .join('')
        .replace(/\s+/g, ' ')
        .trim();
      return out === '' ? undefined : out;
    },
  };
}
