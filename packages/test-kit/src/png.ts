import { crc32, createDeflate, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function header(width: number, height: number, bitDepth: number, colourType: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  return ihdr;
}

const png = (ihdr: Buffer, idat: Buffer) => Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);

/** A small valid RGB PNG of one colour, made without an image library. */
export function solidPng(width: number, height: number, grey = 0x5a): Buffer {
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, grey)]); // filter byte 0 + pixels
  return png(header(width, height, 8, 2), deflateSync(Buffer.concat(Array.from({ length: height }, () => row))));
}

/**
 * A valid PNG of `side`×`side` black 1-bit pixels: about 300 KB for 50 000 × 50 000, which
 * decodes to 2.5 gigapixels (a decompression bomb). Built by streaming zeros through deflate,
 * so the test never holds the pixels either.
 */
export async function pngBomb(side = 50_000): Promise<Buffer> {
  const rowsPerBlock = 500;
  const block = Buffer.alloc((1 + Math.ceil(side / 8)) * rowsPerBlock);
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  for (let rows = 0; rows < side; rows += rowsPerBlock) {
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await ended;
  return png(header(side, side, 1, 0), Buffer.concat(out));
}
