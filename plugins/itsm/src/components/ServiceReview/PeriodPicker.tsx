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

import ChevronLeftIcon from '@mui/icons-material/ChevronLeft';
import ChevronRightIcon from '@mui/icons-material/ChevronRight';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { ItsmReviewPeriod } from '@backstage-itsm/plugin-itsm-common';
import { convertPeriod, hasStarted, periodLabel, shiftPeriod } from './period';

/** Month or quarter, and the previous and next period. */
export function PeriodPicker(props: {
  period: ItsmReviewPeriod;
  onChange: (period: ItsmReviewPeriod) => void;
}) {
  const { period, onChange } = props;
  const next = shiftPeriod(period, 1);
  const nextStarted = hasStarted(next);
  return (
    <Stack
      direction="row"
      alignItems="center"
      gap={1}
      className="itsm-review-no-print"
    >
      <ToggleButtonGroup
        size="small"
        exclusive
        value={period.kind}
        onChange={(_e, kind: ItsmReviewPeriod['kind'] | null) =>
          kind && onChange(convertPeriod(period, kind))
        }
        aria-label="Period length"
      >
        <ToggleButton value="month">Month</ToggleButton>
        <ToggleButton value="quarter">Quarter</ToggleButton>
      </ToggleButtonGroup>
      <Tooltip title={periodLabel(shiftPeriod(period, -1))}>
        <IconButton
          aria-label="Previous period"
          onClick={() => onChange(shiftPeriod(period, -1))}
          size="small"
        >
          <ChevronLeftIcon />
        </IconButton>
      </Tooltip>
      <Typography
        variant="subtitle1"
        sx={{ minWidth: 130, textAlign: 'center' }}
        data-testid="itsm-review-period"
      >
        {periodLabel(period)}
      </Typography>
      <Tooltip title={nextStarted ? periodLabel(next) : 'Not started yet'}>
        <span>
          <IconButton
            aria-label="Next period"
            onClick={() => onChange(next)}
            disabled={!nextStarted}
            size="small"
          >
            <ChevronRightIcon />
          </IconButton>
        </span>
      </Tooltip>
    </Stack>
  );
}
