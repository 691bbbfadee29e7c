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
 * Generates 12 months of believable ITSM history for the Northwind demo:
 * IT incidents, changes, problems, SLAs and CSAT/NPS answers for the IT
 * components of examples/components.yaml, HR cases and facilities work orders.
 * Writes the IT history as NDJSON files the file provider of the ITSM backend
 * reads, and the HR cases and facilities work orders as the exports of an HR
 * system and a CAFM tool, in their own columns, for the HR and facilities
 * modules:
 *
 *   <out>/it/records.ndjson, <out>/it/feedback.ndjson,
 *   <out>/hr/bamboohr-cases.csv, <out>/facilities/cafm-work-orders.csv
 *
 * Usage: node scripts/demo-data/generate.js [--out examples/itsm-data]
 *          [--now 2026-11-23T01:30:00Z | --end 2026-11-23] [--seed 42]
 *
 * The history ends at "now", the moment it runs by default: nothing is dated
 * after it but the planned start and end of changes scheduled later (state
 * new, no actual start), SLA breach times and due dates, which are promises.
 * Deterministic: the same seed and now give byte-identical files.
 * See scripts/demo-data/README.md.
 */

'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const REPO_ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(REPO_ROOT, 'examples');

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------
// Command line

function usage() {
  return [
    'Usage: node scripts/demo-data/generate.js [--out <dir>] [--now <instant> | --end <YYYY-MM-DD>] [--seed <integer>]',
    '',
    '  --out   folder to write into (default: examples/itsm-data of the repository)',
    '  --now   the moment the history ends, an ISO 8601 instant with a zone,',
    '          e.g. 2026-11-23T01:30:00Z (default: the moment it runs); nothing',
    '          is dated after it but changes planned later',
    '  --end   the same as --now at UTC midnight of that date: 2026-11-23 is',
    '          --now 2026-11-23T00:00:00Z',
    '  --seed  seed of the pseudo-random generator (default: 42)',
  ].join('\n');
}

const INSTANT =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function parseArgs(argv) {
  const options = {
    out: path.join(EXAMPLES, 'itsm-data'),
    now: undefined,
    seed: 42,
  };
  let nowFlag;
  const setNow = (ms, flag) => {
    if (nowFlag !== undefined) {
      throw new Error(
        `${flag} and ${nowFlag} both set the end of the history; give one`,
      );
    }
    nowFlag = flag;
    options.now = ms;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? arg.split(/=(.*)/s)
      : [arg, undefined];
    const value = () => {
      const v = inline !== undefined ? inline : argv[++i];
      if (v === undefined || v === '') {
        throw new Error(`${flag} needs a value`);
      }
      return v;
    };
    switch (flag) {
      case '--out':
        options.out = path.resolve(value());
        break;
      case '--end': {
        const v = value();
        const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
        const end = match ? Date.UTC(+match[1], +match[2] - 1, +match[3]) : NaN;
        if (!match || new Date(end).toISOString().slice(0, 10) !== v) {
          throw new Error(`--end must be a date like 2026-11-23, got '${v}'`);
        }
        setNow(end, flag);
        break;
      }
      case '--now': {
        const v = value();
        const ms = Date.parse(v);
        if (!INSTANT.test(v) || Number.isNaN(ms)) {
          throw new Error(
            `--now must be an ISO 8601 instant with a zone, like 2026-11-23T01:30:00Z, got '${v}'`,
          );
        }
        // Whole seconds, as every instant written.
        setNow(Math.floor(ms / 1000) * 1000, flag);
        break;
      }
      case '--seed': {
        const v = value();
        if (!/^-?\d+$/.test(v)) {
          throw new Error(`--seed must be an integer, got '${v}'`);
        }
        options.seed = Number(v);
        break;
      }
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`Unknown argument '${arg}'`);
    }
  }
  if (options.now === undefined) {
    // The one use of the clock: the history ends now, in whole seconds.
    options.now = Math.floor(Date.now() / 1000) * 1000;
  }
  return options;
}

// ---------------------------------------------------------------------------
// Deterministic randomness

