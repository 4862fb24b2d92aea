import { rmsDbfs } from '../vad/frameEnergy.js';
import { alawToPcm, ulawToPcm } from './g711.js';
import { pcm16leToPcm } from './l16.js';

/** Average level of a provider-format frame in dBFS. For logs and diagnostics, not the hot path. */
export function audioLevelDbfs(buf: Buffer, encoding: 'pcmu' | 'pcma' | 'pcm16'): number {
  const pcm = encoding === 'pcmu' ? ulawToPcm(buf) : encoding === 'pcma' ? alawToPcm(buf) : pcm16leToPcm(buf);
  return rmsDbfs(pcm);
}
