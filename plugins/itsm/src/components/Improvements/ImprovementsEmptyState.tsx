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

import { EmptyState } from '@backstage/core-components';
import AddIcon from '@mui/icons-material/Add';
import Button from '@mui/material/Button';

/** What an improvement is, for an empty tracker or card. */
export function ImprovementsEmptyState(props: {
  onCreate?: () => void;
  filtered?: boolean;
  /** The card of a group or user: what it owns or leads. */
  team?: boolean;
}) {
  if (props.filtered) {
    return (
      <EmptyState
        missing="data"
        title="No improvement matches these filters"
        description="Clear a filter to see more improvements."
      />
    );
  }
  const action = props.onCreate && (
    <Button
      variant="contained"
      startIcon={<AddIcon />}
      onClick={props.onCreate}
    >
      New improvement
    </Button>
  );
  if (props.team) {
    return (
      <EmptyState
        missing="content"
        title="No improvements for this team yet"
        description="This card lists the improvements about the entities this team owns (whose spec.owner names it) and those it leads. Propose one with New improvement, naming the component it should make better; if the team's components are missing from its page, set their spec.owner to this team in their catalog-info.yaml."
        action={action}
      />
    );
  }
  return (
    <EmptyState
      missing="content"
      title="No improvements yet"
      description="An improvement is an agreed change that should make a service measurably better: it names an owner and a due date, links the incidents or problems that motivated it, and can bind a metric (MTTR, change failure rate, SLA attainment…) with a target. Its progress is measured from live ITSM data until the target has held for several weeks. Propose the first one with New improvement."
      action={action}
    />
  );
}
