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

// Command line of generate.js.

'use strict';

const path = require('node:path');
const { EXAMPLES } = require('./catalog');

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

module.exports = { usage, parseArgs };
