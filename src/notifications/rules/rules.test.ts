import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DirectoryUser } from '../../identity/directory.ts';
import type { Role, UserId } from '../../identity/tables.ts';
import { admits, applyRule, excerpt } from './engine.ts';
import type { RecipientLookup, Recipients, RuleEvent } from './engine.ts';
import { NOTIFICATION_RULES } from './index.ts';
import { catalogEntry } from '../../webhooks/catalog.ts';

const TENANT = 'cus-a';
const OTHER = 'cus-b';

const people: DirectoryUser[] = [
  { id: 'owner-a' as UserId, customerId: TENANT, role: 'owner' },
  { id: 'admin-a' as UserId, customerId: TENANT, role: 'admin' },
  { id: 'member-a' as UserId, customerId: TENANT, role: 'member' },
  { id: 'viewer-a' as UserId, customerId: TENANT, role: 'viewer' },
  { id: 'owner-b' as UserId, customerId: OTHER, role: 'owner' },
  { id: 'member-b' as UserId, customerId: OTHER, role: 'member' },
  { id: 'agent-1' as UserId, customerId: null, role: 'agent' },
  { id: 'agent-2' as UserId, customerId: null, role: 'agent' },
  { id: 'padmin' as UserId, customerId: null, role: 'platform_admin' },
];

/** An in-memory directory: what the identity queries return, without a database. */
const lookup: RecipientLookup = (recipients: Recipients) =>
  Promise.resolve(
    people.filter((user) => {
      switch (recipients.kind) {
        case 'tenant_roles':
          return user.customerId === recipients.customerId && (recipients.roles as readonly Role[]).includes(user.role);
        case 'all_tenants_roles':
          return user.customerId !== null && (recipients.roles as readonly Role[]).includes(user.role);
        case 'staff_roles':
          return user.customerId === null && (recipients.roles as readonly Role[]).includes(user.role);
        case 'user':
          return user.id === recipients.userId;
      }
    }),
  );

const ticket = (extra: Record<string, unknown> = {}) => ({
  id: 'tkt-1',
  number: 7,
  reference: 'SB-7',
  customer_id: TENANT,
  subject: 'Cannot log in',
  description: 'SSO fails since this morning',
  priority: 'medium',
  status: 'open',
  created_by: 'member-a',
  assignee_id: null,
  sla_first_response_due_at: '2026-03-02T12:00:00.000Z',
  sla_resolution_due_at: '2026-03-03T10:00:00.000Z',
  ...extra,
});

let counter = 0;
const event = (type: string, data: unknown, customerId: string | null = TENANT): RuleEvent => ({
  id: `evt-${counter++}`,
  type,
  customerId,
  data,
});

/** Every rule's drafts for an event, as the processor collects them. */
async function notify(e: RuleEvent) {
  const drafts = [];
  for (const rule of NOTIFICATION_RULES) drafts.push(...(await applyRule(rule, e, lookup)));
  return drafts;
}
const usersOf = (drafts: { userId: string }[]) => drafts.map((d) => d.userId).sort();

