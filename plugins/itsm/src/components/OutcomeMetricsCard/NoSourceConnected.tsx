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

/** A catalog-info.yaml fragment with one line per annotation to fill in. */
export function annotationSnippet(annotations: string[]): string {
  return [
    'metadata:',
    '  annotations:',
    ...annotations.map(annotation => `    ${annotation}: <id in that source>`),
  ].join('\n');
}

/**
 * The metrics of an entity no source covers: no configured provider maps on
 * an annotation it bears and no record maps to it. Says which annotations
 * the configured sources map on, so adding one connects the entity.
 */
export function NoSourceConnected(props: {
  entityRef: string;
  /** The annotations the configured providers map on (`coverage.annotations`). */
  annotations: string[];
}) {
  const { annotations } = props;
  // The description is a paragraph: the snippet goes in the action slot.
  if (annotations.length === 0) {
    return (
      <EmptyState
        missing="field"
        title="No source connected"
        description={`No ITSM source covers ${props.entityRef}, and none of the configured sources maps records by annotation. Ask your Backstage admins to configure one under itsm.providers (see the ITSM plugin's README), or to push records for this entity.`}
      />
    );
  }
  return (
    <EmptyState
      missing="field"
      title="No source connected"
      description={`No configured ITSM source covers ${
        props.entityRef
      }, so there are no numbers yet, not even zeros. Add ${
        annotations.length === 1
          ? 'this annotation'
          : 'the annotation of your service desk'
      } to the entity's catalog-info.yaml, with the id the source uses for this service (comma-separated when there are several):`}
      action={
        <Box data-testid="itsm-no-source-connected">
          <CodeSnippet
            text={annotationSnippet(annotations)}
            language="yaml"
            showCopyCodeButton
          />
        </Box>
      }
    />
  );
}
