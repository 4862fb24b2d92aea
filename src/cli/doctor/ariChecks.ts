import { probeAri } from '../../ari/preflight.js';
import type { DoctorCheck, DoctorResult } from './DoctorCheck.js';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** ARI reachable and credentials accepted; Stasis app registration; RTP addresses Asterisk can actually reach. */
export const ariChecks: DoctorCheck = async ({ config }, { timeoutMs }) => {
  const { asterisk, external_media: media } = config;
  const results: DoctorResult[] = [];
  const probe = await probeAri(asterisk, { timeoutMs });
  if (!probe.ok) {
    results.push({ status: 'fail', title: `ARI at ${asterisk.ari_url}: ${probe.message}`, fix: probe.hint });
  } else {
    results.push({ status: 'ok', title: `ARI at ${asterisk.ari_url}: Asterisk ${probe.version}, user '${asterisk.username}' accepted` });
    const app = asterisk.app_name;
    if (probe.appRegistered === true) results.push({ status: 'info', title: `Stasis app '${app}' is registered (an agent is connected now)` });
    else if (probe.appRegistered === false) {
      results.push({
        status: 'info',
        title: `Stasis app '${app}' is not registered yet (normal while the agent is stopped; 'ai-agent start' registers it)`,
        fix: `the dialplan must call Stasis(${app}) (dialplan/extensions_custom.conf); a call that arrives while no agent is connected continues with STASISSTATUS=FAILED`,
      });
    }
  }

  const ariHost = new URL(asterisk.ari_url).hostname;
  const asteriskIsLocal = LOCAL_HOSTS.has(ariHost);
  if (!asteriskIsLocal && LOCAL_HOSTS.has(media.advertise_host)) {
    results.push({
      status: 'fail',
      title: `external_media.advertise_host is ${media.advertise_host} but Asterisk runs on ${ariHost}: it would send the caller's audio to itself`,
      fix: 'set advertise_host to this machine\'s address as Asterisk sees it (its LAN IP, or the NAT public address)',
    });
  } else if (!asteriskIsLocal && LOCAL_HOSTS.has(media.rtp_host)) {
    results.push({
      status: 'fail',
      title: `external_media.rtp_host is ${media.rtp_host}: RTP from Asterisk on ${ariHost} cannot reach it`,
      fix: 'set rtp_host: 0.0.0.0 (or this machine\'s LAN address)',
    });
  } else {
    results.push({ status: 'ok', title: `Asterisk sends RTP to ${media.advertise_host}:${media.port_range} (codec ${media.codec})` });
  }
  return results;
};