/** FNV-1a, to derive one PRNG stream per purpose from the seed. */
function hashString(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seeded PRNG. Each component and department draws from its own stream
 * (`seed:name`), so adding a component does not reshuffle the others.
 */
class Random {
  constructor(seed, stream) {
    this.next = mulberry32(hashString(`${seed}:${stream}`));
  }
  float() {
    return this.next();
  }
  uniform(min, max) {
    return min + (max - min) * this.next();
  }
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Picks a key of `weights` ({ key: weight }) with its weight's probability. */
  weighted(weights) {
    const entries = Array.isArray(weights)
      ? weights.map((w, i) => [i, w])
      : Object.entries(weights);
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [key, w] of entries) {
      r -= w;
      if (r < 0) return key;
    }
    return entries[entries.length - 1][0];
  }
  normal() {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** A long-tailed duration: median `median`, spread `sigma` (log scale). */
  lognormal(median, sigma) {
    return median * Math.exp(sigma * this.normal());
  }
  poisson(lambda) {
    if (lambda <= 0) return 0;
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

// ---------------------------------------------------------------------------
// Time: instants are milliseconds since the epoch; Europe/London rules by hand
// (BST from the last Sunday of March to the last Sunday of October, 01:00 UTC),
// so the output does not depend on the machine's time-zone data.

function lastSunday(year, month) {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return last.getUTCDate() - last.getUTCDay();
}

function londonOffset(t) {
  const year = new Date(t).getUTCFullYear();
  const start = Date.UTC(year, 2, lastSunday(year, 2), 1);
  const end = Date.UTC(year, 9, lastSunday(year, 9), 1);
  return t >= start && t < end ? HOUR : 0;
}

/** Weekday (0 = Sunday) and hour of an instant in London. */
function london(t) {
  const local = new Date(t + londonOffset(t));
  return { weekday: local.getUTCDay(), hour: local.getUTCHours() };
}

/** The instant of a London wall-clock time (`day` is the UTC midnight of the date). */
function fromLondon(day, hours) {
  const guess = day + hours * HOUR;
  return guess - londonOffset(guess - HOUR);
}

function isWeekday(t) {
  const { weekday } = london(t);
  return weekday >= 1 && weekday <= 5;
}

/** Mon-Fri 09:00-18:00 Europe/London. */
function isBusinessHours(t) {
  const { weekday, hour } = london(t);
  return weekday >= 1 && weekday <= 5 && hour >= 9 && hour < 18;
}

/** `t` if in business hours, else a moment early in the next business morning. */
function nextBusinessTime(t, random) {
  if (isBusinessHours(t)) return t;
  let day = Math.floor(t / DAY) * DAY;
  for (let i = 0; i < 8; i++) {
    const opening = fromLondon(day, 9);
    if (opening > t && isWeekday(opening)) {
      return opening + random.uniform(5, 90) * MINUTE;
    }
    day += DAY;
  }
  return t;
}

function iso(t) {
  return new Date(Math.floor(t / 1000) * 1000).toISOString();
}

function isoDate(t) {
  return new Date(t).toISOString().slice(0, 10);
}

const MONTHS =
  'January February March April May June July August September October November December'.split(
    ' ',
  );

/** Relative weight of each London hour for work raised by people. */
const WEEKDAY_HOURS = [
  0.12, 0.08, 0.06, 0.06, 0.06, 0.08, 0.15, 0.4, 0.75, 1, 1, 1, 1, 0.9, 1, 1, 1,
  0.9, 0.45, 0.3, 0.25, 0.2, 0.15, 0.12,
];
const WEEKEND_HOURS = [
  0.08, 0.06, 0.05, 0.05, 0.05, 0.05, 0.08, 0.12, 0.2, 0.25, 0.3, 0.3, 0.3, 0.3,
  0.3, 0.3, 0.25, 0.25, 0.2, 0.2, 0.15, 0.12, 0.1, 0.08,
];
const sum = values => values.reduce((a, b) => a + b, 0);
const AVERAGE_DAY_WEIGHT =
  (5 * sum(WEEKDAY_HOURS) + 2 * sum(WEEKEND_HOURS)) / 7;

/**
 * Spreads events over the days of [start, end): about `perMonth(day)` a
 * month, more on weekdays and in office hours (weekendFactor scales
 * weekends). Calls `emit(instant)` for each, in time order. `start` is a UTC
 * midnight; `end` (now) need not be: the day it falls in is drawn whole, as
 * any other, and only what happened before `end` is emitted, so today holds
 * the events of its hours so far and earlier days do not depend on the hour.
 */
function spreadOverDays(random, start, end, perMonth, emit, weekendFactor = 1) {
  for (let day = start; day < end; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const hours = weekend ? WEEKEND_HOURS : WEEKDAY_HOURS;
    const lambda =
      ((perMonth(day) * 12) / 365.25) *
      (sum(hours) / AVERAGE_DAY_WEIGHT) *
      (weekend ? weekendFactor : 1);
    const count = random.poisson(lambda);
    const times = [];
    for (let i = 0; i < count; i++) {
      const hour = random.weighted(hours);
      times.push(fromLondon(day, hour + random.float()));
    }
    times
      .sort((a, b) => a - b)
      .filter(t => t < end)
      .forEach(t => emit(t));
  }
}

// ---------------------------------------------------------------------------
// Catalog

function loadCatalog() {
  const readAll = file =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'))
      .map(doc => doc.toJS())
      .filter(Boolean);
  const groups = new Map();
  const members = new Map();
  for (const entity of readAll('org.yaml')) {
    if (entity.kind === 'Group') {
      groups.set(
        entity.metadata.name,
        entity.metadata.title || entity.metadata.name,
      );
    } else if (entity.kind === 'User') {
      for (const group of entity.spec.memberOf || []) {
        if (!members.has(group)) members.set(group, []);
        members
          .get(group)
          .push(entity.spec.profile?.displayName || entity.metadata.name);
      }
    }
  }
  const components = readAll('components.yaml')
    .filter(entity => entity.kind === 'Component')
    .map(entity => {
      const annotations = entity.metadata.annotations || {};
      const owner = String(entity.spec.owner).replace(
        /^group:(default\/)?/,
        '',
      );
      return {
        name: entity.metadata.name,
        ref: `component:default/${entity.metadata.name}`,
        title: entity.metadata.title || entity.metadata.name,
        type: entity.spec.type,
        tags: entity.metadata.tags || [],
        tier: Number(annotations['backstage-itsm.io/tier'] || 3),
        alwaysOn: annotations['backstage-itsm.io/support-hours'] === '24x7',
        owner,
        team: groups.get(owner) || owner,
        members: members.get(owner) || [],
        system: entity.spec.system,
        sysId: annotations['servicenow.com/ci-sysid'],
        pagerDutyId: annotations['pagerduty.com/service-id'],
      };
    });
  return { components, groups, members };
}

// ---------------------------------------------------------------------------
// Shared record pieces

function makeIds(seed) {
  return key =>
    crypto
      .createHash('sha1')
      .update(`${seed}:${key}`)
      .digest('hex')
      .slice(0, 32);
}

const SERVICENOW = 'https://northwind.service-now.com';
const snowUrl = (table, sysId) =>
  `${SERVICENOW}/nav_to.do?uri=${table}.do?sys_id=${sysId}`;

/**
 * An SLA as the source's SLA engine would report it, cut at `end`:
 * completed or breached when it stopped, cancelled with its record, paused
 * while the record waits on someone (`wait`), otherwise in progress with its
 * breach time. The clock is 24x7 and stops while paused, so the elapsed time
 * (businessElapsedSeconds) is calendar time minus the wait, and breached
 * means elapsed > target; without a wait it equals endAt - startAt.
 */
function sla({ name, kind, target, start, stop, cancelledAt, wait, end }) {
  const seconds = ms => Math.max(0, Math.round(ms / 1000));
  const paused = until =>
    wait
      ? Math.max(0, Math.min(until, wait.to) - Math.max(start, wait.from))
      : 0;
  const elapsed = until => until - start - paused(until);
  const base = {
    name,
    kind,
    targetSeconds: seconds(target),
    startAt: iso(start),
  };
  if (
    stop !== null &&
    stop !== undefined &&
    stop <= end &&
    (cancelledAt === undefined || stop <= cancelledAt)
  ) {
    const breached = seconds(elapsed(stop)) > seconds(target);
    return {
      ...base,
      stage: breached ? 'breached' : 'completed',
      breached,
      endAt: iso(stop),
      breachAt: null,
      businessElapsedSeconds: seconds(elapsed(stop)),
    };
  }
  if (cancelledAt !== undefined && cancelledAt <= end) {
    return {
      ...base,
      stage: 'cancelled',
      breached: seconds(elapsed(cancelledAt)) > seconds(target),
      endAt: iso(cancelledAt),
      breachAt: null,
      businessElapsedSeconds: seconds(elapsed(cancelledAt)),
    };
  }
  const waiting = wait !== undefined && wait.from <= end && end < wait.to;
  return {
    ...base,
    stage: waiting ? 'paused' : 'in_progress',
    breached: seconds(elapsed(end)) > seconds(target),
    endAt: null,
    breachAt: waiting ? null : iso(start + target + paused(end)),
    businessElapsedSeconds: seconds(elapsed(end)),
  };
}

/**
 * Cuts a ticket's life at `end`: which state it is in then, and which of
 * its instants have happened. `life` holds the instants it will have
 * (acknowledged, resolved, closed, cancelled) and `wait`, the interval it
 * spends on hold waiting for someone, if any.
 */
function stateAt(life, end, random) {
  const { opened, acknowledged, resolved, closed, cancelled, wait } = life;
  if (cancelled !== undefined && cancelled <= end) {
    return {
      state: 'cancelled',
      acknowledgedAt:
        acknowledged !== undefined && acknowledged < cancelled
          ? acknowledged
          : null,
      resolvedAt: null,
      closedAt: cancelled,
      updatedAt: cancelled,
    };
  }
  if (resolved !== undefined && resolved <= end) {
    const isClosed = closed !== undefined && closed <= end;
    return {
      state: isClosed ? 'closed' : 'resolved',
      acknowledgedAt: acknowledged ?? null,
      resolvedAt: resolved,
      closedAt: isClosed ? closed : null,
      updatedAt: isClosed ? closed : resolved,
    };
  }
  // Still open at the end.
  const ackd =
    acknowledged !== undefined && acknowledged <= end ? acknowledged : null;
  if (ackd === null) {
    return {
      state: 'new',
      acknowledgedAt: null,
      resolvedAt: null,
      closedAt: null,
      updatedAt: opened,
    };
  }
  if (wait && wait.from <= end && end < wait.to) {
    return {
      state: 'on_hold',
      acknowledgedAt: ackd,
      resolvedAt: null,
      closedAt: null,
      updatedAt: wait.from,
    };
  }
  const last = wait && wait.to <= end ? wait.to : ackd;
  const updatedAt = last + random.float() * (end - last);
  return {
    state: 'in_progress',
    acknowledgedAt: ackd,
    resolvedAt: null,
    closedAt: null,
    updatedAt,
  };
}

/**
 * Exports show today's backlog: of the tickets opened in the last ten days,
 * a share that shrinks with age (`share` for one opened just now) is still
 * open at the end: new (not for `urgent` ones), in progress, or on hold
 * waiting for someone.
 */
function withBacklog(random, life, end, share) {
  const age = (end - life.opened) / DAY;
  if (
    age >= 10 ||
    life.cancelled !== undefined ||
    !random.chance(share * (1 - age / 10))
  ) {
    return life;
  }
  const closeDelay = life.closed - life.resolved;
  const next = { ...life, wait: undefined };
  const r = random.float();
  if (age < 3 && r < 0.2 && !life.urgent) {
    next.acknowledged = end + random.uniform(1, 48) * HOUR;
    next.resolved = next.acknowledged + random.uniform(0.5, 4) * DAY;
  } else if (r < 0.5 && life.acknowledged < end) {
    const from =
      life.acknowledged + random.uniform(0.1, 0.9) * (end - life.acknowledged);
    next.wait = { from, to: end + random.uniform(1, 6) * DAY };
    next.resolved = next.wait.to + random.uniform(1, 24) * HOUR;
  } else {
    next.resolved =
      Math.max(end, life.acknowledged) + random.uniform(0.2, 4) * DAY;
  }
  next.closed = next.resolved + closeDelay;
  return next;
}

/** Sometimes a ticket waits on someone (user, vendor, parts) between `after` and `before`. */
function maybeWait(random, probability, after, before, length) {
  if (!random.chance(probability)) return undefined;
  const from = after + random.uniform(0.1, 0.6) * Math.max(0, before - after);
  return { from, to: from + length };
}

const pad = (n, width) => String(n).padStart(width, '0');

/** Numbers records of one kind in the order they were opened. */
function numberInOrder(records, prefix, first) {
  [...records]
    .sort(
      (a, b) => a._opened - b._opened || (a.externalId < b.externalId ? -1 : 1),
    )
    .forEach((record, i) => {
      record.number = `${prefix}${pad(first + i, 7)}`;
      if (record._numberedUrl) record.url = record._numberedUrl(record.number);
    });
}

// ---------------------------------------------------------------------------
// IT: titles

const BROWSERS = [
  'Safari',
  'Firefox',
  'Edge',
  'Chrome on Android',
  'Safari on iOS 19',
];

/** Incident titles per component: severe ones for P1/P2, the rest for P3/P4. */
const INCIDENT_TITLES = {
  'checkout-web': {
    severe: [
      'Checkout returns HTTP 502 for card payments',
      'Checkout page fails to load for {pct}% of customers',
      'Basket empties on the payment step after release',
      'Orders placed but confirmation page times out',
    ],
    minor: [
      'Delivery slot picker shows wrong slots on {browser}',
      'Promo codes in lower case rejected at checkout',
      'Address lookup slow for Irish Eircodes',
      'Typo in the order summary e-mail',
      'Saved cards not shown to returning customers on {browser}',
    ],
  },
  'payments-api': {
    severe: [
      'Payments API authorisations failing with HTTP 500',
      'Refunds stuck in pending after deploy',
      'Payments API p99 latency above 4 s',
      'Apple Pay payments declined for all customers',
    ],
    minor: [
      'Partial refunds off by 1p (rounding)',
      'Payments API returns 500 instead of 400 for an unknown currency',
      'Duplicate webhook deliveries to the ledger',
      'Overnight capture batch running slow',
    ],
  },
  'card-gateway-adapter': {
    severe: [
      'Acquirer connection down: card authorisations timing out',
      'Acquirer responses mis-mapped after bank certificate change',
      'Card gateway adapter pods crash-looping',
    ],
    minor: [
      'Acquirer response code 05 logged as unknown',
      'Acquirer heartbeat flapping during bank maintenance window',
      'Settlement file upload to acquirer delayed',
    ],
  },
  'ledger-service': {
    severe: [
      'Ledger not recording refunds since 02:00',
      'Ledger double-posting card captures',
    ],
    minor: [
      'Finance export missing the VAT column',
      'Ledger reconciliation report off by {n} entries',
      'Month-end balance query slow',
    ],
  },
  'fraud-scoring': {
    severe: [
      'Fraud scoring timeouts causing checkout declines',
      'Fraud model returns score 0 for every transaction',
    ],
    minor: [
      'Fraud rules screen slow to load',
      'False positives up for gift card orders',
      'Fraud score explanations missing in the agent console',
    ],
  },
  'help-centre': {
    severe: [
      'Help centre down (HTTP 503)',
      'Help centre search returns no results',
    ],
    minor: [
      'Broken images in the returns article',
      'Help centre contact form rejects valid messages as spam',
      'Outdated delivery information on the FAQ page',
      'Help centre slow on {browser}',
    ],
  },
  'ticket-router': {
    severe: [
      'Customer e-mails not routed to agents',
      'Ticket router assigning every ticket to one queue',
    ],
    minor: [
      'VIP tag not applied to priority customers',
      'Routing rule for Welsh-language tickets ignored',
      'Tickets appear in queues {n} minutes late',
    ],
  },
  'live-chat': {
    severe: ['Live chat widget not loading on the website'],
    minor: [
      'Chat transcripts not e-mailed to customers',
      'Typing indicator stuck in live chat',
      'Chat queue waiting time shown wrongly',
      'Agents disconnected from live chat every hour',
    ],
  },
  'agent-console': {
    severe: ['Agent console login fails for all agents'],
    minor: [
      'Order lookup slow in the agent console',
      'Refund button greyed out for supervisors',
      'Customer notes not saved in the agent console',
      'Agent console layout broken on small screens',
    ],
  },
  'identity-service': {
    severe: [
      'SSO login loop for staff on {browser}',
      'SSO outage: staff cannot sign in to internal tools',
      'MFA push notifications not delivered',
      'Customer login returns HTTP 500 after signing key rotation',
    ],
    minor: [
      'Password reset e-mail delayed by {n} minutes',
      'Group sync from the HR system misses new starters',
      'SSO session expires after 10 minutes for some users',
      'SAML metadata for the expenses app out of date',
    ],
  },
  'api-gateway': {
    severe: [
      'API gateway returning 504 for all upstreams',
      'Rate limiting blocks mobile app traffic',
      'TLS handshake failures at the API gateway',
    ],
    minor: [
      'Gateway access logs missing request ids',
      'CORS header missing for the help centre API',
      'Canary route misconfigured for payments-api',
      'Gateway config reload takes {n} minutes',
    ],
  },
  'observability-stack': {
    severe: [
      'Metrics ingestion stopped: dashboards empty',
      'Alerting pipeline down: no pages sent',
    ],
    minor: [
      'Log search slow for queries over 24 hours',
      'Dashboards show no data for ledger-service',
      'Trace sampling dropped to 0 for checkout',
      'Log cluster disk usage above 85%',
    ],
  },
  'ci-runners': {
    severe: ['All CI jobs queued: runners offline'],
    minor: [
      'CI runners out of disk space',
      'Docker layer cache misses slow every build',
      'Flaky network on arm64 runners',
      'CI job logs truncated',
    ],
  },
  'corporate-email': {
    severe: [
      'Outbound e-mail delayed by over an hour',
      'Staff cannot receive external e-mail',
    ],
    minor: [
      'Shared mailbox not visible in Outlook for a new starter',
      'Spam filter quarantining supplier invoices',
      'Calendar invites from partners arrive as attachments',
      'Leeds DC distribution list missing members',
    ],
  },
};
const GENERIC_INCIDENT_TITLES = {
  severe: ['{title} unavailable', '{title} error rate above 20%'],
  minor: ['{title} slow for some users', 'Intermittent errors in {title}'],
};

const CHANGE_TITLES = {
  standard: [
    'Deploy {name} {version}',
    'Deploy {name} {version}',
    'Rotate TLS certificate for {name}',
    'Monthly base image patch for {name}',
    'Scale {name} to {n} replicas',
    'Update feature flags for {name}',
    'Renew API credentials used by {name}',
  ],
  normal: [
    'Release {name} {version}',
    'Database schema migration for {name}',
    'New load balancer pool for {name}',
    'Move {name} to the new Kubernetes cluster',
    'Quarterly dependency upgrade of {name}',
    'Upgrade the runtime of {name} to Node.js 22',
  ],
  emergency: [
    'Emergency: roll back {name} {version}',
    'Emergency: hotfix {name} {version}',
    'Emergency: block abusive traffic to {name}',
    'Emergency: patch {name} for CVE-2026-{cve}',
  ],
};

const PROBLEM_TITLES = [
  'Recurring timeouts between {title} and its database',
  'Memory leak in {title} after long uptime',
  'Connection pool exhaustion in {title} at peak load',
  'Certificate renewal for {title} not automated',
  'Retry storms from clients of {title}',
  'Slow queries in {title} after the nightly batch',
  'Configuration drift between {title} environments',
  'Alerts for {title} fire too late',
];

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
}

// ---------------------------------------------------------------------------
// IT: incidents, changes, problems, feedback

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
const CHANGE_TYPES = { standard: 0.6, normal: 0.35, emergency: 0.05 };
const CHANGE_OUTCOMES = {
  successful: 0.85,
  successful_with_issues: 0.07,
  failed: 0.05,
  cancelled: 0.03,
};
const CHANGE_DURATION = {
  standard: { median: 40 * MINUTE, sigma: 0.4 },
  normal: { median: 2 * HOUR, sigma: 0.5 },
  emergency: { median: 1 * HOUR, sigma: 0.6 },
};
const CHANGE_PRIORITY = { standard: 4, normal: 3, emergency: 2 };

function formatDuration(ms) {
  if (ms < HOUR) return `${Math.round(ms / MINUTE)} min`;
  if (ms < DAY) return `${ms / HOUR} h`;
  return ms === DAY ? '1 day' : `${ms / DAY} days`;
}

/** A planned change window: tier 1 mostly out of hours, others mostly in office hours. */
function changeWindow(random, component, monthStart, type) {
  const day = monthStart + random.int(0, 29) * DAY;
  if (type === 'emergency') {
    return fromLondon(day, random.uniform(0, 24));
  }
  const outOfHours = random.chance(component.tier === 1 ? 0.85 : 0.3);
  const weekday = new Date(day).getUTCDay();
  if (outOfHours) {
    return weekday === 0 || weekday === 6
      ? fromLondon(day, random.uniform(6, 10))
      : fromLondon(day, random.uniform(20, 23.5));
  }
  // Tuesday to Thursday, late morning or early afternoon.
  const shift = [2, 1, 0, 0, 0, 5, 4][weekday];
  return fromLondon(day + shift * DAY, random.uniform(10, 16));
}

function generateIt(catalog, { seed, start, end }) {
  const id = makeIds(seed);
  const itComponents = catalog.components.filter(c => c.tags.includes('it'));
  const records = [];
  const feedback = [];
  const incidents = [];
  const changes = [];
  const problems = [];
  const stats = { causedByChange: 0, slas: 0, slasBreached: 0 };
  let pairCount = 0;

  for (const component of itComponents) {
    const random = new Random(seed, `it:${component.name}`);
    const assignee = () => random.pick(component.members) ?? null;
    const mappings = () => [
      { annotation: 'servicenow.com/ci-sysid', value: component.sysId },
    ];
    const version = {
      major: random.int(1, 5),
      minor: random.int(0, 20),
      patch: 0,
    };
    const nextVersion = type => {
      if (type === 'normal') {
        version.minor++;
        version.patch = 0;
      } else {
        version.patch++;
      }
      return `${version.major}.${version.minor}.${version.patch}`;
    };

    // Changes -------------------------------------------------------------
    const makeChange = (
      key,
      { type, outcome, plannedStart, opened, actualStart, actualEnd },
    ) => {
      const sysId = id(`change:${component.name}:${key}`);
      const duration = random.lognormal(
        CHANGE_DURATION[type].median,
        CHANGE_DURATION[type].sigma,
      );
      const plannedEnd =
        plannedStart +
        Math.max(
          15 * MINUTE,
          Math.round(duration / (15 * MINUTE)) * 15 * MINUTE,
        );
      const titleVersion = nextVersion(type);
      const title = fill(random.pick(CHANGE_TITLES[type]), {
        name: component.name,
        version: titleVersion,
        n: random.int(3, 12),
        cve: random.int(10000, 49999),
      });
      let state;
      let closedAt = null;
      let actual = { start: null, end: null };
      let finalOutcome = null;
      if (outcome === 'cancelled') {
        const cancelledAt = Math.max(
          opened + 10 * MINUTE,
          plannedStart - random.uniform(1, 48) * HOUR,
        );
        if (cancelledAt <= end) {
          state = 'cancelled';
          closedAt = cancelledAt;
          finalOutcome = 'cancelled';
        } else {
          state = 'new';
        }
      } else {
        const aStart =
          actualStart ?? plannedStart + random.uniform(-5, 20) * MINUTE;
        const aEnd =
          actualEnd ??
          aStart +
            duration *
              (outcome === 'failed'
                ? random.uniform(1.2, 2)
                : random.uniform(0.7, 1.2));
        const closed =
          aEnd + Math.max(30 * MINUTE, random.lognormal(18 * HOUR, 0.6));
        if (aStart > end) {
          state = 'new';
        } else if (aEnd > end) {
          state = 'in_progress';
          actual = { start: aStart, end: null };
        } else {
          actual = { start: aStart, end: aEnd };
          finalOutcome = outcome;
          if (closed <= end) {
            state = 'closed';
            closedAt = closed;
          } else {
            state = 'resolved';
          }
        }
      }
      // The last change of the record, never later than just before the end.
      const lastEvent =
        closedAt ??
        actual.end ??
        actual.start ??
        opened + random.uniform(0, 2) * HOUR;
      const updated = Math.max(opened, Math.min(end - MINUTE, lastEvent));
      const change = {
        externalId: sysId,
        kind: 'change',
        number: null,
        title,
        url: snowUrl('change_request', sysId),
        state,
        priority: CHANGE_PRIORITY[type],
        openedAt: iso(opened),
        acknowledgedAt: null,
        resolvedAt: null,
        closedAt: closedAt === null ? null : iso(closedAt),
        changeType: type,
        plannedStart: iso(plannedStart),
        plannedEnd: iso(plannedEnd),
        actualStart: actual.start === null ? null : iso(actual.start),
        actualEnd: actual.end === null ? null : iso(actual.end),
        outcome: finalOutcome,
        assignmentGroup: component.team,
        assignee: assignee(),
        sourceUpdatedAt: iso(updated),
        entityRefs: [],
        mappings: mappings(),
        slas: [],
        payload: {
          source: 'servicenow',
          table: 'change_request',
          sys_id: sysId,
          cmdb_ci: component.sysId,
        },
        _opened: opened,
        _component: component.name,
      };
      changes.push(change);
      return change;
    };

    // Monthly changes, including some already scheduled after the end.
    let changeIndex = 0;
    for (
      let monthStart = start;
      monthStart < end + 15 * DAY;
      monthStart += 30 * DAY
    ) {
      const count =
        component.tier === 1
          ? random.int(5, 8)
          : component.tier === 2
          ? random.int(3, 6)
          : random.int(3, 5);
      for (let i = 0; i < count; i++) {
        const type = random.weighted(CHANGE_TYPES);
        const outcome = random.weighted(CHANGE_OUTCOMES);
        const plannedStart = changeWindow(random, component, monthStart, type);
        const lead =
          type === 'standard'
            ? random.uniform(1, 3) * DAY
            : type === 'normal'
            ? random.uniform(5, 14) * DAY
            : random.uniform(20, 180) * MINUTE;
        const opened = plannedStart - lead;
        if (opened < start || opened >= end) continue;
        makeChange(changeIndex++, { type, outcome, plannedStart, opened });
      }
    }

    // Problems ------------------------------------------------------------
    const componentProblems = [];
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
        const sysId = id(`problem:${component.name}:${quarter}:${i}`);
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
        const problem = {
          externalId: sysId,
          kind: 'problem',
          number: null,
          title: fill(random.pick(PROBLEM_TITLES), { title: component.title }),
          url: snowUrl('problem', sysId),
          state: s.state,
          priority: Number(random.weighted({ 2: 0.2, 3: 0.55, 4: 0.25 })),
          openedAt: iso(opened),
          acknowledgedAt:
            s.acknowledgedAt === null ? null : iso(s.acknowledgedAt),
          resolvedAt: s.resolvedAt === null ? null : iso(s.resolvedAt),
          closedAt: s.closedAt === null ? null : iso(s.closedAt),
          assignmentGroup: component.team,
          assignee: assignee(),
          sourceUpdatedAt: iso(s.updatedAt),
          entityRefs: [],
          mappings: mappings(),
          slas: [],
          payload: {
            source: 'servicenow',
            table: 'problem',
            sys_id: sysId,
            cmdb_ci: component.sysId,
          },
          _opened: opened,
          _until: s.resolvedAt ?? end,
        };
        problems.push(problem);
        componentProblems.push(problem);
      }
    }

    // Incidents -----------------------------------------------------------
    const monthFactor = Array.from({ length: 14 }, () =>
      random.lognormal(1, 0.25),
    );
    const perMonth = day =>
      INCIDENTS_PER_MONTH[component.tier] *
      monthFactor[Math.floor((day - start) / (30.44 * DAY))];
    const titles = INCIDENT_TITLES[component.name] ?? GENERIC_INCIDENT_TITLES;
    let incidentIndex = 0;
    spreadOverDays(random, start, end, perMonth, opened => {
      const priority = Number(random.weighted(PRIORITY_MIX));
      const severe = priority <= 2;
      const sysId = id(`incident:${component.name}:${incidentIndex++}`);
      const title = fill(random.pick(severe ? titles.severe : titles.minor), {
        browser: random.pick(BROWSERS),
        pct: random.int(5, 40),
        n: random.int(3, 40),
        title: component.title,
      });

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
      // A reopened incident still open at the end keeps its reopen count.
      const s = stateAt(life, end, random);

      let impactStart = null;
      let impactEnd = null;
      if (severe) {
        impactStart = opened - random.uniform(1, 15) * MINUTE;
        const restored =
          opened + (firstResolved - opened) * random.uniform(0.7, 0.95);
        impactEnd =
          restored <= end && s.state !== 'cancelled' ? restored : null;
        if (s.state === 'cancelled') impactEnd = s.closedAt;
      }

      const incidentMappings = mappings();
      let pagerDutyIncident;
      if (severe && component.pagerDutyId && random.chance(0.5)) {
        incidentMappings.push({
          annotation: 'pagerduty.com/service-id',
          value: component.pagerDutyId,
        });
        pagerDutyIncident = `Q${id(`pd:${sysId}`).slice(0, 13).toUpperCase()}`;
      }

      const slas = [
        sla({
          name: `P${priority} response (${formatDuration(
            RESPONSE_TARGET[priority],
          )})`,
          kind: 'response',
          target: RESPONSE_TARGET[priority],
          start: opened,
          stop: s.acknowledgedAt,
          cancelledAt: s.state === 'cancelled' ? s.closedAt : undefined,
          end,
        }),
        sla({
          name: `P${priority} resolution (${formatDuration(
            RESOLUTION_TARGET[priority],
          )})`,
          kind: 'resolution',
          target: RESOLUTION_TARGET[priority],
          start: opened,
          stop: s.resolvedAt,
          cancelledAt: s.state === 'cancelled' ? s.closedAt : undefined,
          wait: life.wait,
          end,
        }),
      ];

      const incident = {
        externalId: sysId,
        kind: 'incident',
        number: null,
        title,
        url: snowUrl('incident', sysId),
        state: s.state,
        priority,
        openedAt: iso(opened),
        acknowledgedAt:
          s.acknowledgedAt === null ? null : iso(s.acknowledgedAt),
        resolvedAt: s.resolvedAt === null ? null : iso(s.resolvedAt),
        closedAt: s.closedAt === null ? null : iso(s.closedAt),
        impactStart: impactStart === null ? null : iso(impactStart),
        impactEnd:
          impactEnd === null
            ? null
            : iso(Math.max(impactEnd, impactStart + MINUTE)),
        causedByChange: null,
        problemId: null,
        reopenCount,
        assignmentGroup: component.team,
        assignee: s.state === 'new' ? null : assignee(),
        sourceUpdatedAt: iso(s.updatedAt),
        entityRefs: [],
        mappings: incidentMappings,
        slas,
        payload: {
          source: 'servicenow',
          table: 'incident',
          sys_id: sysId,
          cmdb_ci: component.sysId,
          ...(pagerDutyIncident
            ? { pagerduty_incident: pagerDutyIncident }
            : {}),
        },
        _opened: opened,
        _component: component,
      };

      // Some P1/P2 incidents follow a change to the same component that
      // ended 0-6 hours earlier: half of those changes had gone wrong, half
      // looked successful.
      if (severe && s.state !== 'cancelled' && random.chance(0.08)) {
        const actualEnd = opened - random.uniform(0.25, 6) * HOUR;
        const type = random.weighted({
          standard: 0.3,
          normal: 0.6,
          emergency: 0.1,
        });
        const actualStart =
          actualEnd -
          random.lognormal(
            CHANGE_DURATION[type].median,
            CHANGE_DURATION[type].sigma,
          );
        const plannedStart = actualStart - random.uniform(0, 15) * MINUTE;
        const lead =
          type === 'emergency'
            ? random.uniform(20, 120) * MINUTE
            : random.uniform(1, 7) * DAY;
        if (plannedStart - lead >= start) {
          const outcome =
            pairCount++ % 2 === 0
              ? 'successful'
              : random.chance(0.6)
              ? 'failed'
              : 'successful_with_issues';
          const change = makeChange(`cause:${incidentIndex}`, {
            type,
            outcome,
            plannedStart,
            opened: plannedStart - lead,
            actualStart,
            actualEnd,
          });
          incident.causedByChange = change.externalId;
          stats.causedByChange++;
        }
      }

      // About one in five P1-P3 incidents is linked to a known problem.
      if (priority <= 3) {
        const candidates = componentProblems.filter(
          p => p._opened - 45 * DAY <= opened && opened <= p._until,
        );
        if (candidates.length > 0 && random.chance(0.25)) {
          incident.problemId = random.pick(candidates).externalId;
        }
      }

      incidents.push(incident);
    });

    // CSAT on about 30% of resolved incidents --------------------------------
    for (const incident of incidents.filter(i => i._component === component)) {
      if (incident.resolvedAt === null || !random.chance(0.3)) continue;
      const resolvedAt = Date.parse(incident.resolvedAt);
      const respondedAt =
        resolvedAt + Math.max(2 * MINUTE, random.lognormal(5 * HOUR, 1));
      if (respondedAt > end) continue;
      const ratio =
        (resolvedAt - incident._opened) / RESOLUTION_TARGET[incident.priority];
      const weights =
        ratio < 0.5
          ? [2, 2, 6, 30, 60]
          : ratio < 1
          ? [3, 5, 12, 38, 42]
          : [15, 20, 25, 25, 15];
      const score = Number(random.weighted(weights)) + 1;
      feedback.push({
        externalId: id(`csat:${incident.externalId}`),
        recordExternalId: incident.externalId,
        entityRef: null,
        scale: 'csat5',
        score,
        respondedAt: iso(respondedAt),
        comment: random.chance(0.35)
          ? random.pick(
              CSAT_COMMENTS[score >= 4 ? 'good' : score === 3 ? 'ok' : 'bad'],
            )
          : null,
      });
    }
  }

  // NPS: a quarterly survey per IT system, answers about its components.
  const systems = [...new Set(itComponents.map(c => c.system))].sort();
  for (const system of systems) {
    const random = new Random(seed, `nps:${system}`);
    const members = itComponents.filter(c => c.system === system);
    const profile = NPS_PROFILES[system] ?? NPS_PROFILES.default;
    const first = new Date(start);
    let wave = 0;
    for (
      let y = first.getUTCFullYear(), m = 2;
      y <= new Date(end).getUTCFullYear();
      m += 3
    ) {
      if (m > 11) {
        m -= 12;
        y++;
      }
      const opens = fromLondon(Date.UTC(y, m, 15), 9);
      if (opens >= end) break;
      if (opens < start) continue;
      const answers = random.int(18, 22);
      for (let i = 0; i < answers; i++) {
        const respondedAt = opens + random.lognormal(2 * DAY, 0.8);
        if (respondedAt >= end || respondedAt > opens + 14 * DAY) continue;
        // Scores improve a little from one survey to the next.
        const weights = profile.map(
          (w, score) =>
            w * (1 + 0.06 * wave * (score >= 9 ? 1 : score <= 6 ? -1 : 0)),
        );
        const score = Number(random.weighted(weights));
        const component = random.pick(members);
        feedback.push({
          externalId: id(`nps:${system}:${y}-${m}:${i}`),
          recordExternalId: null,
          entityRef: component.ref,
          scale: 'nps10',
          score,
          respondedAt: iso(respondedAt),
          comment: random.chance(0.3)
            ? random.pick(
                NPS_COMMENTS[
                  score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor'
                ],
              )
            : null,
        });
      }
      wave++;
    }
  }

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
  records.push(...incidents, ...changes, ...problems);
  return { records, feedback, stats };
}

