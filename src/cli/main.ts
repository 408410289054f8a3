import { Command, InvalidArgumentError, Option } from 'commander';
import { CONFIG_VARIABLES, ConfigError, loadConfig, TIERS } from '../config/config.ts';
import type { Config, Tier } from '../config/config.ts';
import { isValidEmail, normalizeEmail } from '../identity/email.ts';
import { PERMISSIONS } from '../identity/permissions.ts';
import type { Permission } from '../identity/permissions.ts';
import { registerImportCosts } from './import-costs.ts';
import { registerRotateMasterKey } from './rotate-master-key.ts';
import { setupInstructions } from './setup-instructions.ts';
import type { IdentityService } from '../identity/service.ts';

// The server, database and feature modules load only when a command runs, so `--help` and argument
// errors answer in a fraction of the start-up time.
const commands = () => import('./commands.ts');

const configHelp = `\nEnvironment variables (secrets also as NAME_FILE, a file holding the value):\n${CONFIG_VARIABLES.map((v) => `  ${v.name.padEnd(38)} ${v.description} (default ${v.default}${v.secret ? '; secret' : ''})`).join('\n')}\n`;

/** Every problem of the configuration, one line each, then exit code 2. */
function exitOnConfigError(error: ConfigError): never {
  const { problems } = error;
  console.error(
    problems.length === 1
      ? `securebase: invalid configuration: ${error.message}`
      : `securebase: invalid configuration (${problems.length} problems):\n${problems.map((p) => `  ${p.variable}: ${p.reason}`).join('\n')}`,
  );
  process.exit(2);
}

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitOnConfigError(error);
    throw error;
  }
}

function tier(value: string): Tier {
  if (!TIERS.includes(value as Tier)) throw new InvalidArgumentError(`must be one of ${TIERS.join(', ')}`);
  return value as Tier;
}

/** The rule the API applies to emails, so the CLI refuses what the API would. */
function email(value: string): string {
  if (!isValidEmail(normalizeEmail(value))) throw new InvalidArgumentError('must be an email address');
  return value;
}

const baseUrlOf = (cfg: Config) => cfg.publicUrl ?? `http://localhost:${cfg.port}`;

function scopes(value: string): Permission[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const scope of list)
    if (!PERMISSIONS.includes(scope as Permission))
      throw new InvalidArgumentError(`unknown scope ${scope}; known: ${PERMISSIONS.join(', ')}`);
  return list as Permission[];
}

/** Runs an admin action on a migrated database and closes it. */
async function withIdentity<T>(action: (identity: IdentityService) => Promise<T>): Promise<T> {
  const cfg = config();
  const [{ openRuntime }, { createIdentityService }] = await Promise.all([
    import('../server/runtime.ts'),
    import('../identity/service.ts'),
  ]);
  const ctx = await openRuntime(cfg);
  try {
    return await action(
      createIdentityService({
        db: ctx.database.db,
        clock: ctx.clock,
        sessionTtlHours: cfg.sessionTtlHours,
        liveFeed: ctx.liveFeed,
      }),
    );
  } finally {
    await ctx.liveFeed.close();
    await ctx.database.close();
  }
}

const program = new Command('securebase')
  .description('SecureBase platform services: support desk, webhooks, cost forecasting, notifications')
  .showHelpAfterError();

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535)
    throw new InvalidArgumentError('must be a port number, 1–65535');
  return Number(value);
}

/** Options of the long-running roles. */
interface RoleFlags {
  healthPort?: number;
  skipMigrations?: boolean;
}
const SKIP_MIGRATIONS_HELP =
  "do not migrate (run `securebase migrate` as a separate step); refuse to start unless the schema is exactly this release's";
const HEALTH_PORT_HELP = 'also answer /livez and /readyz on this port (overrides HEALTH_PORT)';
const roleOptions = (flags: RoleFlags) => ({
  healthPort: flags.healthPort,
  skipMigrations: flags.skipMigrations === true,
});

program
  .command('serve')
  .description('Run the API and portal, with background workers unless --no-worker')
  .option('--no-worker', 'serve HTTP only (run `securebase worker` processes separately; with PostgreSQL only)')
  .option('--demo', 'create demo data on first start (tenant, users, tickets, daily costs)')
  .option('--skip-migrations', SKIP_MIGRATIONS_HELP)
  .option('--health-port <port>', HEALTH_PORT_HELP, port)
  .addHelpText('after', configHelp)
  .action(async (options: RoleFlags & { worker: boolean; demo?: boolean }) => {
    const cfg = config();
    await (
      await commands()
    ).runServe(cfg, { ...roleOptions(options), worker: options.worker, demo: options.demo === true });
  });

program
  .command('worker')
  .description('Run background jobs only (webhook deliveries, emails, sweeps); /livez and /readyz on HEALTH_PORT')
  .option('--skip-migrations', SKIP_MIGRATIONS_HELP)
  .option('--health-port <port>', HEALTH_PORT_HELP, port)
  .addHelpText('after', configHelp)
  .action(async (options: RoleFlags) => {
    const cfg = config();
    await (await commands()).runWorker(cfg, roleOptions(options));
  });
