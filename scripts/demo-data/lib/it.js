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

// The IT history: incidents, changes, problems and feedback for the IT
// components of the catalog, as the ServiceNow of Northwind would export it.

'use strict';

const { Random } = require('./random');
const { makeIds, numberInOrder } = require('./tickets');
const { plannedChanges } = require('./itChanges');
const { componentProblems } = require('./itProblems');
const { componentIncidents } = require('./itIncidents');
const { csatAnswers, npsAnswers } = require('./itFeedback');

/**
 * What the generators of one component share (`ctx`): its PRNG stream, its
 * ids, the record pieces every ticket of it carries, and the changes and
 * counts of the whole IT history.
 */
function componentContext(component, shared) {
  const random = new Random(shared.seed, `it:${component.name}`);
  const version = {
    major: random.int(1, 5),
    minor: random.int(0, 20),
    patch: 0,
  };
  return {
    ...shared,
    random,
    component,
    assignee: () => random.pick(component.members) ?? null,
    mappings: () => [
      { annotation: 'servicenow.com/ci-sysid', value: component.sysId },
    ],
    payload: (table, sysId) => ({
      source: 'servicenow',
      table,
      sys_id: sysId,
      cmdb_ci: component.sysId,
    }),
    /** The version a change of `type` deploys: normal ones bump the minor. */
    nextVersion: type => {
      if (type === 'normal') {
        version.minor++;
        version.patch = 0;
      } else {
        version.patch++;
      }
      return `${version.major}.${version.minor}.${version.patch}`;
    },
  };
}

function generateIt(catalog, { seed, start, end }) {
  const itComponents = catalog.components.filter(c => c.tags.includes('it'));
  const incidents = [];
  const changes = [];
  const problems = [];
  const feedback = [];
  const stats = { causedByChange: 0, slas: 0, slasBreached: 0 };
  const shared = { seed, id: makeIds(seed), start, end, changes, stats };

  for (const component of itComponents) {
    const ctx = componentContext(component, shared);
    plannedChanges(ctx);
    const ownProblems = componentProblems(ctx);
    const ownIncidents = componentIncidents(ctx, ownProblems);
    feedback.push(...csatAnswers(ctx, ownIncidents));
    problems.push(...ownProblems);
    incidents.push(...ownIncidents);
  }
  feedback.push(...npsAnswers(itComponents, shared));

  numberInOrder(incidents, 'INC', 10001);
  numberInOrder(changes, 'CHG', 30001);
  numberInOrder(problems, 'PRB', 40001);
  for (const incident of incidents) {
    for (const s of incident.slas) {
      if (s.stage === 'completed' || s.stage === 'breached') {
        stats.slas++;
        if (s.breached) stats.slasBreached++;
      }
    }
  }
  return { records: [...incidents, ...changes, ...problems], feedback, stats };
}

module.exports = { generateIt };