const CSAT_COMMENTS = {
  good: [
    'Thanks, all working again.',
    'Clear updates throughout.',
    'Thanks for keeping us posted.',
    'Friendly and helpful.',
    'Great work, thank you!',
  ],
  ok: [
    'Fixed in the end, but updates were sparse.',
    'Fine, though I had to chase once.',
    'OK.',
  ],
  bad: [
    'Took far too long.',
    'Nobody told us it was fixed.',
    'Had to raise it twice.',
    'Closed without checking with me.',
  ],
};

const NPS_COMMENTS = {
  promoter: [
    'The platform team is always quick to help.',
    'Deploys are painless now.',
    'Great documentation and on-call support.',
  ],
  passive: [
    'Mostly fine, some slow weeks.',
    'Good, but the change process is heavy.',
    'Works, could be faster.',
  ],
  detractor: [
    'Too many outages this quarter.',
    'Hard to find out who owns what.',
    'Tickets sit in the queue for days.',
  ],
};

/** Weights of NPS scores 0..10 per system. */
const NPS_PROFILES = {
  'payments-platform': [1, 1, 1, 2, 2, 3, 5, 10, 22, 26, 27],
  'customer-support-platform': [2, 2, 2, 3, 4, 6, 8, 15, 22, 18, 18],
  'core-platform': [3, 3, 4, 5, 6, 8, 10, 17, 19, 13, 12],
  default: [2, 2, 2, 3, 4, 6, 8, 15, 22, 18, 18],
};

