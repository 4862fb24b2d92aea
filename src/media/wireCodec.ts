/**
 * The audio formats Asterisk's ExternalMedia can carry over RTP, as observed on Asterisk 22.x.
 * Inbound (Asterisk → us): the negotiated format with its payload type (static or Asterisk's dynamic numbers).
 * Outbound (us → Asterisk): only static payload types are accepted; dynamic ones are silently dropped, so wideband
 * audio goes back as 8 kHz L16 (PT 10) and Asterisk transcodes.
 */

export type WireCodec = 'ulaw' | 'alaw' | 'slin' | 'slin16' | 'slin24';
export type OutboundWireCodec = 'ulaw' | 'alaw' | 'slin';

export interface WireCodecInfo {
  sampleRate: number;
  /** Payload bytes in one 20 ms frame. */
  bytesPer20ms: number;
  /** Payload type Asterisk uses when it sends this format. */
  inboundPayloadType: number;
  /** Byte that encodes digital silence (one-byte repeat pattern). */
  silenceByte: number;
  /** 'g711' one byte per sample; 'l16be' two bytes per sample, big-endian. */
  sampleFormat: 'ulaw' | 'alaw' | 'l16be';
}

export const WIRE_CODECS: Readonly<Record<WireCodec, Readonly<WireCodecInfo>>> = Object.freeze({
  ulaw: { sampleRate: 8000, bytesPer20ms: 160, inboundPayloadType: 0, silenceByte: 0xff, sampleFormat: 'ulaw' },
  alaw: { sampleRate: 8000, bytesPer20ms: 160, inboundPayloadType: 8, silenceByte: 0xd5, sampleFormat: 'alaw' },
  slin: { sampleRate: 8000, bytesPer20ms: 320, inboundPayloadType: 10, silenceByte: 0x00, sampleFormat: 'l16be' },
  slin16: { sampleRate: 16000, bytesPer20ms: 640, inboundPayloadType: 118, silenceByte: 0x00, sampleFormat: 'l16be' },
  slin24: { sampleRate: 24000, bytesPer20ms: 960, inboundPayloadType: 123, silenceByte: 0x00, sampleFormat: 'l16be' },
});

export const WIRE_CODEC_NAMES: readonly WireCodec[] = ['ulaw', 'alaw', 'slin', 'slin16', 'slin24'];

export function isWireCodec(v: unknown): v is WireCodec {
  return typeof v === 'string' && (WIRE_CODEC_NAMES as readonly string[]).includes(v);
}

export function wireCodecInfo(codec: WireCodec): Readonly<WireCodecInfo> {
  return WIRE_CODECS[codec];
}

/** What we send back for a given inbound format: same G.711 law, otherwise 8 kHz L16. */
export function outboundCodecFor(inbound: WireCodec): OutboundWireCodec {
  return inbound === 'ulaw' || inbound === 'alaw' ? inbound : 'slin';
}

/** Static payload type for outbound audio: μ-law 0, A-law 8, L16 8 kHz mono 10. */
export function outboundPayloadType(codec: OutboundWireCodec): number {
  switch (codec) {
    case 'ulaw':
      return 0;
    case 'alaw':
      return 8;
    case 'slin':
      return 10;
  }
}
