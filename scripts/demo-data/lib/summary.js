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

// What generate.js prints when it is done.

'use strict';

const { DAY, iso, isoDate } = require('./time');

/** `items` counted by `keyOf`, as `key n, key n` in key order. */
function count(items, keyOf) {
  const counts = {};
  for (const item of items)
    counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return Object.entries(counts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/**
 * The summary of a run: the period, the records of each department, the
 * mixes, and the files written (`sizes`: [file, items, bytes]) in `ms`.
 */
function summary({ seed, start, end, out }, { it, hr, facilities }, sizes, ms) {
  const lines = [];
  const endLabel =
    end % DAY === 0 ? isoDate(end) : iso(end).replace('.000Z', 'Z');
  lines.push(
    `ITSM demo data, seed ${seed}, ${isoDate(
      start,
    )} to ${endLabel} (exclusive), in ${out}`,
  );
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
  lines.push(
    `  total ${(total / 1024 / 1024).toFixed(1)} MiB in ${ms.toFixed(0)} ms`,
  );
  return `${lines.join('\n')}\n`;
}

module.exports = { summary };
