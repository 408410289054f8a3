import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createCustomerUser, createTenant } from '../testing/factories.ts';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { TEST_DIALECTS } from '../testing/database.ts';
import { assertWithinGrantor, effectivePermissions } from './auth-context.ts';
import { PERMISSIONS, ROLE_PERMISSIONS } from './permissions.ts';
import type { Permission } from './permissions.ts';
import type { CustomerRole } from './tables.ts';

type KeyRole = 'admin' | 'member' | 'viewer';
const KEY_ROLES: KeyRole[] = ['admin', 'member', 'viewer'];
const RANK: Record<CustomerRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** What a key with this role and scopes can do, from the role table (the test's own oracle). */
function granted(role: CustomerRole, scopes: readonly Permission[]): Permission[] {
  const ofRole = ROLE_PERMISSIONS[role];
  return scopes.length === 0 ? [...ofRole] : ofRole.filter((p) => scopes.includes(p));
}

/** Every scope list of up to `size` permissions. */
function scopeLists(size: number): Permission[][] {
  const lists: Permission[][] = [[]];
  for (let n = 1; n <= size; n += 1) {
    for (const list of lists.filter((l) => l.length === n - 1)) {
      const last = list.length === 0 ? -1 : PERMISSIONS.indexOf(list[list.length - 1] as Permission);
      for (const p of PERMISSIONS.slice(last + 1)) lists.push([...list, p]);
    }
  }
  return lists;
}

/** The rule, stated from the outside: nothing the new key could do or claim is beyond its grantor. */
function exceeds(
  grantor: { role: CustomerRole; held: ReadonlySet<Permission> },
  target: { role: CustomerRole; scopes: readonly Permission[] },
): boolean {
  return (
    RANK[target.role] > RANK[grantor.role] ||
    target.scopes.some((s) => !grantor.held.has(s)) ||
    granted(target.role, target.scopes).some((p) => !grantor.held.has(p))
  );
}

/** Every key a caller could ask for: each role with no scopes and with each single scope. */
const TARGETS: Array<{ role: KeyRole; scopes: Permission[] }> = KEY_ROLES.flatMap((role) =>
  scopeLists(1).map((scopes) => ({ role, scopes })),
);
// Over HTTP a cut of those: the whole role, a scope every customer role holds, one only admins hold.
const HTTP_TARGETS = TARGETS.filter(
  (t) => t.scopes.length === 0 || t.scopes[0] === 'tickets:read' || t.scopes[0] === 'webhooks:manage',
);

describe('assertWithinGrantor over every role × scope combination', () => {
  it('allows exactly the keys within the grantor, for grantors and keys with up to two scopes', () => {
    const lists = scopeLists(2);
    let checked = 0;
    for (const grantorRole of ['owner', 'admin', 'member', 'viewer'] as const) {
      for (const grantorScopes of lists) {
        const held = effectivePermissions(grantorRole, grantorScopes);
        for (const role of KEY_ROLES) {
          for (const scopes of lists) {
            const expected = exceeds({ role: grantorRole, held }, { role, scopes });
            const refused = (() => {
              try {
                assertWithinGrantor({ role: grantorRole, permissions: held }, role, scopes);
                return false;
              } catch {
                return true;
              }
            })();
            if (refused !== expected)
              assert.fail(
                `${grantorRole} ${JSON.stringify(grantorScopes)} granting ${role} ${JSON.stringify(scopes)}: refused=${refused}`,
              );
            checked += 1;
          }
        }
      }
    }
    assert.equal(checked, 4 * lists.length * 3 * lists.length);
  });

  it('refuses staff, who hold no tenant role to delegate', () => {
    assert.throws(() =>
      assertWithinGrantor({ role: 'platform_admin', permissions: effectivePermissions('platform_admin') }, 'viewer', [
        'tickets:read',
      ]),
    );
  });
});

/** Every key caller shape over HTTP: each role with no scopes, only `api_keys:manage`, and that plus each other scope. */
const KEY_CALLERS: Array<{ role: KeyRole; scopes: Permission[] }> = KEY_ROLES.flatMap((role) => [
  { role, scopes: [] as Permission[] },
  { role, scopes: ['api_keys:manage'] as Permission[] },
  ...PERMISSIONS.filter((p) => p !== 'api_keys:manage').map((p) => ({
    role,
    scopes: ['api_keys:manage', p] as Permission[],
  })),
]);

for (const dialect of TEST_DIALECTS) {
  describe(`API key delegation on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.close());

    it('refuses the reported escalation: a key limited to api_keys:manage cannot mint an unscoped admin key', async () => {
      const tenant = await createTenant(server);
      const limited = await createApiKey(server, tenant.customerId, 'admin', ['api_keys:manage']);
      const escalated = await request<{ status: number; errors: Array<{ field: string }> }>(
        server.baseUrl,
        'POST',
        '/v1/api-keys',
        { token: limited.key, body: { name: 'root', role: 'admin' } },
      );
      assert.equal(escalated.status, 403);
      assert.equal(escalated.body.errors[0]?.field, 'scopes');
      assert.equal((await request(server.baseUrl, 'GET', '/v1/webhooks', { token: limited.key })).status, 403);
      const same = await request(server.baseUrl, 'POST', '/v1/api-keys', {
        token: limited.key,
        body: { name: 'peer', role: 'admin', scopes: ['api_keys:manage'] },
      });
      assert.equal(same.status, 201);
    });

    it('lets every caller create exactly the keys within its own role and permissions, end to end', async () => {
      const tenant = await createTenant(server);
      const callers: Array<{ label: string; token: string; role: CustomerRole }> = [];
      for (const role of ['owner', 'admin', 'member', 'viewer'] as const) {
        callers.push({
          label: `${role} session`,
          token: (await createCustomerUser(server, tenant.customerId, role)).token,
          role,
        });
      }
      for (const caller of KEY_CALLERS) {
        callers.push({
          label: `${caller.role} key ${JSON.stringify(caller.scopes)}`,
          token: (await createApiKey(server, tenant.customerId, caller.role, caller.scopes)).key,
          role: caller.role,
        });
      }
      let created = 0;
      for (const caller of callers) {
        const me = await request<{ permissions: Permission[] }>(server.baseUrl, 'GET', '/v1/me', {
          token: caller.token,
        });
        const held = new Set(me.body.permissions);
        // Without api_keys:manage the route refuses before looking at the body; one target shows it.
        const targets = held.has('api_keys:manage') ? HTTP_TARGETS : HTTP_TARGETS.slice(0, 1);
        // One caller's requests run together: the matrix is about outcomes, not ordering.
        await Promise.all(
          targets.map(async (target) => {
            const refused = !held.has('api_keys:manage') || exceeds({ role: caller.role, held }, target);
            const response = await request<{ key: string }>(server.baseUrl, 'POST', '/v1/api-keys', {
              token: caller.token,
              body: { name: 'delegated', role: target.role, scopes: target.scopes },
            });
            const label = `${caller.label} creating ${target.role} ${JSON.stringify(target.scopes)}`;
            assert.equal(response.status, refused ? 403 : 201, label);
            if (response.status !== 201) return;
            created += 1;
            const child = await request<{ permissions: Permission[]; role: CustomerRole }>(
              server.baseUrl,
              'GET',
              '/v1/me',
              { token: response.body.key },
            );
            assert.ok(
              child.body.permissions.every((p) => held.has(p)),
              `${label} can do more than its creator`,
            );
            assert.ok(RANK[child.body.role] <= RANK[caller.role], `${label} has a higher role than its creator`);
          }),
        );
      }
      assert.ok(created > 30, `only ${created} keys were allowed; the matrix lost its permitted half`);
    });
  });
}
