import { describe, expect, it } from 'vitest';
import { controlsFrom, exportUrl, intervalLabel, withControls } from './controls.ts';

describe('forecast controls in the URL', () => {
  it('reads the period and level, falling back to 6 months and medium', () => {
    expect(controlsFrom(new URLSearchParams('months=12&level=high'))).toEqual({ months: 12, level: 'high' });
    expect(controlsFrom(new URLSearchParams('months=7&level=extreme'))).toEqual({ months: 6, level: 'medium' });
    expect(controlsFrom(new URLSearchParams(''))).toEqual({ months: 6, level: 'medium' });
  });

  it('writes them back keeping other parameters', () => {
    const params = withControls(new URLSearchParams('x=1'), { months: 24, level: 'low' });
    expect(params.toString()).toBe('x=1&months=24&level=low');
  });

  it('names the interval and builds the export link', () => {
    expect(intervalLabel(65)).toBe('65 % interval');
    expect(exportUrl('pdf', { months: 3, level: 'high' })).toBe(
      '/v1/cost/forecast/export?format=pdf&months=3&confidence_level=high',
    );
  });
});
