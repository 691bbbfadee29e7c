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

// IT incidents: spread over office hours, long-tailed restore times, cut at
// the end of the history, some following a change or linked to a problem.

'use strict';

const {
  DAY,
  HOUR,
  MINUTE,
  isBusinessHours,
  iso,
  nextBusinessTime,
} = require('./time');
const { spreadOverDays } = require('./calendar');
const {
  cutInstants,
  fill,
  maybeWait,
  snowUrl,
  stateAt,
  ticketSla,
  withBacklog,
} = require('./tickets');
const {
  BROWSERS,
  GENERIC_INCIDENT_TITLES,
  INCIDENT_TITLES,
} = require('./itTitles');
const { causingChange } = require('./itChanges');

const PRIORITY_MIX = { 1: 0.03, 2: 0.12, 3: 0.45, 4: 0.4 };
const INCIDENTS_PER_MONTH = { 1: 10, 2: 5, 3: 3, 4: 2 };
const ACK_MEDIAN = {
  1: 3 * MINUTE,
  2: 7 * MINUTE,
  3: 25 * MINUTE,
  4: 50 * MINUTE,
};
const RESTORE = {
  1: { median: 1.3 * HOUR, sigma: 0.6 },
  2: { median: 3.5 * HOUR, sigma: 0.65 },
  3: { median: 8 * HOUR, sigma: 0.9 },
  4: { median: 20 * HOUR, sigma: 0.85 },
};
const RESPONSE_TARGET = {
  1: 15 * MINUTE,
  2: 30 * MINUTE,
  3: 4 * HOUR,
  4: 8 * HOUR,
};
const RESOLUTION_TARGET = { 1: 4 * HOUR, 2: 8 * HOUR, 3: 3 * DAY, 4: 5 * DAY };

/**
 * The life of an incident of `priority` opened at `opened` (see stateAt),
 * with the backlog of the last days, when it was first resolved, and
 * whether it was reopened.
 */
function incidentLife(ctx, opened, priority) {
  const { random, component, end } = ctx;
  const severe = priority <= 2;
  let ackDelay = Math.max(
    0.5 * MINUTE,
    random.lognormal(ACK_MEDIAN[priority], 0.75),
  );
  if (priority === 3 && !component.alwaysOn && !isBusinessHours(opened))
    ackDelay *= 2;
  // Out of hours, a P4 on a service without 24x7 support waits for the morning.
  const acknowledged =
    priority === 4 && !component.alwaysOn
      ? nextBusinessTime(opened + ackDelay, random)
      : opened + ackDelay;
  const { median, sigma } = RESTORE[priority];
  let restore = random.lognormal(median, sigma);
  // The odd one takes weeks.
  if (random.chance(priority >= 3 ? 0.02 : 0.01))
    restore = Math.min(restore * random.uniform(4, 10), 40 * DAY);
  // P3/P4 fixes happen in office hours; P1/P2 are worked round the clock.
  const fixed =
    priority >= 3
      ? nextBusinessTime(opened + restore, random)
      : opened + restore;
  const worked = Math.max(acknowledged + 5 * MINUTE, fixed);
  // Some P3/P4 incidents wait on the user or a vendor for a while.
  const wait =
    priority >= 3
      ? maybeWait(
          random,
          0.15,
          acknowledged,
          worked,
          random.lognormal(2.5 * DAY, 0.7),
        )
      : undefined;
  const firstResolved = worked + (wait ? wait.to - wait.from : 0);
  let resolved = firstResolved;
  let reopenCount = 0;
  const cancelled = random.chance(0.03)
    ? opened + Math.max(5 * MINUTE, random.lognormal(40 * MINUTE, 1))
    : undefined;
  if (cancelled === undefined && random.chance(0.05)) {
    const reopenedAt = firstResolved + random.uniform(0.5, 3) * DAY;
    if (reopenedAt <= end) {
      reopenCount = 1;
      resolved = reopenedAt + random.lognormal(8 * HOUR, 0.7);
    }
  }
  const life = withBacklog(
    random,
    {
      opened,
      acknowledged,
      resolved,
      closed: resolved + 3 * DAY,
      cancelled:
        cancelled !== undefined && cancelled <= end ? cancelled : undefined,
      wait: cancelled === undefined ? wait : undefined,
      urgent: severe,
    },
    end,
    reopenCount > 0 ? 0 : severe ? 0.1 : 0.45,
  );
  return { life, firstResolved, reopenCount };
}

