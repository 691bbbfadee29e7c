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

import {
  describeItsmDataSources,
  formatItsmDuration,
  ITSM_NO_SOURCE_CONNECTED,
  formatItsmMetricValue,
  itsmMetricTrend,
  ItsmReviewImprovement,
  ItsmMetricValue,
  ItsmReviewRecord,
  ItsmServiceReview,
  isSafeItsmUrl,
} from '@backstage-itsm/plugin-itsm-common';

const STATUS_TEXT: Record<string, string> = {
  met: 'met',
  at_risk: 'at risk',
  breached: 'breached',
  no_target: 'no target',
  no_data: 'no data',
};

/** Line breaks and other control characters: one space each. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * Escapes text for a Markdown table cell or line: whatever a source or a
 * user wrote (titles, numbers, names) stays text. Brackets (links, images),
 * angle brackets (HTML, autolinks), emphasis, code, headings, strikethrough
 * and table pipes are backslash-escaped and line breaks flattened, so
 * neither `](javascript:…)` nor `<img onerror>` nor a `|` can turn into a
 * link, markup or another column. Parentheses need no escape: without an
 * unescaped `]` before them they open no link.
 */
function md(text: string | null | undefined): string {
  return (text ?? '').replace(CONTROL, ' ').replace(/[\\`*_[\]<>#|~]/g, '\\$&');
}

/**
 * A code span that its content cannot close: the fence is one backtick
 * longer than the longest run inside.
 */
function code(text: string): string {
  const flat = text.replace(CONTROL, ' ');
  const longest = Math.max(
    0,
    ...(flat.match(/`+/g) ?? []).map(run => run.length),
  );
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * A link destination: only what the portal would link to (absolute http or
 * https, no credentials), serialised by the URL parser and with every
 * character that Markdown could read as syntax percent-encoded. Undefined
 * for anything else: the name is then shown without a link.
 */
function linkTarget(url: string | null): string | undefined {
  if (!isSafeItsmUrl(url)) {
    return undefined;
  }
  return new URL(url).href.replace(
    /[^A-Za-z0-9\-._~:/?#@!$&'*+,;=%[\]]/g,
    char =>
      Array.from(new TextEncoder().encode(char))
        .map(byte => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
        .join(''),
  );
}

/**
 * Free text a user wrote as Markdown (the decisions): each line escaped as
 * text, blank lines kept, so list items and paragraphs read as written but
 * links, images and HTML cannot be smuggled in.
 */
function mdLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(line => {
      const list = /^(\s*)([-*+]|\d{1,9}[.)])(\s+)/.exec(line);
      if (!list) return md(line);
      // Keep a list marker a list marker; escape the rest.
      const marker = list[2].replace(/^[*+]$/, '-');
      return `${list[1]}${marker}${list[3]}${md(line.slice(list[0].length))}`;
    })
    .join('\n');
}

function table(header: string[], rows: string[][]): string[] {
  if (rows.length === 0) {
    return ['_None._', ''];
  }
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map(row => `| ${row.join(' | ')} |`),
    '',
  ];
}

function recordName(record: ItsmReviewRecord): string {
  const name = md(record.number ?? record.id);
  const target = linkTarget(record.url);
  return target ? `[${name}](${target})` : name;
}

/** An instant in UTC to the minute: the export is read outside the portal. */
function utcMinute(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** The sources line and a line per warning, as the portal shows them. */
function sourceLines(review: ItsmServiceReview): string[] {
  if (!review.sources) {
    return ['- Sources: not recorded when this review was held.'];
  }
  const { summary, warnings } = describeItsmDataSources(
    review.sources,
    utcMinute,
  );
  return [
    `- ${md(summary)}.`,
    ...warnings.map(warning => `- **Warning:** ${md(warning)}.`),
  ];
}

/** A metric's value, or `unknown (why)` when a source could not say. */
function metricValue(m: ItsmMetricValue): string {
  if (m.value === null && m.unknownReason) {
    return `unknown (${md(m.unknownReason)})`;
  }
  return formatItsmMetricValue(m.value, m.unit);
}

function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '–';
}

function improvementRows(
  items: ItsmReviewImprovement[],
  review: ItsmServiceReview,
): string[][] {
  return items.map(item => {
    const unit = item.metricId
      ? review.metrics[item.metricId]?.unit ?? 'count'
      : 'count';
    const measure = item.metricId
      ? `${md(item.metricId)}: ${formatItsmMetricValue(
          item.baseline,
          unit,
        )} → ${formatItsmMetricValue(
          item.current,
          unit,
        )} (target ${formatItsmMetricValue(item.target, unit)})`
      : 'not bound to a metric';
    return [
      md(item.title),
      md(item.ownerRef),
      md(item.status.replace(/_/g, ' ')),
      md(item.dueDate ?? '–'),
      measure,
      md(item.progressStatus.replace(/_/g, ' ')),
    ];
  });
}

