import { describe, expect, it } from 'vitest';
import { decodeLinkRecord, encodeLinkRecord, int32Part, LinkRecordError } from '../../src/media/linkRecord.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

describe('linkRecord', () => {
  it('lays out header, JSON and parts on 8-byte boundaries (byte fixture)', () => {
    const rec = encodeLinkRecord({ t: 'x' }, [new Uint8Array([0xaa, 0xbb, 0xcc]), Int32Array.from([-2])]);
    expect(hex(rec)).toBe(
      [
        '09000000', // JSON bytes
        '02000000', // parts
        '03000000', // part 0 bytes
        '04000000', // part 1 bytes
        Buffer.from('{"t":"x"}').toString('hex') + '00'.repeat(7), // JSON at 16, padded to 32
        'aabbcc' + '00'.repeat(5), // part 0 at 32, padded to 40
        'feffffff' + '00'.repeat(4), // part 1 at 40 (Int32 -2, little-endian), padded to 48
      ].join(''),
    );
    // the padding is not read back, whatever it holds
    rec.fill(0x55, 25, 32);
    const { message, parts } = decodeLinkRecord(rec);
    expect(message).toEqual({ t: 'x' });
    expect(parts.map(hex)).toEqual(['aabbcc', 'feffffff']);
  });

  it('round-trips plain data, non-ASCII text, empty and large parts; parts are views of the record', () => {
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    const msg = { t: 'many', msgs: [{ t: 'write', id: 3, offset: 0, length: 160, responseId: 'resp_1', itemId: 'item_1' }], note: 'Grüße — 你好', n: -1.5 };
    const rec = encodeLinkRecord(msg, [new Uint8Array(0), big.subarray(1000, 51_000)]);
    const { message, parts } = decodeLinkRecord(rec);
    expect(message).toEqual(msg);
    expect(parts[0]!.length).toBe(0);
    expect(parts[1]!.length).toBe(50_000);
    expect(parts[1]![0]).toBe(1000 & 0xff);
    expect(parts[1]!.buffer).toBe(rec.buffer);
  });

  it('follows JSON for what JSON cannot say: undefined properties left out, NaN as null, undefined as null', () => {
    expect(decodeLinkRecord(encodeLinkRecord({ a: undefined, b: NaN, c: Infinity, d: [undefined] })).message).toEqual({ b: null, c: null, d: [null] });
    expect(decodeLinkRecord(encodeLinkRecord(undefined)).message).toBeNull();
  });

  it('rejects malformed records with a LinkRecordError that says what is wrong', () => {
    const good = encodeLinkRecord({ ok: true }, [new Uint8Array([1, 2, 3, 4])]);
    expect(() => decodeLinkRecord(Buffer.alloc(5))).toThrow(/no header/);
    const manyParts = Buffer.from(good);
    manyParts.writeUInt32LE(1_000_000, 4);
    expect(() => decodeLinkRecord(manyParts)).toThrow(/announces 1000000 parts/);
    const longJson = Buffer.from(good);
    longJson.writeUInt32LE(10_000, 0);
    expect(() => decodeLinkRecord(longJson)).toThrow(LinkRecordError);
    const badJson = Buffer.from(good);
    badJson[16] = 0x7d; // '}' where '{' was
    expect(() => decodeLinkRecord(badJson)).toThrow(/does not parse/);
    const longPart = Buffer.from(good);
    longPart.writeUInt32LE(64, 8);
    expect(() => decodeLinkRecord(longPart)).toThrow(/part 0 \(64 bytes at 32\) runs past/);
  });

  it('gives an Int32Array part back in place when aligned, and as a copy when not', () => {
    const rec = encodeLinkRecord(null, [Int32Array.from([1, -1, 2 ** 31 - 1])]);
    const part = decodeLinkRecord(rec).parts[0]!;
    const inPlace = int32Part(part);
    expect([...inPlace]).toEqual([1, -1, 2 ** 31 - 1]);
    expect(inPlace.buffer).toBe(rec.buffer);
    const odd = new Uint8Array(13);
    odd.set(part, 1);
    const copied = int32Part(odd.subarray(1));
    expect([...copied]).toEqual([1, -1, 2 ** 31 - 1]);
    expect(copied.buffer).not.toBe(odd.buffer);
  });
});
