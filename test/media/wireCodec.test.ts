import { describe, expect, it } from 'vitest';
import { WIRE_CODECS, isWireCodec, outboundCodecFor, outboundPayloadType } from '../../src/media/wireCodec.js';

describe('wire codecs', () => {
  it('matches what Asterisk sends: payload types and 20 ms sizes', () => {
    expect(Object.fromEntries(Object.entries(WIRE_CODECS).map(([k, v]) => [k, [v.sampleRate, v.bytesPer20ms, v.inboundPayloadType]]))).toEqual({
      ulaw: [8000, 160, 0],
      alaw: [8000, 160, 8],
      slin: [8000, 320, 10],
      slin16: [16000, 640, 118],
      slin24: [24000, 960, 123],
    });
  });

  it('sends wideband back as 8 kHz L16 because Asterisk drops dynamic payload types', () => {
    expect(outboundCodecFor('ulaw')).toBe('ulaw');
    expect(outboundCodecFor('alaw')).toBe('alaw');
    expect(outboundCodecFor('slin')).toBe('slin');
    expect(outboundCodecFor('slin16')).toBe('slin');
    expect(outboundCodecFor('slin24')).toBe('slin');
    expect([outboundPayloadType('ulaw'), outboundPayloadType('alaw'), outboundPayloadType('slin')]).toEqual([0, 8, 10]);
  });

  it('only produces static payload types outbound', () => {
    for (const c of ['ulaw', 'alaw', 'slin', 'slin16', 'slin24'] as const) expect(outboundPayloadType(outboundCodecFor(c))).toBeLessThanOrEqual(34);
  });

  it('recognises codec names', () => {
    expect(isWireCodec('slin16')).toBe(true);
    expect(isWireCodec('g722')).toBe(false);
    expect(isWireCodec(0)).toBe(false);
  });
});
