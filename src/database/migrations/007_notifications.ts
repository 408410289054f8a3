import type { Kysely } from 'kysely';

/** The notification inbox, its per-user sequence, preferences and the email log; see src/notifications/tables.ts. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('action_url', 'text')
    .addColumn('source_event_id', 'text')
    .addColumn('group_key', 'text')
    .addColumn('group_count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('activity_seq', 'bigint', (c) => c.notNull())
    .addColumn('change_seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text')
    .addColumn('read_at', 'text')
    .addColumn('archived_at', 'text')
    .execute();
  await db.schema
    .createIndex('notifications_user_activity_idx')
    .on('notifications')
    .columns(['user_id', 'activity_seq'])
    .execute();
  await db.schema
    .createIndex('notifications_user_change_idx')
    .on('notifications')
    .columns(['user_id', 'change_seq'])
    .execute();
  await db.schema
    .createIndex('notifications_user_group_idx')
    .on('notifications')
    .columns(['user_id', 'group_key'])
    .execute();
  await db.schema.createIndex('notifications_created_idx').on('notifications').columns(['created_at']).execute();

  await db.schema
    .createTable('notification_inboxes')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notification_sources')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('source_event_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_sources_pk', ['user_id', 'source_event_id'])
    .execute();
  await db.schema
    .createIndex('notification_sources_created_idx')
    .on('notification_sources')
    .columns(['created_at'])
    .execute();

  await db.schema
    .createTable('notification_preferences')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('quiet_hours', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notification_tenant_defaults')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notification_mutes')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_mutes_pk', ['user_id', 'group_key'])
    .execute();

  await db.schema
    .createTable('notification_emails')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('send_after', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notification_emails_user_type_idx')
    .on('notification_emails')
    .columns(['user_id', 'type', 'created_at'])
    .execute();
  await db.schema
    .createIndex('notification_emails_created_idx')
    .on('notification_emails')
    .columns(['created_at'])
    .execute();

  await db.schema
    .createTable('notification_email_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('smtp_code', 'integer')
    .addColumn('detail', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notification_email_attempts_email_idx')
    .on('notification_email_attempts')
    .columns(['email_id', 'attempt'])
    .execute();
}