// ---------------------------------------------------------------------------
// HR cases and facilities work orders

const FIRST_NAMES = [
  'Hannah',
  'Marcus',
  'Aisha',
  'Oliver',
  'Chloe',
  'Ravi',
  'Sophie',
  'Tomasz',
  'Grace',
  'Daniel',
  'Zara',
  'Liam',
  'Elena',
  'Kofi',
  'Isla',
  'Mateo',
  'Freya',
  'Arjun',
  'Niamh',
  'Yusuf',
  'Ella',
  'Callum',
  'Maya',
  'Owen',
  'Leah',
  'Jakub',
  'Amelia',
  'Connor',
  'Nadia',
  'Rhys',
];
const LAST_NAMES = [
  'Whitfield',
  'Lee',
  'Khan',
  'Grant',
  'Evans',
  'Patel',
  'Turner',
  'Nowak',
  'Hughes',
  'Byrne',
  'Ahmed',
  'Walsh',
  'Popescu',
  'Boateng',
  'Campbell',
  'Silva',
  'Morgan',
  'Sharma',
  'Doyle',
  'Yilmaz',
  'Price',
  'MacLeod',
  'Fischer',
  'Owusu',
  'Jenkins',
  'Kowalski',
  'Reid',
  'Murray',
  'Hassan',
  'Lloyd',
];
const DEPARTMENTS = [
  'Finance',
  'Marketing',
  'Buying',
  'Logistics',
  'Warehouse Operations',
  'Customer Support',
  'Engineering',
  'Stores',
  'Legal',
];

