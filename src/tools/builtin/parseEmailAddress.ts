/**
 * A bare address (`local@domain`) in a conservative subset of RFC 5322: dot-atom local part, DNS hostname domain
 * with a TLD. No display names, quoted local parts, comments, IP literals, commas or whitespace: an address that is
 * read out over the phone never needs them, and each is a way to smuggle a second recipient or a header. Pure.
 */
export type ParsedEmail = { ok: true; address: string; domain: string } | { ok: false; error: string };

/** RFC 5321 limits. */
const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TLD = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

export function parseEmailAddress(input: string): ParsedEmail {
  const text = input.trim();
  if (text.length === 0) return { ok: false, error: 'no email address given' };
  if (text.length > MAX_ADDRESS) return { ok: false, error: 'email address is too long' };
  if (/[\s,;<>()"\\[\]]/.test(text) || /[\u0000-\u001f\u007f]/.test(text)) {
    return { ok: false, error: 'give one plain address like name@example.com, without a name, spaces or commas' };
  }
  const at = text.lastIndexOf('@');
  if (at <= 0 || text.indexOf('@') !== at) return { ok: false, error: 'an email address has exactly one @ with a name before it' };
  const local = text.slice(0, at);
  const domain = text.slice(at + 1).toLowerCase().replace(/\.$/, '');
  if (local.length > MAX_LOCAL || !LOCAL.test(local)) return { ok: false, error: 'the part before @ is not valid' };
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1] as string)) {
    return { ok: false, error: 'the domain after @ is not valid (like example.com)' };
  }
  return { ok: true, address: `${local}@${domain}`, domain };
}