describe('notification rules: SLA and assignment', () => {
  const sla = (type: string, assigneeId: string | null) =>
    event(type, {
      ticket: ticket({ priority: 'high', assignee_id: assigneeId }),
      clock: 'first_response',
      due_at: '2026-03-02T12:00:00.000Z',
    });

  it('ticket.sla_warning goes to the assignee only, or to the queue while nobody owns the ticket', async () => {
    const assigned = await notify(sla('ticket.sla_warning', 'agent-2'));
    assert.deepEqual(usersOf(assigned), ['agent-2']);
    assert.equal(assigned[0]?.priority, 'high');
    assert.match(assigned[0]?.title ?? '', /first response/);
    assert.match(assigned[0]?.body ?? '', /12:00/);
    assert.equal(assigned[0]?.groupKey, 'ticket:tkt-1');
    assert.deepEqual(usersOf(await notify(sla('ticket.sla_warning', null))), ['agent-1', 'agent-2', 'padmin']);
  });

  it('ticket.sla_breached reaches the whole queue, critical, once per person, never the customer', async () => {
    const drafts = await notify(sla('ticket.sla_breached', 'agent-2'));
    const users = usersOf(drafts);
    assert.ok(['agent-1', 'agent-2', 'padmin'].every((user) => users.includes(user)));
    assert.ok(
      users.every((user) => !user.endsWith('-a') && !user.endsWith('-b')),
      JSON.stringify(users),
    );
    assert.ok(drafts.every((draft) => draft.priority === 'critical' && draft.actionUrl === '/support/tkt-1'));
  });

  it('ticket.assigned tells the new assignee, unless they assigned it to themselves; unassigning tells nobody', async () => {
    const assigned = (assigneeId: string | null, by: string | null) =>
      event('ticket.assigned', {
        ticket: ticket({ assignee_id: assigneeId }),
        assignee_id: assigneeId,
        assigned_by: by,
      });
    assert.deepEqual(usersOf(await notify(assigned('agent-2', 'agent-1'))), ['agent-2']);
    assert.deepEqual(usersOf(await notify(assigned('agent-2', null))), ['agent-2']);
    assert.deepEqual(await notify(assigned('agent-2', 'agent-2')), []);
    assert.deepEqual(await notify(assigned(null, 'agent-1')), []);
  });
});

