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

import { useApi } from '@backstage/core-plugin-api';
import type { ItsmServiceReview } from '@backstage-itsm/plugin-itsm-common';
import { itsmApiRef } from '../../api';
import { DecisionsDialog } from './DecisionsDialog';

/**
 * Holds (saves) the review of a period with the decisions taken: its numbers
 * are frozen as they are now.
 */
export function HoldReviewDialog(props: {
  open: boolean;
  onClose: () => void;
  onHeld: (review: ItsmServiceReview) => void;
  entityRef: string;
  period: string;
  periodLabel: string;
}) {
  const api = useApi(itsmApiRef);
  return (
    <DecisionsDialog
      open={props.open}
      onClose={props.onClose}
      titleId="itsm-hold-review-title"
      title={`Hold the review of ${props.periodLabel}`}
      intro="Holding saves this review as it is now: its numbers stay frozen when records change later, and the decisions below are kept with it."
      helperText="Markdown or plain text: what was decided, who does what by when."
      submitLabel="Hold review"
      save={decisions =>
        api.holdReview({
          entityRef: props.entityRef,
          period: props.period,
          decisions,
        })
      }
      onSaved={props.onHeld}
      forbidden="You do not have permission to hold reviews of this entity."
      action="hold the review"
    />
  );
}