// The subjects of HR cases and facilities work orders. The person a case is
// about is not in its subject but in the export's own columns (Employee Name,
// Requested By), which the modules' personalFields redact.
const HR_CATEGORIES = {
  'employee-onboarding': {
    weight: 0.3,
    fulfil: { median: 1.6 * DAY, sigma: 0.7 },
    titles: [
      'Onboarding: new starter in {dept}, start {date}',
      'Onboarding: new joiner in {dept} on {date}, laptop and badge needed',
      'Onboarding: contract and right-to-work check ({dept}), start {date}',
    ],
  },
  'employee-offboarding': {
    weight: 0.18,
    fulfil: { median: 1.4 * DAY, sigma: 0.7 },
    titles: [
      'Offboarding: leaver in {dept}, last day {date}',
      'Offboarding: equipment return and final pay ({dept})',
      'Offboarding: revoke access, last day {date}',
    ],
  },
  payroll: {
    weight: 0.3,
    fulfil: { median: 0.9 * DAY, sigma: 0.7 },
    titles: [
      'Payroll: overtime missing from {month} payslip',
      'Payroll: change of bank details',
      'Payroll: tax code query ({dept})',
      'Payroll: expenses not reimbursed',
      'Payroll: salary increase not applied ({dept})',
    ],
  },
  'leave-management': {
    weight: 0.22,
    fulfil: { median: 0.7 * DAY, sigma: 0.8 },
    titles: [
      'Leave: parental leave from {date}',
      'Leave: holiday balance wrong ({dept})',
      'Leave: sick leave record correction',
      'Leave: unpaid leave request, {weeks} weeks',
    ],
  },
};

