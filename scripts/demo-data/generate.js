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
 *
 * The work is done by the modules of lib/: cli (the command line), catalog
 * (what the history is about), it (incidents, changes, problems, feedback),
 * requests (HR cases, work orders), sourceExports and writers (the files),
 * summary (what it prints).
 */

'use strict';

const { parseArgs, usage } = require('./lib/cli');
const { loadCatalog } = require('./lib/catalog');
const { generateIt } = require('./lib/it');
const { generateRequests } = require('./lib/requests');
const { writeHistory } = require('./lib/writers');
const { summary } = require('./lib/summary');

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
  const history = {
    it: generateIt(catalog, context),
    hr: generateRequests(catalog, context, 'hr'),
    facilities: generateRequests(catalog, context, 'facilities'),
  };
  const sizes = writeHistory(out, history);

  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(summary({ ...context, out }, history, sizes, ms));
}

if (require.main === module) {
  main();
}
