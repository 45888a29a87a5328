import type { FastifyBaseLogger } from 'fastify';

/** Where SMS messages go. Production plugs in a real gateway behind this interface. */
export interface SmsSender {
  readonly name: string;
  send(phone: string, text: string, meta: { purpose: string; code: string }): Promise<void>;
}

export const maskPhone = (phone: string) => (phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****');

/** Development sender: writes the message, code included, to the log instead of sending it. */
export function createLogSmsSender(log: FastifyBaseLogger | Pick<FastifyBaseLogger, 'info'>): SmsSender {
  return {
    name: 'log',
    async send(phone, text, meta) {
      log.info({ sms: { to: maskPhone(phone), purpose: meta.purpose, code: meta.code } }, `[dev SMS] ${text}`);
    },
  };
}

/** Keeps messages in memory; the demo seeding and the tests read codes from it. */
export function createMemorySmsSender() {
  const outbox: { phone: string; text: string; purpose: string; code: string; at: Date }[] = [];
  const sender: SmsSender & { outbox: typeof outbox; lastCode(phone: string): string | undefined } = {
    name: 'memory',
    outbox,
    async send(phone, text, meta) {
      outbox.push({ phone, text, purpose: meta.purpose, code: meta.code, at: new Date() });
    },
    lastCode(phone) {
      return outbox.filter((m) => m.phone === phone).at(-1)?.code;
    },
  };
  return sender;
}