const SITES = ['London HQ', 'Leeds DC', 'Bristol office'];
const FACILITIES_CATEGORIES = {
  'building-climate': {
    weight: 0.32,
    fulfil: { median: 7 * HOUR, sigma: 0.9 },
    titles: [
      'HVAC: meeting room {room} too warm',
      'HVAC: meeting room {room} too cold',
      'HVAC: no heating on floor {floor}, {site}',
      'HVAC: noisy air handling unit, {site}',
      'HVAC: server room temperature alarm, {site}',
    ],
  },
  'building-access': {
    weight: 0.25,
    fulfil: { median: 3 * HOUR, sigma: 0.9 },
    titles: [
      'Access: badge not working at {site} gate {gate}',
      'Access: visitor badges for {n} guests at {site} reception',
      'Access: door {room} does not lock',
      'Access: badge reader offline on floor {floor}, {site}',
    ],
  },
  'meeting-rooms': {
    weight: 0.25,
    fulfil: { median: 5 * HOUR, sigma: 0.9 },
    titles: [
      'Meeting room {room}: screen will not connect',
      'Meeting room {room}: video bar has no audio',
      'Meeting room {room}: booking panel offline',
      'Meeting room {room}: chairs missing',
    ],
  },
  'desk-booking': {
    weight: 0.18,
    fulfil: { median: 1 * DAY, sigma: 0.8 },
    titles: [
      'Desk booking: floor {floor} map shows removed desks',
      'Desk booking: cannot book desks for next week',
      'Desk booking: check-in QR code missing on desk {room}',
    ],
  },
};
const FACILITIES_TARGET = { 2: 8 * HOUR, 3: 2 * DAY, 4: 5 * DAY };
const HR_TARGET = { 3: 3 * DAY, 4: 5 * DAY };