/** Whether the review was held, by whom, and whose numbers the export shows. */
function heldLines(review: ItsmServiceReview): string[] {
  const { held } = review;
  if (!held) {
    return [
      `- Generated ${md(review.generatedAt)}; not held yet, numbers are live.`,
    ];
  }
  const lines = [
    held.figures === 'live'
      ? `- Held by ${md(held.heldBy)} on ${md(
          held.heldAt,
        )}; the numbers are live (generated ${md(
          review.generatedAt,
        )}), counted under your permissions, since the held numbers count records you may not.`
      : `- Held by ${md(held.heldBy)} on ${md(
          held.heldAt,
        )}; the numbers are as they were then.`,
  ];
  const amendments = held.amendments ?? [];
  const last = amendments[amendments.length - 1];
  if (last) {
    lines.push(
      `- Decisions amended ${amendments.length} ${
        amendments.length === 1 ? 'time' : 'times'
      }, last by ${md(last.by)} on ${md(last.at)}.`,
    );
  }
  return lines;
}

/**
 * The review as Markdown: the same numbers as the JSON, formatted the way
 * the portal shows them, for minutes and wikis.
 */
export function renderReviewMarkdown(review: ItsmServiceReview): string {
  const lines: string[] = [];
  lines.push(
    `# Service review: ${md(review.entityTitle)}, ${md(review.period.label)}`,
    '',
    `- Entity: ${code(review.entityRef)}`,
    `- Period: ${md(review.period.from)} to ${md(
      review.period.to,
    )} (compared with ${md(review.previous.from)} to ${md(
      review.previous.to,
    )})`,
    ...heldLines(review),
    `- Health: **${md(review.health.verdict)}**${
      review.health.reasons.length
        ? ` (${review.health.reasons.map(md).join('; ')})`
        : ''
    }`,
    ...sourceLines(review),
  );
  if (review.hiddenRecordCount > 0) {
    lines.push(
      `- ${review.hiddenRecordCount} records are left out of the lists because you may not read them; the numbers count them.`,
    );
  }
  lines.push('', '## Metrics', '');
  const all = Object.values(review.metrics);
  if (
    all.length > 0 &&
    all.every(
      m => m.value === null && m.unknownReason === ITSM_NO_SOURCE_CONNECTED,
    )
  ) {
    // The health line says which annotation connects one.
    lines.push('_No source connected: there are no numbers to show._', '');
  } else {
    // A 0 is a value (no incident is news), an unknown says why.
    const shown = Object.entries(review.metrics).filter(
      ([, m]) =>
        m.value !== null ||
        (m.previous?.value ?? null) !== null ||
        m.target !== undefined ||
        m.unknownReason !== undefined,
    );
    lines.push(
      ...table(
        ['Metric', 'Value', 'Target', 'Status', 'Previous', 'Change', 'n'],
        shown.map(([, m]) => [
          md(m.definition.title),
          metricValue(m),
          m.target === undefined
            ? '–'
            : formatItsmMetricValue(m.target, m.unit),
          STATUS_TEXT[m.status ?? 'no_target'] ?? md(m.status),
          formatItsmMetricValue(m.previous?.value, m.unit),
          itsmMetricTrend(m).text,
          String(m.n),
        ]),
      ),
    );
    const notes = shown.flatMap(([, m]) =>
      (m.notes ?? []).map(note => `- ${md(m.definition.title)}: ${md(note)}`),
    );
    if (notes.length > 0) {
      lines.push('Notes on the numbers:', '', ...notes, '');
    }
  }

  lines.push('## Worst incidents', '');
  lines.push(
    ...table(
      ['Incident', 'Priority', 'Title', 'Opened', 'Duration'],
      review.worstIncidents.map(r => [
        recordName(r),
        r.priority === null ? '–' : `P${r.priority}`,
        md(r.title),
        day(r.openedAt),
        formatItsmDuration(r.durationSeconds),
      ]),
    ),
  );

  lines.push('## Failed changes', '');
  lines.push(
    ...table(
      ['Change', 'Title', 'Incidents caused'],
      review.failedChanges.map(f => [
        recordName(f.change),
        md(f.change.title),
        f.causedIncidents.length
          ? f.causedIncidents.map(recordName).join(', ')
          : 'none linked',
      ]),
    ),
  );

  lines.push('## SLA breaches', '');
  lines.push(
    ...table(
      ['Record', 'SLA', 'Kind', 'Target', 'Breached at'],
      review.slaBreaches.map(b => [
        recordName(b.record),
        md(b.sla),
        md(b.kind),
        formatItsmDuration(b.targetSeconds),
        md(b.breachAt ?? '–'),
      ]),
    ),
  );

  lines.push('## Open problems', '');
  lines.push(
    ...table(
      ['Problem', 'Priority', 'Title', 'Opened'],
      review.openProblems.map(r => [
        recordName(r),
        r.priority === null ? '–' : `P${r.priority}`,
        md(r.title),
        day(r.openedAt),
      ]),
    ),
  );

  const header = [
    'Improvement',
    'Owner',
    'Status',
    'Due',
    'Measure',
    'Progress',
  ];
  lines.push('## Improvements', '', '### Overdue', '');
  lines.push(
    ...table(header, improvementRows(review.improvements.overdue, review)),
  );
  lines.push('### Due in the period', '');
  lines.push(
    ...table(header, improvementRows(review.improvements.due, review)),
  );
  lines.push('### Completed in the period', '');
  lines.push(
    ...table(header, improvementRows(review.improvements.completed, review)),
  );

  lines.push('## Decisions and actions', '');
  lines.push(
    review.held?.decisions.trim()
      ? mdLines(review.held.decisions.trim())
      : '_No decisions recorded._',
    '',
  );
  return lines.join('\n');
}