/** When a P1/P2 incident's impact started and ended, as written. */
function impactWindow(random, opened, firstResolved, s, end) {
  const impactStart = opened - random.uniform(1, 15) * MINUTE;
  const restored =
    opened + (firstResolved - opened) * random.uniform(0.7, 0.95);
  let impactEnd = restored <= end && s.state !== 'cancelled' ? restored : null;
  if (s.state === 'cancelled') impactEnd = s.closedAt;
  return {
    impactStart: iso(impactStart),
    impactEnd:
      impactEnd === null
        ? null
        : iso(Math.max(impactEnd, impactStart + MINUTE)),
  };
}

/** The `index`th incident of the component of `ctx` (see generateIt). */
function makeIncident(ctx, index, opened, problems) {
  const { random, component, end } = ctx;
  const priority = Number(random.weighted(PRIORITY_MIX));
  const severe = priority <= 2;
  const sysId = ctx.id(`incident:${component.name}:${index}`);
  const titles = INCIDENT_TITLES[component.name] ?? GENERIC_INCIDENT_TITLES;
  const title = fill(random.pick(severe ? titles.severe : titles.minor), {
    browser: random.pick(BROWSERS),
    pct: random.int(5, 40),
    n: random.int(3, 40),
    title: component.title,
  });

  const { life, firstResolved, reopenCount } = incidentLife(
    ctx,
    opened,
    priority,
  );
  // A reopened incident still open at the end keeps its reopen count.
  const s = stateAt(life, end, random);
  const impact = severe
    ? impactWindow(random, opened, firstResolved, s, end)
    : { impactStart: null, impactEnd: null };

  const mappings = ctx.mappings();
  let pagerDutyIncident;
  if (severe && component.pagerDutyId && random.chance(0.5)) {
    mappings.push({
      annotation: 'pagerduty.com/service-id',
      value: component.pagerDutyId,
    });
    pagerDutyIncident = `Q${ctx.id(`pd:${sysId}`).slice(0, 13).toUpperCase()}`;
  }

  const incident = {
    externalId: sysId,
    kind: 'incident',
    number: null,
    title,
    url: snowUrl('incident', sysId),
    state: s.state,
    priority,
    openedAt: iso(opened),
    ...cutInstants(s),
    ...impact,
    causedByChange: null,
    problemId: null,
    reopenCount,
    assignmentGroup: component.team,
    assignee: s.state === 'new' ? null : ctx.assignee(),
    sourceUpdatedAt: iso(s.updatedAt),
    entityRefs: [],
    mappings,
    slas: [
      ticketSla({
        label: `P${priority} response`,
        kind: 'response',
        target: RESPONSE_TARGET[priority],
        opened,
        s,
        end,
      }),
      ticketSla({
        label: `P${priority} resolution`,
        kind: 'resolution',
        target: RESOLUTION_TARGET[priority],
        opened,
        s,
        wait: life.wait,
        end,
      }),
    ],
    payload: {
      ...ctx.payload('incident', sysId),
      ...(pagerDutyIncident ? { pagerduty_incident: pagerDutyIncident } : {}),
    },
    _opened: opened,
  };

  // Some P1/P2 incidents follow a change to the same component that
  // ended 0-6 hours earlier: half of those changes had gone wrong, half
  // looked successful.
  if (severe && s.state !== 'cancelled' && random.chance(0.08)) {
    const change = causingChange(ctx, `cause:${index + 1}`, opened);
    if (change) incident.causedByChange = change.externalId;
  }

  // About one in five P1-P3 incidents is linked to a known problem.
  if (priority <= 3) {
    const candidates = problems.filter(
      p => p._opened - 45 * DAY <= opened && opened <= p._until,
    );
    if (candidates.length > 0 && random.chance(0.25)) {
      incident.problemId = random.pick(candidates).externalId;
    }
  }
  return incident;
}

/**
 * The incidents of the component of `ctx` (see generateIt), in the order
 * they were opened; `problems` are the component's, to link to.
 */
function componentIncidents(ctx, problems) {
  const { random, component, start, end } = ctx;
  const monthFactor = Array.from({ length: 14 }, () =>
    random.lognormal(1, 0.25),
  );
  const perMonth = day =>
    INCIDENTS_PER_MONTH[component.tier] *
    monthFactor[Math.floor((day - start) / (30.44 * DAY))];
  const incidents = [];
  spreadOverDays(random, start, end, perMonth, opened => {
    incidents.push(makeIncident(ctx, incidents.length, opened, problems));
  });
  return incidents;
}

module.exports = { RESOLUTION_TARGET, componentIncidents };