describe('notification rules', () => {
  it('ticket.created: a medium ticket confirms to the requester only, with number and SLA target', async () => {
    const drafts = await notify(event('ticket.created', { ticket: ticket() }));
    assert.deepEqual(usersOf(drafts), ['member-a']);
    const [receipt] = drafts;
    assert.equal(receipt?.type, 'support');
    assert.match(receipt?.title ?? '', /SB-7/);
    assert.match(receipt?.body ?? '', /first response by 2026-03-02 12:00 UTC/);
    assert.equal(receipt?.actionUrl, '/support/SB-7');
    assert.equal(receipt?.groupKey, 'ticket:tkt-1');
    assert.equal(receipt?.customerId, TENANT);
  });

  it('ticket.created: critical and high tickets also reach every agent and platform admin, by ticket id', async () => {
    for (const priority of ['critical', 'high']) {
      const drafts = await notify(event('ticket.created', { ticket: ticket({ priority }) }));
      assert.deepEqual(usersOf(drafts), ['agent-1', 'agent-2', 'member-a', 'padmin']);
      const staff = drafts.find((d) => d.userId === 'agent-1');
      assert.equal(staff?.priority, priority);
      assert.equal(staff?.actionUrl, '/support/tkt-1');
      assert.equal(staff?.customerId, TENANT, 'a staff notification names the tenant it concerns');
    }
  });

  it('ticket.created by an agent on a customer’s behalf spares that agent the staff alert', async () => {
    const drafts = await notify(
      event('ticket.created', { ticket: ticket({ priority: 'critical', created_by: 'agent-1' }) }),
    );
    const alerts = drafts.filter((d) => d.title.startsWith('New critical'));
    assert.deepEqual(usersOf(alerts), ['agent-2', 'padmin']);
  });

  it('ticket.commented by staff tells the requester, not the staff author', async () => {
    const drafts = await notify(
      event('ticket.commented', {
        ticket: ticket({ assignee_id: 'agent-1' }),
        comment: {
          id: 'c1',
          author_id: 'agent-1',
          author_role: 'staff',
          body: 'We deployed a fix.',
          visibility: 'public',
        },
      }),
    );
    assert.deepEqual(usersOf(drafts), ['member-a']);
    assert.equal(drafts[0]?.body, 'We deployed a fix.');
  });

  it('ticket.commented by the customer tells the assignee, and nobody when unassigned', async () => {
    const comment = {
      id: 'c2',
      author_id: 'member-a',
      author_role: 'customer',
      body: 'Still broken',
      visibility: 'public',
    };
    const assigned = await notify(event('ticket.commented', { ticket: ticket({ assignee_id: 'agent-2' }), comment }));
    assert.deepEqual(usersOf(assigned), ['agent-2']);
    assert.equal(assigned[0]?.actionUrl, '/support/tkt-1');
    assert.deepEqual(await notify(event('ticket.commented', { ticket: ticket(), comment })), []);
  });

  it('never lets a ticket relation cross tenants: a requester of another tenant is not told', async () => {
    const drafts = await notify(
      event('ticket.resolved', { ticket: ticket({ created_by: 'owner-b' }), resolved_by: 'agent-1' }),
    );
    assert.deepEqual(drafts, []);
  });

  it('ticket.resolved tells the requester with a CSAT link, unless the requester resolved it', async () => {
    const drafts = await notify(
      event('ticket.resolved', { ticket: ticket(), resolution_time: 60, resolved_by: 'agent-1' }),
    );
    assert.deepEqual(usersOf(drafts), ['member-a']);
    assert.equal(drafts[0]?.actionUrl, '/support/SB-7?csat=1');
    const own = await notify(
      event('ticket.resolved', { ticket: ticket(), resolution_time: 60, resolved_by: 'member-a' }),
    );
    assert.deepEqual(own, []);
  });

  it('webhook.endpoint_disabled reaches the tenant’s owners and admins as a system notification', async () => {
    const drafts = await notify(
      event('webhook.endpoint_disabled', {
        webhook_id: 'wh-1',
        url: 'https://example.com/hook',
        reason: 'disabled_gone',
        failing_since: null,
      }),
    );
    assert.deepEqual(usersOf(drafts), ['admin-a', 'owner-a']);
    assert.equal(drafts[0]?.type, 'system');
    assert.match(drafts[0]?.body ?? '', /410 Gone/);
  });

  it('API keys created or revoked are security alerts to owners and admins, except the one who acted', async () => {
    const created = await notify(
      event('api_key.created', {
        api_key_id: 'k1',
        name: 'CI',
        prefix: 'sb_live_ab12',
        role: 'member',
        created_by: 'owner-a',
      }),
    );
    assert.deepEqual(usersOf(created), ['admin-a']);
    assert.equal(created[0]?.type, 'security_alert');
    const revoked = await notify(event('api_key.revoked', { api_key_id: 'k1', name: 'CI', revoked_by: null }));
    assert.deepEqual(usersOf(revoked), ['admin-a', 'owner-a']);
  });

  it('announcements reach one tenant’s users (by role) or every tenant’s, never staff', async () => {
    const base = {
      title: 'Maintenance',
      body: 'Tonight',
      type: 'system',
      priority: 'high',
      action_url: '/status',
      announced_by: 'padmin',
    };
    const one = await notify(
      event(
        'notification.announcement',
        { ...base, customer_id: TENANT, all_tenants: false, roles: ['owner', 'member'] },
        null,
      ),
    );
    assert.deepEqual(usersOf(one), ['member-a', 'owner-a']);
    assert.equal(one[0]?.priority, 'high');
    const all = await notify(
      event(
        'notification.announcement',
        { ...base, customer_id: null, all_tenants: true, roles: ['owner', 'admin', 'member', 'viewer'] },
        null,
      ),
    );
    assert.deepEqual(usersOf(all), ['admin-a', 'member-a', 'member-b', 'owner-a', 'owner-b', 'viewer-a']);
    assert.equal(all.find((d) => d.userId === 'owner-b')?.customerId, OTHER);
  });

  it('skips events whose data does not have the shape a rule needs, and notification.created entirely', async () => {
    assert.deepEqual(await notify(event('ticket.created', { ticket: { id: 'x' } })), []);
    assert.deepEqual(await notify(event('ticket.created', null)), []);
    assert.ok(!NOTIFICATION_RULES.some((rule) => rule.event === 'notification.created'));
  });

  it('rule names are unique', () => {
    const names = NOTIFICATION_RULES.map((rule) => rule.name);
    assert.equal(new Set(names).size, names.length);
  });

  it('admits a named user only when staff or of the event’s tenant', () => {
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom(TENANT, OTHER), { nil: null }),
        fc.constantFrom(TENANT, OTHER),
        (userTenant, eventTenant) => {
          const user: DirectoryUser = {
            id: 'u' as UserId,
            customerId: userTenant,
            role: userTenant ? 'member' : 'agent',
          };
          const allowed = admits({ kind: 'user', userId: 'u' }, user, event('x', {}, eventTenant));
          assert.equal(allowed, userTenant === null || userTenant === eventTenant);
        },
      ),
    );
  });

  it('excerpt never exceeds its bound and keeps short text as is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.integer({ min: 2, max: 300 }), (text, max) => {
        const out = excerpt(text, max);
        assert.ok([...out].length <= max);
        if ([...text.replace(/\s+/g, ' ').trim()].length <= max) assert.equal(out, text.replace(/\s+/g, ' ').trim());
      }),
    );
  });
});

