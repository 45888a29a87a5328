import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting the server reads, in one schema over environment variables.
 * A wrong value stops start-up with a message that names the variable, so a
 * typo never silently falls back to a default in production.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min, { message: `expected at least ${min}` }).max(max, { message: `expected at most ${max}` }));

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), { message: 'expected a postgres:// or postgresql:// URL' });

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Unset: the embedded PGlite database under DATA_DIR. */
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  /** PGlite files and uploads live here. */
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Behind a load balancer, true makes request IPs come from X-Forwarded-For. */
  TRUST_PROXY: bool.default(false),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  /** Onboarding images, stored encrypted; unset: DATA_DIR/uploads. Never a directory the web server serves. */
  UPLOAD_DIR: z.string().min(1).optional(),
  /** Largest accepted onboarding image. */
  UPLOAD_MAX_BYTES: int(10 * 1024, 50 * 1024 * 1024).default(5 * 1024 * 1024),
  /** Mark session cookies Secure; switch on whenever the site is served over HTTPS. */
  COOKIE_SECURE: bool.default(false),
  MEMBER_SESSION_TTL_HOURS: int(1, 24 * 365).default(24 * 30),
  STAFF_SESSION_TTL_HOURS: int(1, 24 * 30).default(12),
  LOGIN_MAX_FAILURES: int(1, 100).default(5),
  LOGIN_LOCK_MINUTES: int(1, 24 * 60).default(15),
  LOGIN_IP_PER_MINUTE: int(1, 100_000).default(30),
  LOGIN_ACCOUNT_PER_MINUTE: int(1, 10_000).default(10),
  SMS_SENDER: z.enum(['log']).default('log'),
  SMS_CODE_TTL_SECONDS: int(60, 3600).default(300),
  SMS_PHONE_INTERVAL_SECONDS: int(0, 3600).default(60),
  SMS_IP_PER_HOUR: int(1, 100_000).default(20),
  /** argon2id cost; the defaults follow OWASP's recommendation (19 MiB, 2 passes). */
  ARGON2_MEMORY_KIB: int(1024, 1024 * 1024).default(19_456),
  ARGON2_TIME_COST: int(1, 20).default(2),
  /** Creates the first owner on start-up when no owner exists yet; ignored afterwards. */
  BOOTSTRAP_OWNER_USERNAME: z.string().regex(/^[a-z][a-z0-9_.-]{2,31}$/, { message: 'expected 3-32 lower-case letters, digits, . _ -' }).optional(),
  /** base64 of 32 random bytes; encrypts sensitive fields at rest. Generated into DATA_DIR outside production when unset. */
  DATA_ENCRYPTION_KEY: z
    .string()
    .refine((v) => /^[A-Za-z0-9+/]{43}=$/.test(v), { message: 'expected base64 of 32 bytes (openssl rand -base64 32)' })
    .optional(),
  /** Where channels reach this server (payment notify URLs), e.g. https://pay.example.com. */
  PUBLIC_BASE_URL: z.url({ message: 'expected an http(s) URL' }).optional(),
  /** The simulated payment channel (模拟支付) for development and demos. Unset: on except in production. */
  SANDBOX_PAYMENTS: bool.optional(),
  /**
   * The event consumers this instance runs (comma-separated, or `none`). With several instances,
   * API instances may leave them to dedicated worker instances; running them everywhere is also safe
   * (each consumer's cursor is locked while it works).
   */
  EVENT_CONSUMERS: z
    .string()
    .default('performance,rewards')
    .transform((v) => (v.trim() === 'none' ? [] : v.split(',').map((s) => s.trim()).filter(Boolean)))
    .pipe(z.array(z.enum(['performance', 'rewards'], { message: 'expected a comma-separated list of: performance, rewards' }))),
  /** Days, months and limits follow this time zone. */
  PLATFORM_TIMEZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, { message: 'expected an IANA time zone such as Asia/Shanghai' })
    .default('Asia/Shanghai'),
  BOOTSTRAP_OWNER_PASSWORD: z.string().min(10, { message: 'expected at least 10 characters' }).optional(),
});

export type Config = z.infer<typeof configSchema> & {
  /** Absolute form of DATA_DIR. */
  dataDir: string;
  /** Absolute form of UPLOAD_DIR (default DATA_DIR/uploads). */
  uploadDir: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from `env`; empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(root)';
        const got = raw[name] === undefined ? 'unset' : `got "${raw[name]}"`;
        return `${name}: ${issue.message} (${got})`;
      }),
    );
  }
  const config = parsed.data;
  const problems: string[] = [];
  if ((config.BOOTSTRAP_OWNER_USERNAME === undefined) !== (config.BOOTSTRAP_OWNER_PASSWORD === undefined)) {
    problems.push('BOOTSTRAP_OWNER_USERNAME and BOOTSTRAP_OWNER_PASSWORD: expected both or neither');
  }
  if (config.NODE_ENV === 'production' && !config.DATA_ENCRYPTION_KEY) {
    problems.push('DATA_ENCRYPTION_KEY: expected base64 of 32 bytes in production (unset)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const dataDir = path.resolve(config.DATA_DIR);
  return { ...config, dataDir, uploadDir: config.UPLOAD_DIR ? path.resolve(config.UPLOAD_DIR) : path.join(dataDir, 'uploads') };
}
