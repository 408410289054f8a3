/** Request and response schemas of the preference, tenant-default and mute routes. */
import { Type } from 'typebox';
import type { Static, TSchema } from 'typebox';
import { Described, NullableTimestamp, Timestamp } from '../../http/schema-types.ts';
import { NOTIFICATION_TYPES } from '../model.ts';

/** One property per notification type, each optional, nothing else allowed. */
function perType<T extends TSchema>(schema: T, description: string) {
  return Type.Object(
    Object.fromEntries(
      NOTIFICATION_TYPES.map((type) => [type, Type.Optional(Described(schema, `Notifications of type ${type}`))]),
    ) as Record<(typeof NOTIFICATION_TYPES)[number], ReturnType<typeof Type.Optional<T>>>,
    { additionalProperties: false, description },
  );
}

/** Every notification type, required (responses). */
function everyType<T extends TSchema>(schema: T, description: string) {
  return Type.Object(
    Object.fromEntries(
      NOTIFICATION_TYPES.map((type) => [type, Described(schema, `Notifications of type ${type}`)]),
    ) as Record<(typeof NOTIFICATION_TYPES)[number], T>,
    { additionalProperties: false, description },
  );
}

export const QuietHoursSchema = Type.Object(
  {
    start: Type.String({ maxLength: 5, description: 'Start of the window, HH:mm local time', examples: ['22:00'] }),
    end: Type.String({
      maxLength: 5,
      description: 'End of the window, HH:mm local time; earlier than start: the window crosses midnight',
      examples: ['07:00'],
    }),
    time_zone: Type.String({ maxLength: 64, description: 'IANA time zone', examples: ['Europe/Berlin'] }),
    days: Type.Array(Type.Integer(), {
      maxItems: 7,
      description: 'ISO weekdays on which a window starts (1 = Monday … 7 = Sunday)',
      examples: [[1, 2, 3, 4, 5]],
    }),
  },
  {
    additionalProperties: false,
    description: 'Emails wait until the window ends (in-app still arrives; critical notifications bypass it)',
  },
);

const Source = Type.Enum(['user', 'tenant', 'default'], {
  description: 'Where the effective value comes from: your choice, your tenant’s default or the built-in default',
});

const ChannelChoice = Type.Object(
  {
    in_app: Type.Optional(
      Type.Boolean({ description: 'Always true: in-app cannot be turned off (mute a thread instead)' }),
    ),
    email: Type.Optional(
      Type.Unsafe<boolean | null>({
        type: ['boolean', 'null'],
        description: 'true/false: your choice; null: follow the tenant default',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PreferencesBody = Type.Object(
  {
    types: Type.Optional(perType(ChannelChoice, 'Per notification type, the channels to change')),
    quiet_hours: Type.Optional(
      Type.Union([QuietHoursSchema, Type.Null()], { description: 'Quiet hours; null removes them' }),
    ),
  },
  { additionalProperties: false, description: 'Changes to your notification preferences' },
);
export type PreferencesBodyType = Static<typeof PreferencesBody>;

const EffectiveType = Type.Object(
  {
    in_app: Type.Boolean({ description: 'Always true' }),
    email: Type.Boolean({ description: 'Whether this type is also emailed to you' }),
    email_source: Source,
  },
  { additionalProperties: false },
);

export const PreferencesView = Type.Object(
  {
    types: everyType(EffectiveType, 'The type × channel matrix in effect, with where each email value comes from'),
    quiet_hours: Type.Union([QuietHoursSchema, Type.Null()], { description: 'Your quiet hours (null: none)' }),
    updated_at: NullableTimestamp('When you last changed your preferences (null: never)'),
  },
  { description: 'Your notification preferences' },
);
export type PreferencesViewType = Static<typeof PreferencesView>;

export const TenantDefaultsBody = Type.Object(
  {
    email: perType(
      Type.Unsafe<boolean | null>({
        type: ['boolean', 'null'],
        description: 'true/false, or null: the built-in default',
      }),
      'Per type, whether the tenant’s users get it by email unless they choose otherwise',
    ),
  },
  { additionalProperties: false },
);
export type TenantDefaultsBodyType = Static<typeof TenantDefaultsBody>;

export const TenantDefaultsView = Type.Object(
  {
    email: everyType(
      Type.Object(
        {
          enabled: Type.Boolean({ description: 'Whether users get this type by email unless they choose otherwise' }),
          source: Type.Enum(['tenant', 'default'], { description: 'tenant: set by the tenant; default: built in' }),
        },
        { additionalProperties: false },
      ),
      'Per type, the default email choice of the tenant’s users and where it comes from',
    ),
    updated_at: NullableTimestamp('When the defaults last changed (null: never set)'),
  },
  { description: 'The tenant’s notification defaults' },
);

export const MuteParams = Type.Object({
  group_key: Type.String({ minLength: 1, maxLength: 200, description: 'The thread, e.g. ticket:SB-1042' }),
});

export const MuteView = Type.Object(
  { group_key: Type.String({ description: 'The muted thread' }), created_at: Timestamp('When it was muted') },
  { description: 'A muted thread: no notification of it reaches you' },
);

export const MuteList = Type.Object(
  { mutes: Type.Array(MuteView, { description: 'Newest first' }) },
  { description: 'Your muted threads' },
);