describe('notification rules: costs', () => {
  const example = (type: string) => catalogEntry(type)?.example as Record<string, unknown>;

  it('every cost event of the catalog, as emitted, reaches the tenant’s owners and admins as billing', async () => {
    for (const type of ['cost.budget_threshold_reached', 'cost.forecast_exceeds_budget', 'cost.anomaly_detected']) {
      const drafts = await notify(event(type, example(type)));
      assert.deepEqual(usersOf(drafts), ['admin-a', 'owner-a'], type);
      assert.ok(
        drafts.every((d) => d.type === 'billing' && d.customerId === TENANT),
        type,
      );
    }
  });

  it('a budget threshold names the budget, percent, spend and limit; 100 % and above is high; one thread per budget and month', async () => {
    const [eighty] = await notify(event('cost.budget_threshold_reached', example('cost.budget_threshold_reached')));
    assert.equal(eighty?.title, 'Budget Production reached 80 % in 2026-11');
    assert.equal(eighty?.body, 'Month-to-date spend is 8123.40 USD, 81.23 % of the 10000.00 USD monthly limit.');
    assert.equal(eighty?.priority, 'medium');
    assert.equal(eighty?.actionUrl, '/forecast#budgets');
    assert.equal(eighty?.groupKey, 'budget:bud_0193a5f27c1e7d4a9b1e2f6c3d4e5a6b:2026-11');
    const [full] = await notify(
      event('cost.budget_threshold_reached', { ...example('cost.budget_threshold_reached'), threshold_percent: 100 }),
    );
    assert.equal(full?.priority, 'high');
    assert.equal(full?.groupKey, eighty?.groupKey);
  });

  it('a forecast over budget is high, with forecast, limit and spend', async () => {
    const [draft] = await notify(event('cost.forecast_exceeds_budget', example('cost.forecast_exceeds_budget')));
    assert.equal(draft?.priority, 'high');
    assert.equal(draft?.title, 'Budget Production is forecast to be exceeded in 2026-11');
    assert.match(draft?.body ?? '', /12400\.00 USD against a limit of 10000\.00 USD; 6120\.50 USD is spent/);
  });

  it('an anomaly is high when the day at least doubled (or fell to nothing), else medium; threaded per day', async () => {
    const spike = example('cost.anomaly_detected');
    const [big] = await notify(event('cost.anomaly_detected', spike));
    assert.equal(big?.priority, 'high');
    assert.equal(big?.title, 'Cost spike on 2026-11-24: Amazon EC2 +290.00 USD');
    assert.match(big?.body ?? '', /^Amazon EC2 cost 410\.00 USD vs expected 120\.00/);
    assert.equal(big?.actionUrl, '/forecast#anomalies');
    assert.equal(big?.groupKey, 'cost-anomalies:2026-11-24');
    const [small] = await notify(
      event('cost.anomaly_detected', { ...spike, service: '*', actual: 150, impact: 30, expected: 120 }),
    );
    assert.equal(small?.priority, 'medium');
    assert.equal(small?.title, 'Cost spike on 2026-11-24: total +30.00 USD');
    const [gone] = await notify(
      event('cost.anomaly_detected', { ...spike, direction: 'drop', actual: 0, impact: -120, expected: 120 }),
    );
    assert.equal(gone?.priority, 'high');
    assert.equal(gone?.title, 'Cost drop on 2026-11-24: Amazon EC2 −120.00 USD');
  });
});
