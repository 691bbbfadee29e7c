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

import { CodeSnippet, EmptyState } from '@backstage/core-components';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { TIMELINE_WINDOWS } from './timelineModel';

/** The annotations of the sources this repository ships, for the example. */
const KNOWN_ANNOTATION_EXAMPLES: Record<string, string> = {
  'servicenow.com/ci-sysid': '2ea9e28aa68b824a247e654158315362',
  'pagerduty.com/service-id': 'PMQSWA6',
};

function annotationExample(annotations: string[]): string {
  const lines = annotations.map(
    annotation =>
      `    ${annotation}: ${
        KNOWN_ANNOTATION_EXAMPLES[annotation] ?? '<value in your source>'
      }`,
  );
  return `metadata:\n  annotations:\n${lines.join('\n')}`;
}

/**
 * No source covers the entity: which annotation to add. `annotations` are
 * those the configured providers map on, when the backend says; otherwise
 * the ones of the sources this plugin ships.
 */
export function TimelineNoSourceState(props: {
  entityRef: string;
  annotations?: string[];
}) {
  const annotations = props.annotations?.length
    ? props.annotations
    : Object.keys(KNOWN_ANNOTATION_EXAMPLES);
  return (
    <EmptyState
      missing="field"
      title="No ITSM source maps to this entity"
      description={`No incident, change, problem or request maps to ${
        props.entityRef
      }. Records map to catalog entities through annotations: add ${
        annotations.length === 1
          ? `the annotation ${annotations[0]}`
          : `one of the annotations ${annotations.join(', ')}`
      } with this service's id in your source to its catalog-info.yaml.`}
      action={
        <CodeSnippet
          text={annotationExample(annotations)}
          language="yaml"
          showCopyCodeButton
        />
      }
    />
  );
}

/** The outlined, centred box of an empty state of the timeline. */
function EmptyBox(props: { children: ReactNode }) {
  return (
    <Box
      sx={{
        p: 2,
        border: 1,
        borderColor: 'divider',
        borderRadius: 1,
        textAlign: 'center',
      }}
    >
      {props.children}
    </Box>
  );
}

/**
 * A source covers the entity but nothing of it is in the window: widen the
 * window, or check the mapping when records should be there.
 */
export function NoRecordsInWindow(props: {
  days: number;
  onDaysChange: (days: number) => void;
  noun: string;
}) {
  const wider = TIMELINE_WINDOWS.find(days => days > props.days);
  return (
    <EmptyBox>
      <Typography variant="subtitle1" component="p" gutterBottom>
        No {props.noun} in the last {props.days} days
      </Typography>
      <Typography variant="body2" color="text.secondary" paragraph>
        {wider
          ? `Widen the window to see older ones. `
          : `Nothing older is shown here. `}
        If records you expect are missing, check that your source maps them to
        this entity: the entity's catalog-info.yaml needs the annotation your
        source maps on (for example servicenow.com/ci-sysid or
        pagerduty.com/service-id).
      </Typography>
      {wider && (
        <Button variant="outlined" onClick={() => props.onDaysChange(wider)}>
          Show the last {wider} days
        </Button>
      )}
    </EmptyBox>
  );
}

/** Records exist in the window, but the filters hide them all. */
export function NoRecordMatches(props: { onReset: () => void }) {
  return (
    <EmptyBox>
      <Typography variant="subtitle1" component="p" gutterBottom>
        No record matches the filters
      </Typography>
      <Typography variant="body2" color="text.secondary" paragraph>
        Reset the filters, or switch off "Open only" to see the window's
        history.
      </Typography>
      <Button variant="outlined" onClick={props.onReset}>
        Reset filters
      </Button>
    </EmptyBox>
  );
}