program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .addHelpText('after', configHelp)
  .action(async () => {
    const cfg = config();
    await (await commands()).runMigrate(cfg);
  });
program
  .command('demo')
  .description('Create demo data (tenant, users, tickets, daily costs) and exit')
  .action(async () => {
    const cfg = config();
    await (await commands()).runServe(cfg, { worker: false, demo: true, exitAfterDemo: true, skipMigrations: false });
  });

registerImportCosts(program, config);

const admin = program.command('admin').description('Administrative tasks on the configured database');
registerRotateMasterKey(admin, config);

admin
  .command('create-tenant')
  .description('Create a tenant with its owner and an admin API key')
  .requiredOption('--name <name>', 'organisation name')
  .addOption(new Option('--tier <tier>', 'tier').choices([...TIERS]).makeOptionMandatory())
  .requiredOption('--admin-email <email>', 'email of the tenant owner', email)
  .option(
    '--json',
    'print {"customer_id", "user_id", "key", "setup_token"} as JSON ("api_key": deprecated copy of "key")',
  )
  .action(async (options: { name: string; tier: string; adminEmail: string; json?: boolean }) => {
    const created = await withIdentity((identity) =>
      identity.createTenant({ name: options.name, tier: tier(options.tier), adminEmail: options.adminEmail }),
    );
    const key = created.apiKey.key;
    if (options.json) {
      console.log(
        JSON.stringify({
          customer_id: created.customer.id,
          user_id: created.user.id,
          key,
          api_key: key,
          setup_token: created.setupToken,
        }),
      );
    } else {
      console.log(`tenant:   ${created.customer.id} (${created.customer.name}, ${created.customer.tier})`);
      console.log(`owner:    ${created.user.id} <${created.user.email}>`);
      console.log(`api key:  ${key}   (shown once; store it now)`);
      if (created.setupToken)
        console.log(
          `setup:    the owner sets a password once (token valid 7 days):\n  ${setupInstructions(baseUrlOf(config()), created.setupToken)}`,
        );
    }
  });

admin
  .command('create-api-key')
  .description('Create an API key for a tenant (the key is shown once)')
  .requiredOption('--customer <id>', 'tenant id')
  .requiredOption('--name <name>', 'what the key is for')
  .addOption(
    new Option('--role <role>', 'role the key acts with').choices(['admin', 'member', 'viewer']).default('member'),
  )
  .option('--scopes <list>', `comma-separated subset of: ${PERMISSIONS.join(', ')}`, scopes, [])
  .option('--json', 'print {"id", "key"} as JSON ("api_key": deprecated copy of "key")')
  .action(
    async (options: {
      customer: string;
      name: string;
      role: 'admin' | 'member' | 'viewer';
      scopes: Permission[];
      json?: boolean;
    }) => {
      const created = await withIdentity((identity) =>
        identity.createApiKey({
          customerId: options.customer,
          name: options.name,
          role: options.role,
          scopes: options.scopes,
          grantor: 'operator',
        }),
      );
      console.log(
        options.json
          ? JSON.stringify({ id: created.apiKey.id, key: created.key, api_key: created.key })
          : `api key: ${created.key}   (shown once; store it now)`,
      );
    },
  );

admin
  .command('create-staff')
  .description('Create a SecureBase staff user; prints a one-time setup token for the password')
  .requiredOption('--email <email>', 'email', email)
  .addOption(new Option('--role <role>', 'staff role').choices(['agent', 'platform_admin']).default('agent'))
  .option('--name <name>', 'display name')
  .option('--json', 'print {"user_id", "setup_token"} as JSON')
  .action(async (options: { email: string; role: 'agent' | 'platform_admin'; name?: string; json?: boolean }) => {
    const created = await withIdentity((identity) =>
      identity.createStaff({ email: options.email, name: options.name ?? options.email, role: options.role }),
    );
    if (options.json) console.log(JSON.stringify({ user_id: created.user.id, setup_token: created.setupToken }));
    else
      console.log(
        `staff user ${created.user.id}; set the password once (token valid 7 days):\n  ${setupInstructions(baseUrlOf(config()), created.setupToken as string)}`,
      );
  });

admin
  .command('reset-password')
  .description('Issue a new one-time setup token for a user (earlier unused ones stop working); prints it')
  .requiredOption('--email <email>', 'email of the user', email)
  .option('--json', 'print {"user_id", "setup_token"} as JSON')
  .action(async (options: { email: string; json?: boolean }) => {
    const issued = await withIdentity((identity) => identity.issueSetupToken(options.email));
    if (options.json) console.log(JSON.stringify({ user_id: issued.user.id, setup_token: issued.setupToken }));
    else
      console.log(
        `setup token for ${issued.user.email} (valid 7 days; the current password works until it is used):\n  ${setupInstructions(baseUrlOf(config()), issued.setupToken)}`,
      );
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) exitOnConfigError(error);
  console.error(`securebase: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
