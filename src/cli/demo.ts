import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../runtime/context.ts';
import type { TicketId } from '../tickets/ids.ts';
import { backdateTicket } from '../tickets/sla-engine.ts';
import { identitySystemRepository } from '../identity/repository.ts';
import type { IdentityService } from '../identity/service.ts';
import { seedDemoCosts } from '../forecasting/demo/seed.ts';

export const DEMO_TENANT = 'Northwind Health (demo)';
export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO_USERS = {
  owner: 'owner@northwind.demo',
  member: 'member@northwind.demo',
  viewer: 'viewer@northwind.demo',
  agent: 'agent@securebase.demo',
} as const;

const TICKETS: Array<{
  subject: string;
  description: string;
  priority: string;
  category: string;
  status?: string;
  reply?: string;
  note?: string;
  /** Opened this long ago, so its SLA clocks show a state only time brings (at risk, breached). */
  openedMinutesAgo?: number;
}> = [
  {
    subject: 'VPN tunnel to eu-west-1 drops every hour',
    description:
      'Since Monday the site-to-site VPN from our clinic network drops roughly every 60 minutes and takes 2 minutes to recover.',
    priority: 'high',
    category: 'technical',
    reply: 'We see DPD timeouts on our side; can you share your IKE lifetime settings?',
    note: 'Customer gateway is a known-flaky model, check firmware.',
  },
  {
    subject: 'Invoice for October shows duplicate line',
    description: 'The October invoice lists the managed KMS line item twice with the same amount; please correct it.',
    priority: 'medium',
    category: 'billing',
    status: 'resolved',
    reply: 'Confirmed and corrected; a revised invoice is attached to your account.',
  },
  {
    subject: 'HIPAA evidence pack for annual audit',
    description: 'Our auditors need the current HIPAA evidence pack including access reviews for the last quarter.',
    priority: 'medium',
    category: 'compliance',
  },
  {
    subject: 'Critical: production database unreachable',
    description:
      'Our primary patient-records database stopped accepting connections at 02:14 UTC. Failover did not trigger.',
    priority: 'critical',
    category: 'technical',
    status: 'in-progress',
    note: 'Paged the on-call DBA; storage volume latency spike.',
    // Critical first response is 15 minutes (healthcare) on 24/7: breached.
    openedMinutesAgo: 120,
  },
  {
    subject: 'Critical: TLS certificate of patient portal expires today',
    description:
      'The certificate of portal.northwind.example expires at midnight and the automatic renewal failed twice.',
    priority: 'critical',
    category: 'security',
    // 13 of 15 minutes to first response gone: at risk.
    openedMinutesAgo: 13,
  },
  {
    subject: 'Feature request: SSO with Azure AD groups',
    description: 'We would like portal roles mapped from Azure AD group membership so that onboarding is automatic.',
    priority: 'low',
    category: 'feature-request',
  },
  {
    subject: 'Suspicious login attempts on admin account',
    description: 'We received alerts about repeated failed logins on our owner account from an unfamiliar country.',
    priority: 'high',
    category: 'security',
    status: 'waiting-customer',
    reply: 'We blocked the source range; please confirm whether any of your staff travel there.',
  },
  {
    subject: 'Question about data residency',
    description: 'Can we guarantee that backups of our EU workloads never leave the EU regions we selected?',
    priority: 'low',
    category: 'general',
    status: 'closed',
    reply: 'Yes: backups stay in the selected regions; see the residency annex.',
  },
  {
    subject: 'Cost spike on storage after migration',
    description: "Our storage costs doubled after last week's migration; we suspect old snapshots were not cleaned up.",
    priority: 'medium',
    category: 'billing',
  },
];

/**
 * Progress shown as one line rewritten in place on a terminal, and as plain lines (no carriage
 * returns) when the output goes to a log or pipe.
 */
export function progressLine(output: { isTTY?: boolean; write(text: string): unknown }): {
  update: (message: string) => void;
  end: () => void;
} {
  return output.isTTY
    ? { update: (message) => output.write(`\r${message}`), end: () => output.write('\n') }
    : { update: (message) => output.write(`${message}\n`), end: () => {} };
}

