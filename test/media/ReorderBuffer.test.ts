import { describe, expect, it } from 'vitest';
import { ReorderBuffer } from '../../src/media/ReorderBuffer.js';
import type { RtpPacket } from '../../src/media/rtpPacket.js';

const pkt = (seq: number, ssrc = 1): RtpPacket => ({
  marker: false,
  payloadType: 0,
  sequenceNumber: seq & 0xffff,
  timestamp: (seq * 160) >>> 0,
  ssrc,
  csrc: [],
  payload: Buffer.alloc(0),
});

const seqs = (ps: RtpPacket[]) => ps.map((p) => p.sequenceNumber);

describe('ReorderBuffer', () => {
  it('releases in-order packets immediately', () => {
    const r = new ReorderBuffer();
    expect(seqs(r.push(pkt(10)))).toEqual([10]);
    expect(seqs(r.push(pkt(11)))).toEqual([11]);
    expect(r.stats).toMatchObject({ released: 2, lost: 0, late: 0, duplicate: 0 });
  });

  it('puts a swapped pair back in order', () => {
    const r = new ReorderBuffer({ depth: 3 });
    r.push(pkt(1));
    expect(seqs(r.push(pkt(3)))).toEqual([]);
    expect(seqs(r.push(pkt(2)))).toEqual([2, 3]);
    expect(r.stats.lost).toBe(0);
  });

  it('crosses the 16-bit sequence wrap', () => {
    const r = new ReorderBuffer();
    const out = [...r.push(pkt(65534)), ...r.push(pkt(0)), ...r.push(pkt(65535)), ...r.push(pkt(1))];
    expect(seqs(out)).toEqual([65534, 65535, 0, 1]);
    expect(r.stats.lost).toBe(0);
  });

  it('counts a gap as lost when more than depth packets wait behind it', () => {
    const r = new ReorderBuffer({ depth: 2 });
    r.push(pkt(100));
    expect(seqs(r.push(pkt(103)))).toEqual([]);
    expect(seqs(r.push(pkt(104)))).toEqual([]);
    expect(seqs(r.push(pkt(105)))).toEqual([103, 104, 105]);
    expect(r.stats.lost).toBe(2);
  });

  it('drops and counts a packet behind the play-out point as late', () => {
    const r = new ReorderBuffer({ depth: 1 });
    r.push(pkt(1));
    r.push(pkt(3));
    r.push(pkt(4)); // moves past 2
    expect(seqs(r.push(pkt(2)))).toEqual([]);
    expect(r.stats).toMatchObject({ late: 1, lost: 1 });
  });

  it('counts duplicates, whether held or already released', () => {
    const r = new ReorderBuffer({ depth: 3 });
    r.push(pkt(1));
    r.push(pkt(1));
    r.push(pkt(3));
    r.push(pkt(3));
    expect(r.stats.duplicate).toBe(2);
    expect(seqs(r.push(pkt(2)))).toEqual([2, 3]);
  });

  it('releases everything with depth 0 and counts the gap at once', () => {
    const r = new ReorderBuffer({ depth: 0 });
    r.push(pkt(5));
    expect(seqs(r.push(pkt(8)))).toEqual([8]);
    expect(r.stats.lost).toBe(2);
  });

  it('flushes held packets in order, counting gaps between them', () => {
    const r = new ReorderBuffer({ depth: 5 });
    r.push(pkt(1));
    r.push(pkt(5));
    r.push(pkt(3));
    expect(seqs(r.flush())).toEqual([3, 5]);
    expect(r.stats.lost).toBe(2);
    expect(seqs(r.push(pkt(6)))).toEqual([6]);
  });

  it('restarts on an SSRC change, handing out what was held first', () => {
    const r = new ReorderBuffer({ depth: 3 });
    r.push(pkt(1, 0xaaaa));
    r.push(pkt(3, 0xaaaa));
    const out = r.push(pkt(9000, 0xbbbb));
    expect(out.map((p) => [p.ssrc, p.sequenceNumber])).toEqual([[0xaaaa, 3], [0xbbbb, 9000]]);
    expect(r.stats).toMatchObject({ ssrcChanges: 1, lost: 0, late: 0 });
    expect(seqs(r.push(pkt(9001, 0xbbbb)))).toEqual([9001]);
  });

  it('treats a huge sequence jump as a restarted sender, not thousands of lost packets', () => {
    const r = new ReorderBuffer();
    r.push(pkt(10));
    expect(seqs(r.push(pkt(20000)))).toEqual([20000]);
    expect(seqs(r.push(pkt(20001)))).toEqual([20001]);
    expect(r.stats.lost).toBe(0);
    expect(r.stats.resets).toBe(1);
  });
});
