import { Type } from 'typebox';
import { TIERS } from '../config/config.ts';
import { WEEKDAYS } from './sla/calendar.ts';
import { PRIORITIES } from './fields.ts';

const Interval = Type.Object(
  {
    start: Type.String({ description: 'Opening time, HH:MM local', examples: ['09:00'] }),
    end: Type.String({ description: 'Closing time, HH:MM local (24:00 for midnight)', examples: ['18:00'] }),
  },
  { description: 'An open interval of a weekday' },
);

const Hours = Type.Object(
  Object.fromEntries(
    WEEKDAYS.map((day) => [
      day,
      Type.Optional(Type.Array(Interval, { maxItems: 24, description: `Open intervals on ${day}` })),
    ]),
  ),
  {
    description: 'Open intervals per weekday, in the calendar time zone; a missing day is closed',
    examples: [
      {
        monday: [
          { start: '09:00', end: '12:00' },
          { start: '13:00', end: '18:00' },
        ],
      },
    ],
  },
);

/** Body of `PUT /support/sla/calendars/{id}`. */
export const CalendarBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Display name', examples: ['Berlin office hours'] }),
  time_zone: Type.String({ minLength: 1, maxLength: 100, description: 'IANA time zone', examples: ['Europe/Berlin'] }),
  always_open: Type.Optional(
    Type.Boolean({ description: 'Open 24/7 (hours and holidays ignored)', examples: [false] }),
  ),
  hours: Type.Optional(Hours),
  holidays: Type.Optional(
    Type.Array(
      Type.String({ description: 'A closed date, YYYY-MM-DD in the calendar zone', examples: ['2026-12-25'] }),
      {
        maxItems: 1000,
        description: 'Dates the calendar is closed',
      },
    ),
  ),
});

/** A calendar as the API shows it. */
export const CalendarView = Type.Object({
  id: Type.String({ description: 'Calendar id', examples: ['business-hours'] }),
  name: Type.String({ description: 'Display name', examples: ['Business hours'] }),
  time_zone: Type.String({ description: 'IANA time zone', examples: ['UTC'] }),
  always_open: Type.Boolean({ description: 'Open 24/7', examples: [false] }),
  hours: Hours,
  holidays: Type.Array(Type.String({ description: 'YYYY-MM-DD', examples: ['2026-12-25'] }), {
    description: 'Closed dates',
  }),
});

export const CalendarParams = Type.Object({
  id: Type.String({
    maxLength: 63,
    description: 'Calendar id: lowercase letters, digits, - and _',
    examples: ['berlin'],
  }),
});

export const CalendarList = Type.Object({
  calendars: Type.Array(CalendarView, { description: 'Every calendar, built-in ones included' }),
});

const Targets = (optional: boolean) => {
  const minutes = (description: string) =>
    Type.Number({ description: `${description}, in business minutes (whole, above zero)`, examples: [240] });
  const fields = {
    first_response_minutes: minutes('First response target'),
    resolution_minutes: minutes('Resolution target'),
  };
  const perPriority = (priority: string) => {
    const options = { description: `Targets of ${priority} tickets` };
    return optional
      ? Type.Optional(
          Type.Object(
            {
              first_response_minutes: Type.Optional(fields.first_response_minutes),
              resolution_minutes: Type.Optional(fields.resolution_minutes),
            },
            options,
          ),
        )
      : Type.Object(fields, options);
  };
  return Type.Object(Object.fromEntries(PRIORITIES.map((p) => [p, perPriority(p)])), {
    description: 'Targets per priority',
    // A partial update names only what changes; a policy as read names every priority.
    examples: [
      optional
        ? { high: { first_response_minutes: 240, resolution_minutes: 2880 } }
        : {
            low: { first_response_minutes: 1440, resolution_minutes: 7200 },
            medium: { first_response_minutes: 480, resolution_minutes: 4320 },
            high: { first_response_minutes: 240, resolution_minutes: 2880 },
            critical: { first_response_minutes: 60, resolution_minutes: 480 },
          },
    ],
  });
};

export const Tier = Type.Enum(TIERS, { description: 'Tenant tier', examples: ['standard'] });

/** Body of `PUT /support/sla/policies/{tier}`: fields left out keep their value. */
export const PolicyBody = Type.Object({
  calendar_id: Type.Optional(
    Type.String({ description: 'Calendar for non-critical tickets', examples: ['business-hours'] }),
  ),
  critical_calendar_id: Type.Optional(
    Type.String({ description: 'Calendar for critical tickets', examples: ['24x7'] }),
  ),
  warning_percent: Type.Optional(
    Type.Number({ description: 'Share of a target at which ticket.sla_warning goes out (1–99)', examples: [80] }),
  ),
  targets: Type.Optional(Targets(true)),
});

/** A tier's policy in force. */
export const PolicyView = Type.Object({
  tier: Tier,
  calendar_id: Type.String({ description: 'Calendar for non-critical tickets', examples: ['business-hours'] }),
  critical_calendar_id: Type.String({ description: 'Calendar for critical tickets', examples: ['24x7'] }),
  warning_percent: Type.Number({ description: 'Warning share of a target, percent', examples: [80] }),
  targets: Targets(false),
});

export const PolicyParams = Type.Object({ tier: Tier });

export const PolicyList = Type.Object({
  policies: Type.Array(PolicyView, { description: 'Staff: every tier; a tenant: its own tier' }),
});
