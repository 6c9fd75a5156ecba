// A minimal PNG decoder for screenshot checks: 8-bit RGB/RGBA, not interlaced (what Chromium writes).
import { inflateSync } from 'node:zlib';

export class PNG {
  readonly width: number;
  readonly height: number;
  readonly #channels: number;
  readonly #pixels: Buffer;

  private constructor(width: number, height: number, channels: number, pixels: Buffer) {
    this.width = width;
    this.height = height;
    this.#channels = channels;
    this.#pixels = pixels;
  }

  static decode(data: Buffer): PNG {
    if (data.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
    let at = 8;
    let width = 0;
    let height = 0;
    let channels = 0;
    const idat: Buffer[] = [];
    while (at < data.length) {
      const length = data.readUInt32BE(at);
      const type = data.toString('latin1', at + 4, at + 8);
      const chunk = data.subarray(at + 8, at + 8 + length);
      if (type === 'IHDR') {
        width = chunk.readUInt32BE(0);
        height = chunk.readUInt32BE(4);
        const depth = chunk[8];
        const colour = chunk[9];
        if (depth !== 8 || chunk[12] !== 0) throw new Error('only 8-bit, non-interlaced PNGs');
        channels = colour === 6 ? 4 : colour === 2 ? 3 : 0;
        if (channels === 0) throw new Error(`unsupported colour type ${String(colour)}`);
      } else if (type === 'IDAT') {
        idat.push(chunk);
      } else if (type === 'IEND') {
        break;
      }
      at += 12 + length;
    }
    const raw = inflateSync(Buffer.concat(idat));
    const stride = width * channels;
    const pixels = Buffer.alloc(stride * height);
    for (let y = 0; y < height; y++) {
      const filter = raw[y * (stride + 1)];
      const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
      for (let x = 0; x < stride; x++) {
        const a = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
        const b = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
        const c = x >= channels && y > 0 ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
        const value = line[x] ?? 0;
        let predicted = 0;
        if (filter === 1) predicted = a;
        else if (filter === 2) predicted = b;
        else if (filter === 3) predicted = (a + b) >> 1;
        else if (filter === 4) predicted = paeth(a, b, c);
        pixels[y * stride + x] = (value + predicted) & 0xff;
      }
    }
    return new PNG(width, height, channels, pixels);
  }

  /** [r, g, b] at (x, y). */
  pixel(x: number, y: number): [number, number, number] {
    const at = (y * this.width + x) * this.#channels;
    return [this.#pixels[at] ?? 0, this.#pixels[at + 1] ?? 0, this.#pixels[at + 2] ?? 0];
  }

  /** How many pixels have exactly this colour. */
  count(rgb: readonly [number, number, number]): number {
    let n = 0;
    for (let at = 0; at < this.#pixels.length; at += this.#channels) {
      if (
        this.#pixels[at] === rgb[0] &&
        this.#pixels[at + 1] === rgb[1] &&
        this.#pixels[at + 2] === rgb[2]
      ) {
        n++;
      }
    }
    return n;
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}
