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

// IT feedback: CSAT answers about resolved incidents and the answers of a
// quarterly NPS survey about each IT system's components.

'use strict';

const { DAY, HOUR, MINUTE, fromLondon, iso } = require('./time');
const { Random } = require('./random');
const { RESOLUTION_TARGET } = require('./itIncidents');

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

/** A survey answer, with a comment picked from `comments` at `commentChance`. */
function answer(random, fields, commentChance, comments) {
  return {
    ...fields,
    comment: random.chance(commentChance) ? random.pick(comments) : null,
  };
}

/** CSAT on about 30% of the resolved `incidents` of the component of `ctx`. */
function csatAnswers(ctx, incidents) {
  const { random, end } = ctx;
  const answers = [];
  for (const incident of incidents) {
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
    answers.push(
      answer(
        random,
        {
          externalId: ctx.id(`csat:${incident.externalId}`),
          recordExternalId: incident.externalId,
          entityRef: null,
          scale: 'csat5',
          score,
          respondedAt: iso(respondedAt),
        },
        0.35,
        CSAT_COMMENTS[score >= 4 ? 'good' : score === 3 ? 'ok' : 'bad'],
      ),
    );
  }
  return answers;
}

/** NPS: a quarterly survey per IT system, answers about its components. */
function npsAnswers(itComponents, { seed, id, start, end }) {
  const answers = [];
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
      const count = random.int(18, 22);
      for (let i = 0; i < count; i++) {
        const respondedAt = opens + random.lognormal(2 * DAY, 0.8);
        if (respondedAt >= end || respondedAt > opens + 14 * DAY) continue;
        // Scores improve a little from one survey to the next.
        const weights = profile.map(
          (w, score) =>
            w * (1 + 0.06 * wave * (score >= 9 ? 1 : score <= 6 ? -1 : 0)),
        );
        const score = Number(random.weighted(weights));
        const component = random.pick(members);
        answers.push(
          answer(
            random,
            {
              externalId: id(`nps:${system}:${y}-${m}:${i}`),
              recordExternalId: null,
              entityRef: component.ref,
              scale: 'nps10',
              score,
              respondedAt: iso(respondedAt),
            },
            0.3,
            NPS_COMMENTS[
              score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor'
            ],
          ),
        );
      }
      wave++;
    }
  }
  return answers;
}

module.exports = { csatAnswers, npsAnswers };
