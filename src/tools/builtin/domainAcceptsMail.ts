import { Resolver } from 'node:dns/promises';

/** True when mail for `domain` has somewhere to go. */
export type DomainCheck = (domain: string) => Promise<boolean>;

/** A caller waits on the line while this runs; a slow resolver must not stall the conversation longer. */
export const DOMAIN_CHECK_TIMEOUT_MS = 3_000;

/**
 * MX first; a domain without MX still receives mail at its A/AAAA (RFC 5321 §5.1). A null MX (`.`) means "no
 * mail". DNS errors and the timeout count as "no": the model then asks the caller to check the address.
 */
export function createDnsDomainCheck(options: { timeoutMs?: number; servers?: string[] } = {}): DomainCheck {
  const timeoutMs = options.timeoutMs ?? DOMAIN_CHECK_TIMEOUT_MS;
  return async (domain) => {
    const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
    if (options.servers) resolver.setServers(options.servers);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        resolver.cancel();
        resolve(false);
      }, timeoutMs);
    });
    const lookup = (async () => {
      const mx = await resolver.resolveMx(domain).catch(() => []);
      if (mx.length > 0) return mx.some((r) => r.exchange !== '' && r.exchange !== '.');
      const [a, aaaa] = await Promise.all([resolver.resolve4(domain).catch(() => []), resolver.resolve6(domain).catch(() => [])]);
      return a.length + aaaa.length > 0;
    })();
    try {
      return await Promise.race([lookup, deadline]);
    } finally {
      if (timer) clearTimeout(timer);
    }
  };
}
