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
 * Why an extra encoded query from config cannot be used, or undefined when it
 * can. The provider adds its own time window and order to it with `^` (AND),
 * so a query must not contain `^NQ` (a top-level OR that would escape the
 * window) or its own ORDERBY.
 */
export function checkExtraQuery(query: string): string | undefined {
  if (/\^NQ/.test(query)) {
    return 'must not contain ^NQ (a new query would escape the sync window); use ^OR within a term';
  }
  if (/(?:^|\^)(?:ORDERBY|GROUPBY)/.test(query)) {
    return 'must not contain ORDERBY or GROUPBY: the provider orders by sys_updated_on and sys_id';
  }
  return undefined;
}

/**
 * The field names an encoded query uses, e.g. `active=true^priority<=2^ORassignment_group.name=Network`
 * gives `active`, `priority`, `assignment_group.name`. Field names are lower
 * case in ServiceNow, so the upper-case operator that follows (`IN`,
 * `STARTSWITH`, `ISEMPTY`, ...) is not part of the name. Terms that are not
 * field conditions (`123TEXTQUERY321`, `RLQUERY...`) are left out.
 */
export function queryFields(query: string): string[] {
  const fields = new Set<string>();
  for (const term of query.split(/\^(?:OR)?/)) {
    const match = /^([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)/.exec(
      term.trim(),
    );
    if (match) {
      fields.add(match[1]);
    }
  }
  return [...fields];
}

/** Joins encoded query terms with `^` (AND), leaving out empty ones. */
export function andQuery(...terms: Array<string | undefined | null>): string {
  return terms.filter((t): t is string => !!t && t.trim() !== '').join('^');
}
