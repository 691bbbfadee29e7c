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

/* eslint-disable no-script-url -- these tests feed hostile input on purpose */

import type {
  ItsmMetricValue,
  ItsmReviewImprovement,
  ItsmReviewRecord,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import MarkdownIt from 'markdown-it';
import { renderReviewMarkdown } from './markdown';

/**
 * A permissive renderer: raw HTML on, bare links on, and every link target
 * accepted (markdown-it refuses `javascript:` itself; wikis and older
 * renderers may not), so only the export's own escaping protects it.
 */
function render(markdown: string): string {
  const it = new MarkdownIt({ html: true, linkify: true });
  it.validateLink = () => true;
  return it.render(markdown);
}

/** The links and images of rendered HTML: what a reader could follow. */
function targets(html: string): string[] {
  return [...html.matchAll(/<(?:a|img)\b[^>]*?(?:href|src)="([^"]*)"/g)].map(
    m => m[1],
  );
}

/** Every HTML tag of rendered HTML: only markdown's own may appear. */
function tags(html: string): string[] {
  return [
    ...new Set([...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map(m => m[1])),
  ];
}

/** Every row of each table has as many cells as its header; returns the table count. */
function expectEvenTables(html: string): number {
  const tables = html.match(/<table>[\s\S]*?<\/table>/g) ?? [];
  for (const table of tables) {
    const rows = table.match(/<tr>[\s\S]*?<\/tr>/g) ?? [];
    const widths = rows.map(row => (row.match(/<t[dh]\b/g) ?? []).length);
    expect(new Set(widths).size).toBe(1);
  }
  return tables.length;
}

const MARKDOWN_TAGS = [
  'h1',
  'h2',
  'h3',
  'ul',
  'ol',
  'li',
  'p',
  'code',
  'strong',
  'em',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'a',
  'br',
];

/** Titles and names a source or a user might send to break out. */
const HOSTILE = [
  'x](javascript:alert(1))',
  '[click](javascript:alert(document.cookie))',
  '![pixel](https://evil.example/track.gif)',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '<a href="javascript:alert(1)">open</a>',
  '<javascript:alert(1)>',
  '[ref]\n\n[ref]: javascript:alert(1)',
  'pipe | breaks | the table',
  '`code` ``span`` and *stars* and _under_ and ~~strike~~',
  '# heading\n## injected\n> quote',
  'line\r\nbreak\u2028separator\u0000nul',
  'trailing backslash \\',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '[x]: javascript:alert(1)',
];

let n = 0;
function record(overrides: Partial<ItsmReviewRecord> = {}): ItsmReviewRecord {
  n++;
  return {
    id: `rec-${n}`,
    number: `INC${n}`,
    title: `Record ${n}`,
    kind: 'incident',
    state: 'resolved',
    priority: 1,
    url: null,
    openedAt: '2026-03-02T10:00:00.000Z',
    resolvedAt: '2026-03-02T12:00:00.000Z',
    durationSeconds: 7200,
    ...overrides,
  };
}

function improvement(title: string, ownerRef: string): ItsmReviewImprovement {
  return {
    id: `imp-${title.length}`,
    title,
    ownerRef,
    status: 'in_progress',
    dueDate: '2026-03-20',
    metricId: null,
    baseline: null,
    current: null,
    target: null,
    progressStatus: 'on_track',
  };
}

function metric(title: string): ItsmMetricValue {
  return {
    value: 3,
    n: 3,
    unit: 'count',
    definition: {
      id: 'incident_count',
      title,
      description: 'Incidents opened in the window.',
      startEvent: null,
      endEvent: null,
      clock: null,
      statistic: 'count',
      unit: 'count',
      direction: 'lower_is_better',
      targetAnnotation: null,
    },
  };
}

function review(
  text: string,
  url: string | null,
  decisions: string,
): ItsmServiceReview {
  const held = {
    id: 'held-1',
    heldBy: `user:default/${text}`,
    heldAt: '2026-04-02T09:00:00.000Z',
    decisions,
    amendments: [],
    figures: 'frozen' as const,
  };
  return {
    entityRef: 'component:default/payments-api',
    entityTitle: text,
    period: { label: '2026-03', from: '2026-03-01', to: '2026-04-01' },
    previous: { from: '2026-02-01', to: '2026-03-01' },
    generatedAt: '2026-04-02T09:00:00.000Z',
    metrics: { incident_count: metric(text) },
    series: {},
    health: { verdict: 'degraded', reasons: [text] },
    worstIncidents: [record({ number: text, title: text, url })],
    failedChanges: [
      {
        change: record({ kind: 'change', number: text, title: text, url }),
        causedIncidents: [record({ number: text, url })],
      },
    ],
    slaBreaches: [
      {
        record: record({ number: text, url }),
        sla: text,
        kind: 'resolution',
        targetSeconds: 3600,
        breachAt: '2026-03-02T11:00:00.000Z',
      },
    ],
    openProblems: [record({ kind: 'problem', number: null, title: text, url })],
    improvements: {
      due: [improvement(text, `group:default/${text}`)],
      overdue: [],
      completed: [],
    },
    hiddenRecordCount: 0,
    held,
  };
}

describe('renderReviewMarkdown', () => {
  it('links records to their source, percent-encoding what Markdown would read', () => {
    const url =
      'https://acme.service-now.com/incident.do?sys_id=1&q=a (b)<c>"d"|e';
    const markdown = renderReviewMarkdown(review('Payments API', url, ''));
    expect(markdown).toContain(
      '[Payments API](https://acme.service-now.com/incident.do?sys_id=1&q=a%20%28b%29%3Cc%3E%22d%22%7Ce)',
    );
    const html = render(markdown);
    expect(new Set(targets(html))).toEqual(
      new Set([
        'https://acme.service-now.com/incident.do?sys_id=1&amp;q=a%20%28b%29%3Cc%3E%22d%22%7Ce',
      ]),
    );
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '/relative/path',
    'https://admin:hunter2@acme.example/x',
  ])('refuses the link target %j: the name is shown without a link', url => {
    const markdown = renderReviewMarkdown(review('INC0666', url, ''));
    const html = render(markdown);
    expect(targets(html)).toEqual([]);
    expect(markdown).not.toContain('hunter2');
    expect(markdown).toContain('| INC0666 |');
    expect(html).not.toMatch(/javascript:|vbscript:|data:/i);
  });

  it('keeps a URL that tries to close its link inside its own target', () => {
    const url = 'https://acme.example/x) [y](javascript:alert(1)';
    const html = render(renderReviewMarkdown(review('INC0666', url, '')));
    expect(targets(html)).not.toHaveLength(0);
    for (const target of targets(html)) {
      expect(target).toBe(
        'https://acme.example/x%29%20%5By%5D%28javascript:alert%281%29',
      );
    }
  });

  it.each(HOSTILE)('keeps the hostile text %j as text', text => {
    const markdown = renderReviewMarkdown(
      review(text, 'https://acme.example/inc/1', text),
    );
    const html = render(markdown);
    // Links are the record's own, or a bare https URL of the text that the
    // renderer links itself (GFM autolinks): never an image, never a script.
    for (const target of targets(html)) {
      expect(target).toMatch(/^https:\/\/(acme|evil)\.example\//);
    }
    expect(tags(html).filter(t => !MARKDOWN_TAGS.includes(t))).toEqual([]);
    expect(html).not.toMatch(/<(script|img|iframe)\b/i);
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html.match(/<h2>[^<]*<\/h2>/g)).toEqual([
      '<h2>Metrics</h2>',
      '<h2>Worst incidents</h2>',
      '<h2>Failed changes</h2>',
      '<h2>SLA breaches</h2>',
      '<h2>Open problems</h2>',
      '<h2>Improvements</h2>',
      '<h2>Decisions and actions</h2>',
    ]);
    expect(html).not.toMatch(/<blockquote/);
    expect(html).not.toMatch(/<(em|strong|del|s)>(stars|under|strike)/);
    // The tables keep their columns: a pipe in a value is text.
    expectEvenTables(html);
    expect(html).not.toContain('\u0000');
  });

  it('keeps the columns of every table when a value holds pipes', () => {
    const markdown = renderReviewMarkdown(review('a | b | c', null, ''));
    const html = render(markdown);
    expect(expectEvenTables(html)).toBe(6);
    expect(html).toContain('<td>a | b | c</td>');
  });

  it('keeps the lists and paragraphs of the decisions, and nothing else', () => {
    const decisions = [
      'Agreed with the payments team:',
      '',
      '- Raise the pool size [now](javascript:alert(1))',
      '* Add an alert <img src=x onerror=alert(1)>',
      '1. Review again in May',
      '# Not a heading',
      '> Not a quote',
    ].join('\n');
    const markdown = renderReviewMarkdown(
      review('Payments API', null, decisions),
    );
    const section = markdown.slice(markdown.indexOf('## Decisions'));
    const html = render(section);
    expect(targets(html)).toEqual([]);
    expect(html).not.toMatch(/<img|<blockquote|<h1/);
    expect(html).toContain(
      '<li>Raise the pool size [now](javascript:alert(1))</li>',
    );
    expect(html).toContain(
      '<li>Add an alert &lt;img src=x onerror=alert(1)&gt;</li>',
    );
    // Lines after a list item continue it, as in any Markdown.
    expect(html).toMatch(
      /<li>Review again in May\n# Not a heading\n&gt; Not a quote<\/li>/,
    );
    expect(html).toContain('<p>Agreed with the payments team:</p>');
  });

  it('prints a zero count as 0 and an unknown as unknown with its reason, with the notes', () => {
    const base = metric('Incidents');
    const markdown = renderReviewMarkdown({
      ...review('Payments API', null, ''),
      metrics: {
        incident_count: {
          ...base,
          value: 0,
          n: 0,
          previous: { value: 2, n: 2 },
        },
        reopen_rate: {
          ...base,
          value: null,
          n: 4,
          unit: 'ratio',
          unknownReason: 'PagerDuty does not report reopenings | not at all',
          definition: { ...base.definition, title: 'Reopen rate' },
        },
        change_failure_rate: {
          ...base,
          value: 0.25,
          n: 4,
          unit: 'ratio',
          notes: ['Linked by PagerDuty correlation: a *heuristic*.'],
          definition: { ...base.definition, title: 'Change failure rate' },
        },
        // Nothing measured, no target, nothing to say: left out.
        mttr: {
          ...base,
          value: null,
          n: 0,
          unit: 'seconds',
          definition: { ...base.definition, title: 'Mean time to resolve' },
        },
      },
    });
    expect(markdown).toContain('| Incidents | 0 | – | no target | 2 |');
    expect(markdown).toContain(
      '| Reopen rate | unknown (PagerDuty does not report reopenings \\| not at all) |',
    );
    expect(markdown).toContain(
      '- Change failure rate: Linked by PagerDuty correlation: a \\*heuristic\\*.',
    );
    expect(markdown).not.toContain('Mean time to resolve');
    expectEvenTables(render(markdown));
  });

  it('says no source is connected instead of a table of unknowns', () => {
    const base = metric('Incidents');
    const none = { value: null, n: 0, unknownReason: 'No source connected' };
    const markdown = renderReviewMarkdown({
      ...review('Payments API', null, ''),
      health: {
        verdict: 'unknown',
        reasons: [
          'No source connected: add the annotation servicenow.com/ci-sysid to this entity to map its records',
        ],
      },
      metrics: {
        incident_count: { ...base, ...none },
        availability: { ...base, ...none, unit: 'ratio' },
      },
    });
    const section = markdown.slice(
      markdown.indexOf('## Metrics'),
      markdown.indexOf('## Worst incidents'),
    );
    expect(section).toContain(
      '_No source connected: there are no numbers to show._',
    );
    expect(section).not.toContain('| Metric |');
    expect(markdown).toContain('servicenow.com/ci-sysid');
  });

  it('keeps the entity ref in a code span its content cannot close', () => {
    const markdown = renderReviewMarkdown({
      ...review('Payments API', null, ''),
      entityRef: 'component:default/a`b``c',
    });
    expect(markdown).toContain('- Entity: ```component:default/a`b``c```');
    expect(render(markdown)).toContain('<code>component:default/a`b``c</code>');
  });
});