/**
 * Creates the demo tenant, its users, a support agent and a set of tickets in every status and
 * every SLA state (on track, at risk, breached, met, paused while waiting on the customer),
 * through the real API (app.inject), so demo data obeys every rule real data does; then brings its
 * generated daily costs up to yesterday. Idempotent: returns whether it wrote anything.
 */
export async function seedDemo(
  ctx: AppContext,
  app: FastifyInstance,
  identity: IdentityService,
  progress: (message: string) => void,
): Promise<boolean> {
  const existing = await identitySystemRepository(ctx.database.db).findCustomerByName(DEMO_TENANT);
  const customerId = existing?.id ?? (await seedTenant(ctx, app, identity, progress));
  const costs = await seedDemoCosts(ctx.database.db, customerId, ctx.clock(), progress);
  return !existing || costs;
}

/** The demo tenant, its users and tickets; returns the tenant's id. */
async function seedTenant(
  ctx: AppContext,
  app: FastifyInstance,
  identity: IdentityService,
  progress: (message: string) => void,
): Promise<string> {
  const tenant = await identity.createTenant({
    name: DEMO_TENANT,
    tier: 'healthcare',
    adminEmail: DEMO_USERS.owner,
    adminName: 'Olivia Owner',
    adminPassword: DEMO_PASSWORD,
  });
  const customerId = tenant.customer.id;
  await identity.createUser({
    customerId,
    email: DEMO_USERS.member,
    name: 'Max Member',
    role: 'member',
    password: DEMO_PASSWORD,
  });
  await identity.createUser({
    customerId,
    email: DEMO_USERS.viewer,
    name: 'Vera Viewer',
    role: 'viewer',
    password: DEMO_PASSWORD,
  });
  if (!(await identitySystemRepository(ctx.database.db).findUserByEmail(DEMO_USERS.agent))) {
    await identity.createStaff({
      email: DEMO_USERS.agent,
      name: 'Sam Support',
      role: 'agent',
      password: DEMO_PASSWORD,
    });
  }
  const customer = (
    await identity.login({ email: DEMO_USERS.owner, password: DEMO_PASSWORD, ip: null, userAgent: 'securebase demo' })
  ).token;
  const agent = (
    await identity.login({ email: DEMO_USERS.agent, password: DEMO_PASSWORD, ip: null, userAgent: 'securebase demo' })
  ).token;
  const call = async (token: string, method: 'POST' | 'PATCH', url: string, payload: object) => {
    const response = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    if (response.statusCode >= 300)
      throw new Error(`demo: ${method} ${url} answered ${response.statusCode}: ${response.body}`);
    return response.json() as { id: string };
  };
  let done = 0;
  for (const ticket of TICKETS) {
    const created = await call(customer, 'POST', '/v1/support/tickets', {
      subject: ticket.subject,
      description: ticket.description,
      priority: ticket.priority,
      category: ticket.category,
    });
    if (ticket.note)
      await call(agent, 'POST', `/v1/support/tickets/${created.id}/comments`, {
        body: ticket.note,
        visibility: 'internal',
      });
    if (ticket.reply)
      await call(agent, 'POST', `/v1/support/tickets/${created.id}/comments`, {
        body: ticket.reply,
        visibility: 'public',
      });
    if (ticket.status === 'closed') {
      await call(agent, 'PATCH', `/v1/support/tickets/${created.id}`, { status: 'resolved' });
      await call(customer, 'PATCH', `/v1/support/tickets/${created.id}`, { status: 'closed' });
    } else if (ticket.status) {
      await call(agent, 'PATCH', `/v1/support/tickets/${created.id}`, { status: ticket.status });
    }
    if (ticket.openedMinutesAgo !== undefined) {
      const now = ctx.clock();
      const openedAt = new Date(now.getTime() - ticket.openedMinutesAgo * 60_000);
      await backdateTicket(ctx.database.db, created.id as TicketId, openedAt, now);
    }
    done += 1;
    progress(`demo data: ${done}/${TICKETS.length} tickets`);
  }
  return customerId;
}
