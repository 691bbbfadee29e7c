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
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { itsmApiRef } from '../../api';
import { DialogError, DialogFooter } from '../common';
import { errorStatus } from '../Improvements/improvementModel';
import { DecisionsDialog } from './DecisionsDialog';

/**
 * Amends the decisions of a held review. The numbers stay frozen; the
 * change (who, when, before and after) is kept in the review's history.
 */
export function AmendReviewDialog(props: {
  onClose: () => void;
  onAmended: (review: ItsmServiceReview) => void;
  heldId: string;
  decisions: string;
  periodLabel: string;
}) {
  const api = useApi(itsmApiRef);
  return (
    <DecisionsDialog
      open
      onClose={props.onClose}
      titleId="itsm-amend-review-title"
      title={`Amend the decisions of ${props.periodLabel}`}
      intro="The numbers stay as they were when the review was held. The review keeps each change of its decisions: who made it, when, and the text before and after."
      initialDecisions={props.decisions}
      requireChange
      submitLabel="Save decisions"
      save={decisions => api.amendReview(props.heldId, { decisions })}
      onSaved={props.onAmended}
      forbidden="You do not have permission to amend this review; its owners and ITSM administrators may."
      action="amend the review"
    />
  );
}

/**
 * Releases a held review after confirmation: its snapshot and decisions are
 * deleted and the period reads live until it is held again.
 */
export function ReleaseReviewDialog(props: {
  onClose: () => void;
  onReleased: () => void;
  heldId: string;
  periodLabel: string;
}) {
  const api = useApi(itsmApiRef);
  const [releasing, setReleasing] = useState(false);
  const [error, setError] = useState<string>();

  const release = async () => {
    setReleasing(true);
    setError(undefined);
    try {
      await api.releaseReview(props.heldId);
      props.onReleased();
    } catch (e) {
      setError(
        errorStatus(e) === 403
          ? 'You do not have permission to release this review; its owners and ITSM administrators may.'
          : `Could not release the review: ${(e as Error).message}`,
      );
      setReleasing(false);
    }
  };

  return (
    <Dialog
      open
      onClose={releasing ? undefined : props.onClose}
      aria-labelledby="itsm-release-review-title"
    >
      <DialogTitle id="itsm-release-review-title">
        Release the review of {props.periodLabel}?
      </DialogTitle>
      <DialogContent dividers>
        <Typography variant="body2">
          The frozen numbers and the decisions are deleted, and the review shows
          live numbers again until someone holds it anew. Copy the decisions
          first if you want to keep them.
        </Typography>
        <DialogError error={error} />
      </DialogContent>
      <DialogFooter
        onCancel={props.onClose}
        busy={releasing}
        label="Release"
        onSubmit={release}
        color="error"
      />
    </Dialog>
  );
}
