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

import Alert from '@mui/material/Alert';
import Button, { type ButtonProps } from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import DialogActions from '@mui/material/DialogActions';
import type { ReactNode } from 'react';

/**
 * The actions of a dialog that saves: Cancel, and the action itself with a
 * spinner while it runs. Without `onSubmit` the action submits its form.
 */
export function DialogFooter(props: {
  onCancel: () => void;
  /** Whether the action runs: both buttons are disabled meanwhile. */
  busy: boolean;
  label: ReactNode;
  onSubmit?: () => void;
  /** Keeps the action disabled (nothing to save yet). */
  disabled?: boolean;
  color?: ButtonProps['color'];
}) {
  return (
    <DialogActions>
      <Button onClick={props.onCancel} disabled={props.busy}>
        Cancel
      </Button>
      <Button
        type={props.onSubmit ? 'button' : 'submit'}
        onClick={props.onSubmit}
        color={props.color}
        variant="contained"
        disabled={props.busy || props.disabled}
        startIcon={props.busy ? <CircularProgress size={16} /> : undefined}
      >
        {props.label}
      </Button>
    </DialogActions>
  );
}

/** Why the action of a dialog failed, under its content. */
export function DialogError(props: { error?: string }) {
  if (!props.error) return null;
  return (
    <Alert severity="error" sx={{ mt: 2 }}>
      {props.error}
    </Alert>
  );
}
