import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECTS } from '../../testing/database.ts';
import { createCustomerUser, createTenant } from '../../testing/factories.ts';
import { request } from '../../testing/http.ts';
import type { Problem } from '../../testing/http.ts';
import { startTestServer } from '../../testing/server.ts';
import type { TestServer } from '../../testing/server.ts';

interface PreferencesBody {
  types: Record<string, { in_app: boolean; email: boolean; email_source: string }>;
  quiet_hours: unknown;
  updated_at: string | null;
}

for (const dialect of TEST_DIALECTS) {
  describe(`notification preferences API (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    const put = (token: string, body: unknown, path = '/v1/notifications/preferences') =>
      request<PreferencesBody & Problem>(server.baseUrl, 'PUT', path, { token, body });

    it('shows the spec’s defaults, then the user’s choices with their source', async () => {
      const tenant = await createTenant(server);
      const user = await createCustomerUser(server, tenant.customerId);
      const initial = await request<PreferencesBody>(server.baseUrl, 'GET', '/v1/notifications/preferences', {
        token: user.token,
      });
      assert.equal(initial.status, 200);
      assert.deepEqual(
        Object.fromEntries(Object.entries(initial.body.types).map(([type, value]) => [type, value.email])),
        { security_alert: true, billing: true, compliance: true, system: false, informational: false, support: true },
      );
      assert.ok(Object.values(initial.body.types).every((value) => value.in_app && value.email_source === 'default'));
      assert.equal(initial.body.quiet_hours, null);

      const quiet = { start: '22:00', end: '07:00', time_zone: 'Asia/Kolkata', days: [1, 2, 3, 4, 5] };
      const changed = await put(user.token, {
        types: { system: { email: true }, billing: { email: false } },
        quiet_hours: quiet,
      });
      assert.equal(changed.status, 200, changed.text);
      assert.deepEqual(changed.body.types.system, { in_app: true, email: true, email_source: 'user' });
      assert.deepEqual(changed.body.types.billing, { in_app: true, email: false, email_source: 'user' });
      assert.deepEqual(changed.body.quiet_hours, quiet);

      // The seed's name reads and writes the same thing; null hands a type back to the defaults.
      const alias = await put(user.token, { types: { billing: { email: null } } }, '/v1/notifications/subscriptions');
      assert.equal(alias.status, 200, alias.text);
      assert.deepEqual(alias.body.types.billing, { in_app: true, email: true, email_source: 'default' });
      const read = await request<PreferencesBody>(server.baseUrl, 'GET', '/v1/notifications/subscriptions', {
        token: user.token,
      });
      assert.deepEqual(read.body.types.system?.email, true);
      assert.deepEqual(read.body.quiet_hours, quiet);

      const cleared = await put(user.token, { quiet_hours: null });
      assert.equal(cleared.body.quiet_hours, null);
    });

    it('refuses bad input with a 400 naming the field, changing nothing', async () => {
      const tenant = await createTenant(server);
      const user = await createCustomerUser(server, tenant.customerId);
      const quiet = { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin', days: [1] };
      const cases: Array<[unknown, string]> = [
        [{ types: { pigeon: { email: true } } }, 'types.pigeon'],
        [{ types: { support: { sms: true } } }, 'types.support.sms'],
        [{ types: { support: { in_app: false } } }, 'types.support.in_app'],
        [{ types: { support: { email: 'yes' } } }, 'types.support.email'],
        [{ quiet_hours: { ...quiet, time_zone: 'Mars/Olympus' } }, 'quiet_hours.time_zone'],
        [{ quiet_hours: { ...quiet, end: '22:00' } }, 'quiet_hours.end'],
        [{ quiet_hours: { ...quiet, start: '25:00' } }, 'quiet_hours.start'],
        [{ quiet_hours: { ...quiet, days: [0, 8] } }, 'quiet_hours.days'],
        [{ quiet_hours: { ...quiet, days: [] } }, 'quiet_hours.days'],
        [{ quiet_hours: { ...quiet, days: [1, 1] } }, 'quiet_hours.days'],
      ];
      for (const [body, field] of cases) {
        const response = await put(user.token, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assert.ok(
          response.body.errors?.some((error) => error.field === field),
          `${JSON.stringify(body)} names ${field}: ${response.text}`,
        );
      }
      const after = await request<PreferencesBody>(server.baseUrl, 'GET', '/v1/notifications/preferences', {
        token: user.token,
      });
      assert.equal(after.body.updated_at, null, 'nothing was stored');
    });

    it('lets tenant admins set defaults that users inherit and override', async () => {
      const tenant = await createTenant(server);
      const member = await createCustomerUser(server, tenant.customerId, 'member');
      const admin = await createCustomerUser(server, tenant.customerId, 'admin');
      const other = await createTenant(server);
      const outsider = await createCustomerUser(server, other.customerId, 'member');

      const denied = await request(server.baseUrl, 'PUT', '/v1/notifications/tenant-defaults', {
        token: member.token,
        body: { email: { support: false } },
      });
      assert.equal(denied.status, 403);

      const set = await request<{ email: Record<string, { enabled: boolean; source: string }> }>(
        server.baseUrl,
        'PUT',
        '/v1/notifications/tenant-defaults',
        { token: admin.token, body: { email: { support: false, informational: true } } },
      );
      assert.equal(set.status, 200, set.text);
      assert.deepEqual(set.body.email.support, { enabled: false, source: 'tenant' });
      assert.deepEqual(set.body.email.billing, { enabled: true, source: 'default' });

      const bad = await request<Problem>(server.baseUrl, 'PUT', '/v1/notifications/tenant-defaults', {
        token: admin.token,
        body: { email: { pigeon: true } },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors?.[0]?.field, 'email.pigeon');

      const inherited = await request<PreferencesBody>(server.baseUrl, 'GET', '/v1/notifications/preferences', {
        token: member.token,
      });
      assert.deepEqual(inherited.body.types.support, { in_app: true, email: false, email_source: 'tenant' });
      assert.deepEqual(inherited.body.types.informational, { in_app: true, email: true, email_source: 'tenant' });
      const overridden = await put(member.token, { types: { support: { email: true } } });
      assert.deepEqual(overridden.body.types.support, { in_app: true, email: true, email_source: 'user' });

      const elsewhere = await request<PreferencesBody>(server.baseUrl, 'GET', '/v1/notifications/preferences', {
        token: outsider.token,
      });
      assert.deepEqual(elsewhere.body.types.support, { in_app: true, email: true, email_source: 'default' });
    });

    it('mutes and unmutes threads per user', async () => {
      const tenant = await createTenant(server);
      const user = await createCustomerUser(server, tenant.customerId);
      const other = await createCustomerUser(server, tenant.customerId);
      const key = encodeURIComponent('ticket:SB-1042');
      const muted = await request<{ group_key: string }>(server.baseUrl, 'PUT', `/v1/notifications/mutes/${key}`, {
        token: user.token,
      });
      assert.equal(muted.status, 200, muted.text);
      assert.equal(muted.body.group_key, 'ticket:SB-1042');
      const again = await request(server.baseUrl, 'PUT', `/v1/notifications/mutes/${key}`, { token: user.token });
      assert.equal(again.status, 200);
      const list = await request<{ mutes: Array<{ group_key: string }> }>(
        server.baseUrl,
        'GET',
        '/v1/notifications/mutes',
        {
          token: user.token,
        },
      );
      assert.deepEqual(
        list.body.mutes.map((m) => m.group_key),
        ['ticket:SB-1042'],
      );
      const othersList = await request<{ mutes: unknown[] }>(server.baseUrl, 'GET', '/v1/notifications/mutes', {
        token: other.token,
      });
      assert.deepEqual(othersList.body.mutes, []);
      const removed = await request(server.baseUrl, 'DELETE', `/v1/notifications/mutes/${key}`, { token: user.token });
      assert.equal(removed.status, 204);
      const empty = await request<{ mutes: unknown[] }>(server.baseUrl, 'GET', '/v1/notifications/mutes', {
        token: user.token,
      });
      assert.deepEqual(empty.body.mutes, []);
    });
  });
}
