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

import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import type { ReactNode } from 'react';

/** A label and its value as a row of a details table. */
export function DetailField(props: {
  label: string;
  children: ReactNode;
  /** Width of the label column in px (default 150). */
  labelWidth?: number;
}) {
  return (
    <TableRow>
      <TableCell
        component="th"
        scope="row"
        sx={{
          width: props.labelWidth ?? 150,
          color: 'text.secondary',
          py: 0.5,
        }}
      >
        {props.label}
      </TableCell>
      <TableCell sx={{ py: 0.5 }}>{props.children}</TableCell>
    </TableRow>
  );
}
