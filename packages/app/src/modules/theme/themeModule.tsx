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

import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { ThemeBlueprint } from '@backstage/plugin-app-react';
import {
  createUnifiedTheme,
  palettes,
  UnifiedThemeProvider,
} from '@backstage/theme';
import LightIcon from '@material-ui/icons/WbSunny';

/**
 * Backstage's light palette leaves Material UI's `info` and `warning` at their
 * defaults (#0288d1, #ed6c02), which fail WCAG AA for small text: white on
 * info is 3.9:1, warning text on white 3.1:1 (axe `color-contrast` on the
 * status and priority chips). These are the same hues, dark enough for 4.5:1
 * on white and on the page background, both as text and behind white text.
 */
export const accessibleLightPalette = {
  ...palettes.light,
  info: { main: '#0277bd' },
  warning: { main: '#b45309' },
};

export const accessibleLightTheme = createUnifiedTheme({
  palette: accessibleLightPalette,
});

/** Replaces the app's built-in light theme (same id, so saved choices hold). */
const lightTheme = ThemeBlueprint.make({
  name: 'light',
  params: {
    theme: {
      id: 'light',
      title: 'Light Theme',
      variant: 'light',
      icon: <LightIcon />,
      Provider: ({ children }) => (
        <UnifiedThemeProvider theme={accessibleLightTheme}>
          {children}
        </UnifiedThemeProvider>
      ),
    },
  },
});

export const themeModule = createFrontendModule({
  pluginId: 'app',
  extensions: [lightTheme],
});
