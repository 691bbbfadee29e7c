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

import { accessibleLightPalette, accessibleLightTheme } from './themeModule';

/** WCAG 2.x contrast ratio of two #rgb or #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (colour: string) => {
    const hex =
      colour.length === 4
        ? `#${[...colour.slice(1)].map(c => c + c).join('')}`
        : colour;
    expect(hex).toMatch(/^#[0-9a-f]{6}$/i);
    const [r, g, bl] = [1, 3, 5].map(i => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('accessible light theme', () => {
  type Colour = { main: string; contrastText: string };
  const palette = (
    accessibleLightTheme.getTheme('v5') as unknown as {
      palette: Record<string, Colour> & { mode: string };
    }
  ).palette;

  it.each(['info', 'warning', 'success', 'error', 'primary'] as const)(
    '%s meets WCAG AA for small text, as text and behind its contrast text',
    colour => {
      const { main, contrastText } = palette[colour];
      expect(contrast(main, '#ffffff')).toBeGreaterThanOrEqual(4.5);
      expect(
        contrast(main, accessibleLightPalette.background.default),
      ).toBeGreaterThanOrEqual(4.5);
      expect(contrast(main, contrastText)).toBeGreaterThanOrEqual(4.5);
    },
  );

  it('keeps the rest of the Backstage light palette', () => {
    expect(palette.primary.main).toBe('#1F5493');
    expect(palette.mode).toBe('light');
  });
});