/** HVAC trouble follows the weather: more in summer and winter. */
function climateSeason(t) {
  const month = new Date(t).getUTCMonth();
  return [1.4, 1.3, 1, 0.8, 0.9, 1.3, 1.6, 1.5, 1, 0.8, 1, 1.3][month];
}

function generateRequests(catalog, { seed, start, end }, department) {
  const id = makeIds(seed);
  const hr = department === 'hr';
  const categories = hr ? HR_CATEGORIES : FACILITIES_CATEGORIES;
  const owner = hr ? 'hr-operations' : 'facilities';
  const components = new Map(
    catalog.components.filter(c => c.owner === owner).map(c => [c.name, c]),
  );
  const members = catalog.members.get(owner) ?? [];
  const group = catalog.groups.get(owner) ?? owner;
  const random = new Random(seed, department);
  const people = new Random(seed, `${department}:people`);
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
      const category = categories[name];
      const component = components.get(name);
      if (!component) return;
      const sysId = id(`${department}:${index++}`);
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

      let priority;
      if (hr) {
        priority =
          name === 'payroll'
            ? random.chance(0.7)
              ? 3
              : 4
            : random.chance(0.2)
            ? 3
            : 4;
      } else {
        priority =
          title.includes('server room') || title.includes('does not lock')
            ? 2
            : random.chance(0.37)
            ? 3
            : 4;
      }
      const target = (hr ? HR_TARGET : FACILITIES_TARGET)[priority];
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
        hr
          ? random.lognormal(2.5 * DAY, 0.6)
          : random.lognormal(2.5 * DAY, 0.7),
      );
      const resolved = nextBusinessTime(
        worked + (wait ? wait.to - wait.from : 0),
        random,
      );
      const cancelled = random.chance(0.03)
        ? opened + random.uniform(1, 30) * HOUR
        : undefined;
      const life = withBacklog(
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
      const s = stateAt(life, end, random);
      records.push({
        externalId: sysId,
        kind: 'request',
        number: null,
        title,
        url: null,
        state: s.state,
        priority,
        openedAt: iso(opened),
        acknowledgedAt:
          s.acknowledgedAt === null ? null : iso(s.acknowledgedAt),
        resolvedAt: s.resolvedAt === null ? null : iso(s.resolvedAt),
        closedAt: s.closedAt === null ? null : iso(s.closedAt),
        reopenCount: 0,
        assignmentGroup: hr ? 'HR Operations' : 'Facilities',
        assignee: s.state === 'new' ? null : random.pick(members) ?? null,
        sourceUpdatedAt: iso(s.updatedAt),
        entityRefs: [component.ref],
        mappings: [],
        slas: [
          sla({
            name: hr
              ? `HR resolution (${formatDuration(target)})`
              : `Promised time (${formatDuration(target)})`,
            kind: 'resolution',
            target,
            start: opened,
            stop: s.resolvedAt,
            cancelledAt: s.state === 'cancelled' ? s.closedAt : undefined,
            wait: life.wait,
            end,
          }),
        ],
        payload: hr
          ? { source: 'northwind-hr', category: name, group }
          : { source: 'northwind-facilities', category: name, group },
        _opened: opened,
        _category: name,
        _contact: contact,
        _numberedUrl: hr
          ? n => `https://hr.northwind.example/cases/${n}`
          : n => `https://facilities.northwind.example/work-orders/${n}`,
      });
    },
    hr ? 0.05 : 0.35,
  );
  numberInOrder(records, hr ? 'HRC' : 'WO', 1001);
  return { records };
}

// ---------------------------------------------------------------------------
// HR and facilities exports: what the source systems would hand over, in
// their own columns and words. app-config.yaml maps them back (itsm.hr and
// itsm.facilities sources of the HR and facilities modules).

/** A BambooHR-like case export. */
const HR_EXPORT = {
  file: 'hr/bamboohr-cases.csv',
  delimiter: ',',
  categories: {
    'employee-onboarding': 'New Hire',
    'employee-offboarding': 'Termination',
    payroll: 'Payroll',
    'leave-management': 'Time Off',
  },
  priorities: { 2: 'High', 3: 'Normal', 4: 'Low' },
  states: {
    new: 'Open',
    in_progress: 'In Progress',
    on_hold: 'Waiting on Employee',
    resolved: 'Completed',
    closed: 'Closed',
    cancelled: 'Cancelled',
  },
  slaStages: {
    completed: 'Met',
    breached: 'Breached',
    in_progress: 'Running',
    paused: 'Paused',
    cancelled: 'Cancelled',
  },
};

/** A CAFM-like work order export: semicolons, UK local times. */
const FACILITIES_EXPORT = {
  file: 'facilities/cafm-work-orders.csv',
  delimiter: ';',
  categories: {
    'building-climate': 'Heating & Ventilation',
    'building-access': 'Access Control',
    'meeting-rooms': 'Meeting Room AV',
    'desk-booking': 'Desk Booking',
  },
  priorities: { 2: 'P2 - Urgent', 3: 'P3 - Normal', 4: 'P4 - Planned' },
  states: {
    new: 'Logged',
    in_progress: 'In Progress',
    on_hold: 'On Hold - Awaiting Parts',
    resolved: 'Completed',
    closed: 'Closed',
    cancelled: 'Cancelled',
  },
  slaStages: {
    completed: 'Achieved',
    breached: 'Failed',
    in_progress: 'Running',
    paused: 'Paused',
    cancelled: 'Cancelled',
  },
};

function emailOf(person) {
  return `${person.toLowerCase().replace(/[^a-z]+/g, '.')}@northwind.example`;
}

/** Seconds as hours, to the second. */
function hours(seconds) {
  return seconds === null || seconds === undefined
    ? ''
    : String(Number((seconds / 3600).toFixed(6)));
}

/** `dd/MM/yyyy HH:mm` on the Europe/London wall clock, as a UK CAFM writes it. */
function ukLocal(t) {
  if (t === null || t === undefined) return '';
  const minute = Math.floor(t / MINUTE) * MINUTE;
  const local = new Date(minute + londonOffset(minute));
  return `${pad(local.getUTCDate(), 2)}/${pad(
    local.getUTCMonth() + 1,
    2,
  )}/${local.getUTCFullYear()} ${pad(local.getUTCHours(), 2)}:${pad(
    local.getUTCMinutes(),
    2,
  )}`;
}

/**
 * The time a work order was promised by: when its SLA breaches if it runs,
 * else its stop plus what was left of its target, else start plus target.
 */
function promisedAt(sla) {
  if (sla.breachAt) return Date.parse(sla.breachAt);
  if (sla.endAt) {
    return (
      Date.parse(sla.endAt) +
      (sla.targetSeconds - sla.businessElapsedSeconds) * 1000
    );
  }
  return Date.parse(sla.startAt) + sla.targetSeconds * 1000;
}

