import { describe, expect, it } from 'vitest';
import { describeQuietHours, draftFrom, quietHoursBody, quietHoursErrors, timeZoneChoices } from './quiet-hours.ts';

const berlin = { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin', days: [1, 2, 3, 4, 5, 6, 7] };

describe('quiet hours', () => {
  it('start switched off in the browser zone, or from what was saved', () => {
    expect(draftFrom(null, 'America/New_York')).toEqual({
      enabled: false,
      start: '22:00',
      end: '07:00',
      timeZone: 'America/New_York',
      days: [1, 2, 3, 4, 5, 6, 7],
    });
    expect(draftFrom(berlin, 'UTC')).toMatchObject({ enabled: true, timeZone: 'Europe/Berlin', start: '22:00' });
  });

  it('refuse what the server refuses: equal ends, bad times, unknown zones, no days', () => {
    const draft = draftFrom(berlin, 'UTC');
    expect(quietHoursErrors(draft)).toEqual({});
    expect(quietHoursErrors({ ...draft, end: '22:00' }).end).toMatch(/differ/);
    expect(quietHoursErrors({ ...draft, start: '24:00' }).start).toBeDefined();
    expect(quietHoursErrors({ ...draft, end: '7:00' }).end).toBeDefined();
    expect(quietHoursErrors({ ...draft, timeZone: 'Mars/Olympus' }).timeZone).toBeDefined();
    expect(quietHoursErrors({ ...draft, days: [] }).days).toBeDefined();
    // Switched off, nothing needs to be valid.
    expect(quietHoursErrors({ ...draft, enabled: false, end: '22:00' })).toEqual({});
  });

  it('save as the API body: null when off, days sorted and distinct', () => {
    expect(quietHoursBody({ ...draftFrom(berlin, 'UTC'), enabled: false })).toBeNull();
    expect(quietHoursBody({ ...draftFrom(berlin, 'UTC'), days: [5, 1, 3, 1] })).toEqual({
      ...berlin,
      days: [1, 3, 5],
    });
  });

  it('read as one line, with the days unless every day', () => {
    expect(describeQuietHours(berlin)).toBe('Quiet from 22:00 to 07:00 Europe/Berlin');
    expect(describeQuietHours({ ...berlin, days: [1, 2, 3, 4, 5] })).toBe(
      'Quiet from 22:00 to 07:00 Europe/Berlin, starting Monday to Friday',
    );
    expect(describeQuietHours({ ...berlin, days: [6, 7] })).toBe(
      'Quiet from 22:00 to 07:00 Europe/Berlin, starting Sat, Sun',
    );
    expect(describeQuietHours(null)).toMatch(/No quiet hours/);
  });

  it('offer every IANA zone, UTC and the current one', () => {
    const zones = timeZoneChoices('Europe/Berlin');
    expect(zones).toContain('Europe/Berlin');
    expect(zones).toContain('UTC');
    expect(zones.length).toBeGreaterThan(100);
  });
});
