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

// HR cases and facilities work orders: requests to the HR Operations and
// Facilities teams, each about one of their services in the catalog.

'use strict';

const {
  DAY,
  HOUR,
  MINUTE,
  MONTHS,
  iso,
  isoDate,
  nextBusinessTime,
  pad,
} = require('./time');
const { Random } = require('./random');
const { spreadOverDays } = require('./calendar');
const {
  cutInstants,
  fill,
  makeIds,
  maybeWait,
  numberInOrder,
  stateAt,
  ticketSla,
  withBacklog,
} = require('./tickets');
const {
  DEPARTMENTS,
  FACILITIES_CATEGORIES,
  FACILITIES_TARGET,
  FIRST_NAMES,
  HR_CATEGORIES,
  HR_TARGET,
  LAST_NAMES,
  SITES,
  climateSeason,
} = require('./requestData');

/**
 * The subject of a request opened at `opened` in `category`, and the person
 * it is about (in the export's own columns, not in the subject).
 */
function requestSubject(ctx, opened, category) {
  const { random, people } = ctx;
  const person = `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
  const dayAhead = weeks => {
    const monday =
      Math.floor(opened / DAY) * DAY +
      ((8 - new Date(opened).getUTCDay()) % 7 || 7) * DAY;
    return isoDate(monday + (weeks - 1) * 7 * DAY);
  };
  const floor = random.int(1, 6);
  // Arguments are evaluated in order: the template first, then the values.
  const template = random.pick(category.titles);
  const values = {
    person,
    dept: random.pick(DEPARTMENTS),
    date: dayAhead(random.int(1, 5)),
    month: MONTHS[new Date(opened - 20 * DAY).getUTCMonth()],
    weeks: random.int(2, 8),
    site: random.pick(SITES),
    floor,
    room: `${floor}.${pad(random.int(1, 24), 2)}`,
    gate: random.int(1, 4),
    n: random.int(2, 12),
  };
  const title = fill(template, values);
  // From a stream of its own, so the records stay as they were.
  const contact = {
    person,
    dept: values.dept,
    site: values.site,
    employeeId: `E${people.int(10000, 99999)}`,
    manager: `${people.pick(FIRST_NAMES)} ${people.pick(LAST_NAMES)}`,
  };
  return { title, contact };
}

function requestPriority(ctx, name, title) {
  const { random, hr } = ctx;
  if (hr) {
    if (name === 'payroll') return random.chance(0.7) ? 3 : 4;
    return random.chance(0.2) ? 3 : 4;
  }
  if (title.includes('server room') || title.includes('does not lock')) {
    return 2;
  }
  return random.chance(0.37) ? 3 : 4;
}

/** The life of a request (see stateAt), with the backlog of the last days. */
function requestLife(ctx, opened, category, priority) {
  const { random, hr, end } = ctx;
  const acknowledged = nextBusinessTime(
    opened + random.lognormal(hr ? 90 * MINUTE : 30 * MINUTE, 0.8),
    random,
  );
  const fulfilment =
    random.lognormal(category.fulfil.median, category.fulfil.sigma) *
    (priority === 2 ? 0.4 : 1);
  const worked = Math.max(acknowledged + 10 * MINUTE, opened + fulfilment);
  // Waiting for documents, a manager's approval, or parts.
  const wait = maybeWait(
    random,
    hr ? 0.25 : 0.18,
    acknowledged,
    worked,
    random.lognormal(2.5 * DAY, hr ? 0.6 : 0.7),
  );
  const resolved = nextBusinessTime(
    worked + (wait ? wait.to - wait.from : 0),
    random,
  );
  const cancelled = random.chance(0.03)
    ? opened + random.uniform(1, 30) * HOUR
    : undefined;
  return withBacklog(
    random,
    {
      opened,
      acknowledged,
      resolved,
      closed: resolved + (hr ? 2 : 1) * DAY,
      cancelled:
        cancelled !== undefined && cancelled <= end ? cancelled : undefined,
      wait: cancelled === undefined ? wait : undefined,
    },
    end,
    hr ? 0.5 : 0.4,
  );
}

/** A request of `ctx.department` in category `name`, about `component`. */
function makeRequest(ctx, { sysId, opened, name, component }) {
  const { random, hr, end } = ctx;
  const category = ctx.categories[name];
  const { title, contact } = requestSubject(ctx, opened, category);
  const priority = requestPriority(ctx, name, title);
  const target = (hr ? HR_TARGET : FACILITIES_TARGET)[priority];
  const life = requestLife(ctx, opened, category, priority);
  const s = stateAt(life, end, random);
  return {
    externalId: sysId,
    kind: 'request',
    number: null,
    title,
    url: null,
    state: s.state,
    priority,
    openedAt: iso(opened),
    ...cutInstants(s),
    reopenCount: 0,
    assignmentGroup: hr ? 'HR Operations' : 'Facilities',
    assignee: s.state === 'new' ? null : random.pick(ctx.members) ?? null,
    sourceUpdatedAt: iso(s.updatedAt),
    entityRefs: [component.ref],
    mappings: [],
    slas: [
      ticketSla({
        label: hr ? 'HR resolution' : 'Promised time',
        kind: 'resolution',
        target,
        opened,
        s,
        wait: life.wait,
        end,
      }),
    ],
    payload: {
      source: hr ? 'northwind-hr' : 'northwind-facilities',
      category: name,
      group: ctx.group,
    },
    _opened: opened,
    _category: name,
    _contact: contact,
    _numberedUrl: hr
      ? n => `https://hr.northwind.example/cases/${n}`
      : n => `https://facilities.northwind.example/work-orders/${n}`,
  };
}

/** The HR cases (`department` hr) or facilities work orders (facilities). */
function generateRequests(catalog, { seed, start, end }, department) {
  const id = makeIds(seed);
  const hr = department === 'hr';
  const categories = hr ? HR_CATEGORIES : FACILITIES_CATEGORIES;
  const owner = hr ? 'hr-operations' : 'facilities';
  const components = new Map(
    catalog.components.filter(c => c.owner === owner).map(c => [c.name, c]),
  );
  const random = new Random(seed, department);
  const ctx = {
    hr,
    department,
    categories,
    end,
    random,
    people: new Random(seed, `${department}:people`),
    members: catalog.members.get(owner) ?? [],
    group: catalog.groups.get(owner) ?? owner,
  };
  const records = [];

  const monthlyRate = Array.from({ length: 14 }, (_, i) =>
    hr
      ? random.uniform(45, 75) * (i % 12 === 0 ? 1.15 : 1)
      : random.uniform(70, 100),
  );
  const perMonth = day => {
    const rate = monthlyRate[Math.floor((day - start) / (30.44 * DAY))];
    return hr ? rate : rate * (0.68 + 0.32 * climateSeason(day));
  };

  let index = 0;
  spreadOverDays(
    random,
    start,
    end,
    perMonth,
    opened => {
      const weights = Object.fromEntries(
        Object.entries(categories).map(([name, c]) => [
          name,
          name === 'building-climate'
            ? c.weight * climateSeason(opened)
            : c.weight,
        ]),
      );
      const name = random.weighted(weights);
      const component = components.get(name);
      if (!component) return;
      const sysId = id(`${department}:${index++}`);
      records.push(makeRequest(ctx, { sysId, opened, name, component }));
    },
    hr ? 0.05 : 0.35,
  );
  numberInOrder(records, hr ? 'HRC' : 'WO', 1001);
  return { records };
}

module.exports = { generateRequests };