function hrCaseRow(r) {
  const c = r._contact;
  const sla = r.slas[0];
  return {
    'Case ID': r.number,
    'Employee ID': c.employeeId,
    'Employee Name': c.person,
    'Employee Email': emailOf(c.person),
    Manager: c.manager,
    Department: c.dept,
    Category: HR_EXPORT.categories[r._category],
    Subject: r.title,
    Priority: HR_EXPORT.priorities[r.priority],
    Status: HR_EXPORT.states[r.state],
    Created: r.openedAt,
    'First Response': r.acknowledgedAt ?? '',
    Completed: r.resolvedAt ?? '',
    Closed: r.closedAt ?? '',
    'Assigned To': r.assignee ?? '',
    Team: r.assignmentGroup,
    'Last Modified': r.sourceUpdatedAt,
    'SLA Policy': sla.name,
    'SLA Status': HR_EXPORT.slaStages[sla.stage],
    'SLA Breached': sla.breached ? 'Yes' : 'No',
    'SLA Target (hours)': hours(sla.targetSeconds),
    'SLA Elapsed (hours)': hours(sla.businessElapsedSeconds),
    'SLA Due': sla.breachAt ?? '',
    'SLA Stopped': sla.endAt ?? '',
  };
}

function workOrderRow(r) {
  const c = r._contact;
  const sla = r.slas[0];
  const at = value => (value ? ukLocal(Date.parse(value)) : '');
  return {
    'WO Number': r.number,
    'Problem Type': FACILITIES_EXPORT.categories[r._category],
    Description: r.title,
    Site: c.site,
    Priority: FACILITIES_EXPORT.priorities[r.priority],
    Status: FACILITIES_EXPORT.states[r.state],
    Logged: at(r.openedAt),
    Attended: at(r.acknowledgedAt),
    Completed: at(r.resolvedAt),
    Closed: at(r.closedAt),
    'Target Completion': ukLocal(promisedAt(sla)),
    Trade: r.assignmentGroup,
    Engineer: r.assignee ?? '',
    'Requested By': c.person,
    'Requester Email': emailOf(c.person),
    'Last Updated': at(r.sourceUpdatedAt),
    SLA: sla.name,
    'SLA Status': FACILITIES_EXPORT.slaStages[sla.stage],
    'SLA Breached': sla.breached ? 'Y' : 'N',
    'SLA Target (h)': hours(sla.targetSeconds),
    'SLA Elapsed (h)': hours(sla.businessElapsedSeconds),
    'SLA Due': at(sla.breachAt),
    'SLA Stopped': at(sla.endAt),
  };
}

function csvCell(value, delimiter) {
  const text = value === null || value === undefined ? '' : String(value);
  return text.includes(delimiter) || /["\r\n]/.test(text)
    ? `"${text.replace(/"/g, '""')}"`
    : text;
}

function writeCsv(file, rows, delimiter) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
  const lines = [columns, ...rows.map(row => columns.map(c => row[c]))].map(
    cells => cells.map(cell => csvCell(cell, delimiter)).join(delimiter),
  );
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return fs.statSync(file).size;
}

// ---------------------------------------------------------------------------
// Output

function byOpened(a, b) {
  return (
    a._opened - b._opened ||
    (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0)
  );
}

function strip(item) {
  const out = {};
  for (const [key, value] of Object.entries(item)) {
    if (!key.startsWith('_') && value !== undefined) out[key] = value;
  }
  return out;
}

function writeNdjson(file, items) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = items.map(item => JSON.stringify(strip(item))).join('\n');
  fs.writeFileSync(file, items.length > 0 ? `${text}\n` : '');
  return fs.statSync(file).size;
}

function main() {
  const started = process.hrtime.bigint();
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error.message}\n\n${usage()}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  // The history is cut at `now`: records are in the state they are in then,
  // and nothing is dated after it (but what is planned or promised).
  const { seed, now: end, out } = options;
  const endDate = new Date(end);
  // Twelve months back, from UTC midnight (days are drawn whole).
  const start = Date.UTC(
    endDate.getUTCFullYear(),
    endDate.getUTCMonth() - 12,
    endDate.getUTCDate(),
  );
  const context = { seed, start, end };

  const catalog = loadCatalog();
  const it = generateIt(catalog, context);
  const hr = generateRequests(catalog, context, 'hr');
  const facilities = generateRequests(catalog, context, 'facilities');

  const feedbackOrder = (a, b) =>
    a.respondedAt < b.respondedAt
      ? -1
      : a.respondedAt > b.respondedAt
      ? 1
      : a.externalId < b.externalId
      ? -1
      : 1;
  const files = [
    ['it/records.ndjson', it.records.sort(byOpened)],
    ['it/feedback.ndjson', it.feedback.sort(feedbackOrder)],
  ];
  const sizes = files.map(([name, items]) => [
    name,
    items.length,
    writeNdjson(path.join(out, name), items),
  ]);
  for (const [spec, records, toRow] of [
    [HR_EXPORT, hr.records, hrCaseRow],
    [FACILITIES_EXPORT, facilities.records, workOrderRow],
  ]) {
    const rows = records.sort(byOpened).map(toRow);
    sizes.push([
      spec.file,
      rows.length,
      writeCsv(path.join(out, spec.file), rows, spec.delimiter),
    ]);
  }
  // Earlier versions wrote these for the file provider; nothing reads them now.
  for (const stale of ['hr/records.ndjson', 'facilities/records.ndjson']) {
    fs.rmSync(path.join(out, stale), { force: true });
  }

  // Summary -----------------------------------------------------------------
  const lines = [];
  const endLabel =
    end % DAY === 0 ? isoDate(end) : iso(end).replace('.000Z', 'Z');
  lines.push(
    `ITSM demo data, seed ${seed}, ${isoDate(
      start,
    )} to ${endLabel} (exclusive), in ${out}`,
  );
  const count = (items, keyOf) => {
    const counts = {};
    for (const item of items)
      counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
    return Object.entries(counts)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  };
  const open = r => ['new', 'in_progress', 'on_hold'].includes(r.state);
  for (const [department, records] of [
    ['it', it.records],
    ['hr', hr.records],
    ['facilities', facilities.records],
  ]) {
    lines.push(
      `  ${department}: ${count(records, r => r.kind)}; open at the end: ${
        count(records.filter(open), r => `${r.kind} ${r.state}`) || 'none'
      }`,
    );
  }
  const incidents = it.records.filter(r => r.kind === 'incident');
  lines.push(
    `  it incidents by priority: ${count(incidents, r => `P${r.priority}`)}`,
  );
  lines.push(
    `  it changes by outcome: ${count(
      it.records.filter(r => r.kind === 'change' && r.outcome),
      r => r.outcome,
    )}; caused incidents ${it.stats.causedByChange}`,
  );
  lines.push(
    `  it incident SLAs met: ${(
      100 *
      (1 - it.stats.slasBreached / it.stats.slas)
    ).toFixed(1)}% of ${it.stats.slas}`,
  );
  lines.push(`  it feedback: ${count(it.feedback, f => f.scale)}`);
  let total = 0;
  for (const [name, n, size] of sizes) {
    total += size;
    lines.push(
      `  ${name.padEnd(32)} ${String(n).padStart(5)} items ${(size / 1024)
        .toFixed(0)
        .padStart(6)} KiB`,
    );
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  lines.push(
    `  total ${(total / 1024 / 1024).toFixed(1)} MiB in ${ms.toFixed(0)} ms`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) {
  main();
}

module.exports = {
  parseArgs,
  mulberry32,
  londonOffset,
  fromLondon,
  HR_EXPORT,
  FACILITIES_EXPORT,
};
