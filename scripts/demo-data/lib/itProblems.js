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

// IT problems: one or two per component a quarter, some still open.

'use strict';

const { DAY, HOUR, iso, nextBusinessTime } = require('./time');
const { cutInstants, fill, maybeWait, snowUrl, stateAt } = require('./tickets');
const { PROBLEM_TITLES } = require('./itTitles');

/**
 * The problems of the component of `ctx` (see generateIt), in the order
 * they were drawn. `_until` is when a problem stops collecting incidents.
 */
function componentProblems(ctx) {
  const { random, component, start, end } = ctx;
  const problems = [];
  for (let quarter = 0; quarter < 4; quarter++) {
    const qStart = start + (quarter * (end - start)) / 4;
    const qEnd = start + ((quarter + 1) * (end - start)) / 4;
    const count =
      1 +
      (random.chance(
        component.tier === 1 ? 0.6 : component.tier === 2 ? 0.4 : 0.2,
      )
        ? 1
        : 0);
    for (let i = 0; i < count; i++) {
      const opened = nextBusinessTime(random.uniform(qStart, qEnd), random);
      if (opened >= end) continue;
      const sysId = ctx.id(`problem:${component.name}:${quarter}:${i}`);
      const acknowledged = nextBusinessTime(
        opened + random.lognormal(3 * HOUR, 0.7),
        random,
      );
      const work = random.lognormal(30 * DAY, 0.7);
      // Known errors wait for a vendor fix.
      const wait = maybeWait(
        random,
        0.3,
        acknowledged,
        opened + work,
        random.lognormal(20 * DAY, 0.5),
      );
      const resolved = opened + work + (wait ? wait.to - wait.from : 0);
      const life = {
        opened,
        acknowledged,
        resolved,
        closed: resolved + 7 * DAY,
        wait,
      };
      const s = stateAt(life, end, random);
      problems.push({
        externalId: sysId,
        kind: 'problem',
        number: null,
        title: fill(random.pick(PROBLEM_TITLES), { title: component.title }),
        url: snowUrl('problem', sysId),
        state: s.state,
        priority: Number(random.weighted({ 2: 0.2, 3: 0.55, 4: 0.25 })),
        openedAt: iso(opened),
        ...cutInstants(s),
        assignmentGroup: component.team,
        assignee: ctx.assignee(),
        sourceUpdatedAt: iso(s.updatedAt),
        entityRefs: [],
        mappings: ctx.mappings(),
        slas: [],
        payload: ctx.payload('problem', sysId),
        _opened: opened,
        _until: s.resolvedAt ?? end,
      });
    }
  }
  return problems;
}

module.exports = { componentProblems };
