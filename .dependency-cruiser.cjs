// Which folder may import which (README, "Architecture"): composition (server/, cli/) → features →
// infrastructure, and in the portal app/ → features/ → api/, ui/, live/. `npm run lint` runs this
// over src/ and portal/src/ and fails on any violation.
const INFRASTRUCTURE = '^src/(config|crypto|database|errors|events|http|jobs|rate-limits|realtime|runtime)/';
const FEATURES = '^src/(identity|tickets|webhooks|forecasting|notifications)/';
const TESTS = '\\.test\\.ts$|^src/testing/|/testing/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules form no import cycle.',
      from: { pathNot: TESTS },
      to: { circular: true, viaOnly: { pathNot: TESTS } },
    },
    {
      name: 'infrastructure-imports-no-feature',
      severity: 'error',
      comment:
        'Infrastructure knows no feature. The one exception is the type of the whole database, ' +
        'which each feature contributes its tables to, and the migration list.',
      from: { path: INFRASTRUCTURE, pathNot: `${TESTS}|^src/database/schema\\.ts$|^src/database/migrations/` },
      to: { path: FEATURES },
    },
    {
      name: 'nothing-imports-composition',
      severity: 'error',
      comment: 'Only the composition (server/, cli/) assembles features; nothing below imports it.',
      from: { path: `${INFRASTRUCTURE}|${FEATURES}`, pathNot: TESTS },
      to: { path: '^src/(server|cli)/' },
    },
    {
      name: 'features-meet-through-events',
      severity: 'error',
      comment: "Features do not import each other; identity's auth context, scope and ids are the exception.",
      from: { path: '^src/(tickets|webhooks|forecasting|notifications)/', pathNot: TESTS },
      to: {
        path: FEATURES,
        pathNot: ['^src/$1/', '^src/identity/'],
      },
    },
    {
      name: 'domain-code-imports-no-http',
      severity: 'error',
      comment: 'Services, repositories and jobs speak AppError and database pagination, not HTTP.',
      from: {
        path: FEATURES,
        pathNot: `${TESTS}|/(routes|schemas|authenticate|route-access|presenter)\\.ts$|/http/`,
      },
      to: { path: '^src/http/' },
    },
    {
      name: 'forecasting-engine-is-pure',
      severity: 'error',
      comment: 'The forecasting engine does no I/O: it imports only its own modules.',
      from: { path: '^src/forecasting/engine/', pathNot: TESTS },
      to: { pathNot: '^src/forecasting/engine/' },
    },
    {
      name: 'sla-core-is-pure',
      severity: 'error',
      comment: 'The SLA core does no I/O: its own modules, luxon, the error type and ticket/tier types only.',
      from: { path: '^src/tickets/sla/', pathNot: TESTS },
      to: {
        pathNot:
          '^src/tickets/sla/|^src/errors/app-error\\.ts$|^src/config/config\\.ts$|^src/tickets/tables\\.ts$|luxon',
      },
    },
    {
      name: 'server-and-portal-apart',
      severity: 'error',
      comment: 'The server and the portal meet only over HTTP (the portal types come from the OpenAPI document).',
      from: { path: '^src/' },
      to: { path: '^portal/' },
    },
    {
      name: 'portal-imports-no-server-code',
      severity: 'error',
      comment: 'The portal runs in the browser: it imports no server module.',
      from: { path: '^portal/src/' },
      to: { path: '^src/' },
    },
    {
      name: 'portal-infrastructure-imports-no-page',
      severity: 'error',
      comment: "The portal's client, primitives and live stream know no page and no layout.",
      from: { path: '^portal/src/(api|ui|live|testing)/' },
      to: { path: '^portal/src/(features|app)/' },
    },
    {
      name: 'portal-features-apart',
      severity: 'error',
      comment:
        "A portal feature imports no other feature, and of app/ only the session (like identity's auth context).",
      from: { path: '^portal/src/features/([^/]+)/' },
      to: {
        path: '^portal/src/(features|app)/',
        pathNot: ['^portal/src/features/$1/', '^portal/src/app/session\\.tsx$'],
      },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      // typebox and pdfkit resolve through `exports` maps, which the cruiser's resolver does not follow; tsc checks them.
      to: { couldNotResolve: true, pathNot: '^(typebox|pdfkit)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
