/**
 * Tiny multipart/form-data parser for the fake transcription endpoint (RFC 7578): enough for what the OpenAI SDK
 * sends (one file part plus text fields). Bad input throws; the fake answers 400.
 */
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export function boundaryOf(contentType: string | undefined): string {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  const b = m?.[1] ?? m?.[2];
  if (!b || !/^multipart\/form-data/i.test(contentType ?? '')) throw new Error('not multipart/form-data');
  return b.trim();
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('boundary not found');
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break; // closing delimiter
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new Error('bad delimiter line');
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new Error('part without header end');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headerEnd + 4);
    if (next < 0) throw new Error('unterminated part');
    const data = body.subarray(headerEnd + 4, next);
    let name = '';
    let filename: string | undefined;
    let contentType: string | undefined;
    for (const h of headers) {
      const [key, ...rest] = h.split(':');
      const value = rest.join(':').trim();
      if (key?.toLowerCase() === 'content-disposition') {
        name = /\bname="([^"]*)"/.exec(value)?.[1] ?? '';
        filename = /\bfilename="([^"]*)"/.exec(value)?.[1];
      } else if (key?.toLowerCase() === 'content-type') contentType = value;
    }
    parts.push({ name, data, ...(filename !== undefined ? { filename } : {}), ...(contentType !== undefined ? { contentType } : {}) });
    pos = next + 2;
  }
  return parts;
}
