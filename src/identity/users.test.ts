import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createCustomerUser, createTenant, TEST_PASSWORD } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import type { Problem } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { TEST_DIALECTS } from '../testing/database.ts';

interface TenantUser {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  password_set: boolean;
  last_login_at: string | null;
}
interface Invited {
  user: TenantUser;
  setup_link: string;
  setup_token: string;
}
interface UserPage {
  users: TenantUser[];
  next_cursor: string | null;
  has_more: boolean;
}

let counter = 0;
const newEmail = () => `invitee-${Date.now().toString(36)}-${counter++}@example.com`;

for (const dialect of TEST_DIALECTS) {
  describe(`tenant users over HTTP on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { env: { PUBLIC_URL: 'https://portal.example.test' } });
    });
    after(async () => server.close());

    /** A tenant with a logged-in owner. */
    async function tenantWithOwner() {
      const tenant = await createTenant(server);
      const owner = await server.identity.findUser(tenant.ownerId);
      const login = await server.identity.login({
        email: owner?.email as string,
        password: TEST_PASSWORD,
        ip: null,
        userAgent: null,
      });
      return { ...tenant, ownerToken: login.token };
    }

    it("lists the tenant's users in pages, with their status, and only that tenant's", async () => {
      const tenant = await tenantWithOwner();
      const member = await createCustomerUser(server, tenant.customerId, 'member');
      await createCustomerUser(server, tenant.customerId, 'viewer');
      await createTenant(server);

      const first = await request<UserPage>(server.baseUrl, 'GET', '/v1/users?limit=2', { token: tenant.ownerToken });
      assert.equal(first.status, 200);
      assert.equal(first.body.users.length, 2);
      assert.equal(first.body.has_more, true);
      assert.equal(first.body.users[0]?.id, tenant.ownerId, 'oldest first: the first owner leads');
      assert.equal(first.body.users[0]?.role, 'owner');
      assert.equal(first.body.users[0]?.status, 'active');
      assert.ok(first.body.users[0]?.last_login_at, 'the owner logged in');
      assert.equal(first.body.users[1]?.id, member.userId);

      const second = await request<UserPage>(
        server.baseUrl,
        'GET',
        `/v1/users?limit=2&cursor=${first.body.next_cursor}`,
        { token: tenant.ownerToken },
      );
      assert.equal(second.status, 200);
      assert.deepEqual(
        second.body.users.map((u) => u.role),
        ['viewer'],
      );
      assert.equal(second.body.has_more, false);

      const asMember = await request(server.baseUrl, 'GET', '/v1/users', { token: member.token });
      assert.equal(asMember.status, 403, 'members do not manage users');
    });

    it('invites a user whose setup link sets the password, then logs them in', async () => {
      const tenant = await tenantWithOwner();
      const email = newEmail();
      const invited = await request<Invited>(server.baseUrl, 'POST', '/v1/users', {
        token: tenant.ownerToken,
        body: { email: email.toUpperCase(), name: 'Ada Invited', role: 'admin' },
      });
      assert.equal(invited.status, 201);
      assert.equal(invited.body.user.email, email);
      assert.equal(invited.body.user.role, 'admin');
      assert.equal(invited.body.user.status, 'setup_pending');
      assert.equal(invited.body.user.password_set, false);
      assert.equal(
        invited.body.setup_link,
        `https://portal.example.test/setup#token=${encodeURIComponent(invited.body.setup_token)}`,
      );

      const listed = await request<UserPage>(server.baseUrl, 'GET', '/v1/users', { token: tenant.ownerToken });
      assert.equal(listed.body.users.find((u) => u.id === invited.body.user.id)?.status, 'setup_pending');

      const token = decodeURIComponent(new URL(invited.body.setup_link).hash.replace('#token=', ''));
      const setup = await request(server.baseUrl, 'POST', '/v1/auth/setup', {
        body: { token, password: 'a new password of the invitee' },
      });
      assert.equal(setup.status, 200);
      const login = await request<{ token: string }>(server.baseUrl, 'POST', '/v1/auth/login', {
        body: { email, password: 'a new password of the invitee' },
      });
      assert.equal(login.status, 200);
      const me = await request<{ role: string; customer_id: string }>(server.baseUrl, 'GET', '/v1/me', {
        token: login.body.token,
      });
      assert.deepEqual([me.body.role, me.body.customer_id], ['admin', tenant.customerId]);
      const after = await request<UserPage>(server.baseUrl, 'GET', '/v1/users', { token: tenant.ownerToken });
      const row = after.body.users.find((u) => u.id === invited.body.user.id);
      assert.deepEqual([row?.status, row?.password_set], ['active', true]);
    });

    it('answers one of several concurrent invitations of one email with 201 and the others with 409', async () => {
      const tenant = await tenantWithOwner();
      const body = { email: newEmail(), name: 'Raced', role: 'member' };
      const statuses = await Promise.all(
        [1, 2, 3, 4].map(
          async () => (await request(server.baseUrl, 'POST', '/v1/users', { token: tenant.ownerToken, body })).status,
        ),
      );
      assert.deepEqual(
        statuses.sort((a, b) => a - b),
        [201, 409, 409, 409],
      );
    });

    it('answers a duplicate email with 409 and bad input with 400, naming the field', async () => {
      const tenant = await tenantWithOwner();
      const email = newEmail();
      const body = { email, name: 'Twice', role: 'member' };
      assert.equal(
        (await request(server.baseUrl, 'POST', '/v1/users', { token: tenant.ownerToken, body })).status,
        201,
      );
      const again = await request<Problem>(server.baseUrl, 'POST', '/v1/users', { token: tenant.ownerToken, body });
      assert.equal(again.status, 409);
      assert.equal(again.body.errors?.[0]?.field, 'email');

      for (const [bad, field] of [
        [{ email: 'not-an-email', name: 'x', role: 'member' }, 'email'],
        [{ email: newEmail(), name: '', role: 'member' }, 'name'],
        [{ email: newEmail(), name: 'x', role: 'platform_admin' }, 'role'],
        [{ email: newEmail(), name: 'x' }, 'role'],
      ] as const) {
        const response = await request<Problem>(server.baseUrl, 'POST', '/v1/users', {
          token: tenant.ownerToken,
          body: bad,
        });
        assert.equal(response.status, 400, JSON.stringify(bad));
        assert.ok(
          response.body.errors?.some((e) => e.field === field),
          `${JSON.stringify(bad)}: ${JSON.stringify(response.body.errors)}`,
        );
      }
      const badRole = await request<Problem>(server.baseUrl, 'PATCH', `/v1/users/${tenant.ownerId}`, {
        token: tenant.ownerToken,
        body: { role: 'agent' },
      });
      assert.equal(badRole.status, 400);
      assert.ok(badRole.body.errors?.some((e) => e.field === 'role'));
    });

    it("never grants or touches a role above the caller's own", async () => {
      const tenant = await tenantWithOwner();
      const admin = await createCustomerUser(server, tenant.customerId, 'admin');
      const member = await createCustomerUser(server, tenant.customerId, 'member');

      const adminInvitesOwner = await request<Problem>(server.baseUrl, 'POST', '/v1/users', {
        token: admin.token,
        body: { email: newEmail(), name: 'x', role: 'owner' },
      });
      assert.equal(adminInvitesOwner.status, 403);
      assert.equal(adminInvitesOwner.body.errors?.[0]?.field, 'role');
      // The tenant's admin API key acts as an admin too.
      assert.equal(
        (
          await request(server.baseUrl, 'POST', '/v1/users', {
            token: tenant.apiKey,
            body: { email: newEmail(), name: 'x', role: 'owner' },
          })
        ).status,
        403,
      );
      const memberInvitesAdmin = await request(server.baseUrl, 'POST', '/v1/users', {
        token: member.token,
        body: { email: newEmail(), name: 'x', role: 'admin' },
      });
      assert.equal(memberInvitesAdmin.status, 403);

      const adminInvitesAdmin = await request<Invited>(server.baseUrl, 'POST', '/v1/users', {
        token: admin.token,
        body: { email: newEmail(), name: 'x', role: 'admin' },
      });
      assert.equal(adminInvitesAdmin.status, 201);

      const promote = await request<Problem>(server.baseUrl, 'PATCH', `/v1/users/${member.userId}`, {
        token: admin.token,
        body: { role: 'owner' },
      });
      assert.equal(promote.status, 403);
      assert.equal(promote.body.errors?.[0]?.field, 'role');
      const demoteOwner = await request<Problem>(server.baseUrl, 'PATCH', `/v1/users/${tenant.ownerId}`, {
        token: admin.token,
        body: { role: 'viewer' },
      });
      assert.equal(demoteOwner.status, 403, 'an admin cannot demote an owner');
      const ownerLink = await request(server.baseUrl, 'POST', `/v1/users/${tenant.ownerId}/setup-link`, {
        token: admin.token,
      });
      assert.equal(ownerLink.status, 403, "an admin cannot take over an owner's account with a setup link");

      const toViewer = await request<TenantUser>(server.baseUrl, 'PATCH', `/v1/users/${member.userId}`, {
        token: admin.token,
        body: { role: 'viewer' },
      });
      assert.equal(toViewer.status, 200);
      assert.equal(toViewer.body.role, 'viewer');
      const me = await request<{ role: string }>(server.baseUrl, 'GET', '/v1/me', { token: member.token });
      assert.equal(me.body.role, 'viewer', "the user's session acts with the new role at once");
    });

    it('keeps an owner: the last owner cannot step down, one of two can', async () => {
      const tenant = await tenantWithOwner();
      const alone = await request<Problem>(server.baseUrl, 'PATCH', `/v1/users/${tenant.ownerId}`, {
        token: tenant.ownerToken,
        body: { role: 'admin' },
      });
      assert.equal(alone.status, 409);
      assert.equal(alone.body.errors?.[0]?.field, 'role');

      const second = await createCustomerUser(server, tenant.customerId, 'member');
      const promoted = await request<TenantUser>(server.baseUrl, 'PATCH', `/v1/users/${second.userId}`, {
        token: tenant.ownerToken,
        body: { role: 'owner' },
      });
      assert.equal(promoted.status, 200);
      const stepDown = await request<TenantUser>(server.baseUrl, 'PATCH', `/v1/users/${tenant.ownerId}`, {
        token: tenant.ownerToken,
        body: { role: 'admin' },
      });
      assert.equal(stepDown.status, 200);
      assert.equal(stepDown.body.role, 'admin');
    });

    it('re-issues a setup link that replaces the earlier one', async () => {
      const tenant = await tenantWithOwner();
      const invited = await request<Invited>(server.baseUrl, 'POST', '/v1/users', {
        token: tenant.ownerToken,
        body: { email: newEmail(), name: 'Lost link', role: 'member' },
      });
      const reissued = await request<Invited>(server.baseUrl, 'POST', `/v1/users/${invited.body.user.id}/setup-link`, {
        token: tenant.ownerToken,
      });
      assert.equal(reissued.status, 201);
      assert.notEqual(reissued.body.setup_token, invited.body.setup_token);
      assert.match(reissued.body.setup_link, /^https:\/\/portal\.example\.test\/setup#token=/);
      const old = await request(server.baseUrl, 'POST', '/v1/auth/setup', {
        body: { token: invited.body.setup_token, password: 'a password long enough' },
      });
      assert.equal(old.status, 401, 'the earlier link stopped working');
      const current = await request(server.baseUrl, 'POST', '/v1/auth/setup', {
        body: { token: reissued.body.setup_token, password: 'a password long enough' },
      });
      assert.equal(current.status, 200);
    });

    it("answers 404 for another tenant's user and for unknown ids", async () => {
      const tenant = await tenantWithOwner();
      const other = await createTenant(server);
      const stranger = await createCustomerUser(server, other.customerId, 'member');
      const adminKey = await createApiKey(server, tenant.customerId, 'admin');
      for (const id of [stranger.userId, other.ownerId, '0190f6d0-0000-7000-8000-000000000000']) {
        const patch = await request(server.baseUrl, 'PATCH', `/v1/users/${id}`, {
          token: tenant.ownerToken,
          body: { role: 'viewer' },
        });
        assert.equal(patch.status, 404, `PATCH ${id}`);
        const link = await request(server.baseUrl, 'POST', `/v1/users/${id}/setup-link`, { token: adminKey.key });
        assert.equal(link.status, 404, `setup-link ${id}`);
      }
      const me = await request<{ role: string }>(server.baseUrl, 'GET', '/v1/me', { token: stranger.token });
      assert.equal(me.body.role, 'member', "the other tenant's user is untouched");
    });
  });
}
