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

// Writing the files: NDJSON for the file provider, CSV for the exports.

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const {
  FACILITIES_EXPORT,
  HR_EXPORT,
  hrCaseRow,
  workOrderRow,
} = require('./sourceExports');

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

function byResponded(a, b) {
  return a.respondedAt < b.respondedAt
    ? -1
    : a.respondedAt > b.respondedAt
    ? 1
    : a.externalId < b.externalId
    ? -1
    : 1;
}

/**
 * Writes the four files of the history into `out` and deletes those of
 * earlier versions. Returns [file, items, bytes] of each file written.
 */
function writeHistory(out, { it, hr, facilities }) {
  const files = [
    ['it/records.ndjson', it.records.sort(byOpened)],
    ['it/feedback.ndjson', it.feedback.sort(byResponded)],
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
  return sizes;
}

module.exports = { writeHistory };
