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

/**
 * A source item: a CSV row (column name to cell) or a JSON object of a REST
 * response.
 * @public
 */
export type ItsmSourceItem = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a.b[0].c` as steps: `['a', 'b', 0, 'c']`. */
function steps(path: string): Array<string | number> {
  const result: Array<string | number> = [];
  for (const part of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      result.push(part);
      continue;
    }
    if (match[1] !== '') result.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) {
      result.push(Number(index[1]));
    }
  }
  return result;
}

/**
 * The value of a source field: the item's own key when it has one (CSV
 * columns may contain dots), else a JSON path like `fields.status` or
 * `assignees[0].name`. Undefined when absent.
 */
export function getSourceValue(item: unknown, path: string): unknown {
  if (isObject(item) && Object.prototype.hasOwnProperty.call(item, path)) {
    return item[path];
  }
  let current: unknown = item;
  for (const step of steps(path)) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (!isObject(current)) return undefined;
      current = Object.prototype.hasOwnProperty.call(current, step)
        ? current[step]
        : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Replaces the value at `path` (own key first, then JSON path) in a copy
 * made by the caller. Returns whether a value was found. A path that runs
 * through an array replaces the field in every element
 * (`people.email` redacts each person's email).
 */
export function replaceSourceValue(
  item: unknown,
  path: string,
  replace: (value: unknown) => unknown,
): boolean {
  if (isObject(item) && Object.prototype.hasOwnProperty.call(item, path)) {
    item[path] = replace(item[path]);
    return true;
  }
  return replaceAt(item, steps(path), replace);
}

function replaceAt(
  current: unknown,
  rest: Array<string | number>,
  replace: (value: unknown) => unknown,
): boolean {
  if (rest.length === 0) return false;
  const [step, ...tail] = rest;
  if (Array.isArray(current) && typeof step !== 'number') {
    // A field of every element.
    let found = false;
    for (const element of current) {
      found = replaceAt(element, rest, replace) || found;
    }
    return found;
  }
  if (typeof step === 'number') {
    if (!Array.isArray(current) || step >= current.length) return false;
    if (tail.length === 0) {
      current[step] = replace(current[step]);
      return true;
    }
    return replaceAt(current[step], tail, replace);
  }
  if (
    !isObject(current) ||
    !Object.prototype.hasOwnProperty.call(current, step)
  ) {
    return false;
  }
  if (tail.length === 0) {
    current[step] = replace(current[step]);
    return true;
  }
  return replaceAt(current[step], tail, replace);
}

/**
 * A source value as trimmed text: strings trimmed, numbers and booleans
 * as written, objects as JSON; undefined when absent, null or blank.
 */
export function sourceText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean')
    text = String(value);
  else text = JSON.stringify(value);
  text = text.trim();
  return text === '' ? undefined : text;
}
