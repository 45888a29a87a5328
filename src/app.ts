import crypto from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppContext } from './app-context.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { createFieldCipher, resolveDataKey } from './lib/crypto.js';
import { installErrorHandling } from './lib/http/error-handler.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { installAccessControl } from './modules/auth/access.js';
import { createPasswordHasher, type PasswordHasher } from './modules/auth/passwords.js';
import { createLogSmsSender, type SmsSender } from './modules/auth/sms.js';
import { channelRoutes } from './modules/channels/channels.routes.js';
import { dashboardRoutes } from './modules/dashboard/dashboard.routes.js';
import { ingestRoutes } from './modules/channels/ingest.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { paymentRoutes } from './modules/payments/payments.routes.js';
import { notifyRoutes } from './modules/payments/notify.routes.js';
import { sandboxRoutes } from './modules/payments/sandbox.routes.js';
import { reconciliationRoutes } from './modules/reconciliation/reconciliation.routes.js';
import { onboardingRoutes } from './modules/onboarding/onboarding.routes.js';
import { levelRoutes } from './modules/levels/levels.routes.js';
import { rewardRoutes } from './modules/rewards/rewards.routes.js';
import { dividendRoutes } from './modules/dividends/dividends.routes.js';
import { performanceRoutes } from './modules/performance/performance.routes.js';
import { referralRoutes } from './modules/referrals/referrals.routes.js';
import { ledgerRoutes } from './modules/ledger/ledger.routes.js';
import { walletRoutes } from './modules/wallets/wallets.routes.js';
import { withdrawalRoutes } from './modules/withdrawals/withdrawals.routes.js';
import { memberRoutes } from './modules/members/members.routes.js';
import { staffRoutes } from './modules/staff/staff.routes.js';
import { webRoutes } from './modules/web/web.routes.js';

export interface AppDeps {
  config: Config;
  database: Database;
  /** A pino logger; none means silent. */
  logger?: FastifyBaseLogger;
  sms?: SmsSender;
  hasher?: PasswordHasher;
}

export interface App extends FastifyInstance {
  /** Every route registered, with its access declaration (see access.ts). */
  routeRegistry: RouteOptions[];
}

/** Builds the HTTP application; listening is the caller's business (main.ts or tests). */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Finance uploads bank result files as CSV.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const routeRegistry: RouteOptions[] = [];
  installErrorHandling(app);
  // Cookies must be parsed before the access hook reads the session cookie.
  await app.register(fastifyCookie);
  installAccessControl(app, { db: database.db, registry: routeRegistry });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Shanglian (商联) API',
        version: '0.1.0',
        description:
          'Money is integer fen; rates are integer ppm. Errors always have the body ' +
          '`{error: {code, message, details?, requestId}}`. Browsers authenticate with the session cookie, ' +
          'API clients with `Authorization: Bearer <token>` (log in with `client: "api"`).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          memberCookie: { type: 'apiKey', in: 'cookie', name: 'sl_member' },
          staffCookie: { type: 'apiKey', in: 'cookie', name: 'sl_staff' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  const dataKey = resolveDataKey(config.DATA_ENCRYPTION_KEY, config.dataDir, config.NODE_ENV === 'production');
  const sandboxOn = config.SANDBOX_PAYMENTS ?? config.NODE_ENV !== 'production';
  const ctx: AppContext = {
    config,
    db: database.db,
    dbKind: database.kind,
    hasher: deps.hasher ?? createPasswordHasher({ memoryKib: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST }),
    sms: deps.sms ?? createLogSmsSender(app.log),
    cipher: createFieldCipher(dataKey),
    sandboxSecret: sandboxOn ? crypto.createHmac('sha256', dataKey).update('sandbox-channel').digest('hex') : null,
  };
  healthRoutes(app, database);
  memberRoutes(app, ctx);
  staffRoutes(app, ctx);
  auditRoutes(app, ctx);
  walletRoutes(app, ctx);
  withdrawalRoutes(app, ctx);
  ledgerRoutes(app, ctx);
  channelRoutes(app, ctx);
  ingestRoutes(app, ctx);
  paymentRoutes(app, ctx);
  sandboxRoutes(app, ctx);
  notifyRoutes(app, ctx);
  reconciliationRoutes(app, ctx);
  referralRoutes(app, ctx);
  onboardingRoutes(app, ctx);
  performanceRoutes(app, ctx);
  levelRoutes(app, ctx);
  rewardRoutes(app, ctx);
  dividendRoutes(app, ctx);
  dashboardRoutes(app, ctx);
  await webRoutes(app);

  const built = app as unknown as App;
  built.routeRegistry = routeRegistry;
  return built;
}
