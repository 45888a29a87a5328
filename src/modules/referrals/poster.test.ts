import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { drawableText, posterLayout, renderInvitePoster } from './poster.js';

const base = {
  memberName: '张三的小店',
  platformName: '商联',
  inviteCode: 'AB12CD',
  link: 'https://shanglian.example/r/AB12CD?from=poster',
};

type Image = { width: number; height: number; data: Buffer };
type Band = { top: number; bottom: number };

async function poster(overrides: Partial<typeof base> = {}): Promise<Image> {
  const png = await renderInvitePoster({ ...base, ...overrides });
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return PNG.sync.read(png);
}

function scanQr(img: Image): string | undefined {
  // jsqr is CommonJS with its function also at `.default`, the one its types describe under NodeNext.
  return jsqr.default(new Uint8ClampedArray(img.data), img.width, img.height)?.data;
}

/** Pixels in a band of rows (and optionally columns) that satisfy `test`. */
function countPixels(
  img: Image,
  band: Band,
  test: (r: number, g: number, b: number) => boolean,
  columns = { left: 0, right: img.width },
): number {
  let n = 0;
  for (let y = band.top; y < band.bottom; y++) {
    for (let x = columns.left; x < columns.right; x++) {
      const i = (y * img.width + x) * 4;
      if (test(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!)) n++;
    }
  }
  return n;
}

function differingPixels(a: Image, b: Image, band: Band): number {
  let n = 0;
  for (let i = band.top * a.width * 4; i < band.bottom * a.width * 4; i += 4) {
    if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2]) n++;
  }
  return n;
}

const white = (r: number, g: number, b: number) => r > 235 && g > 235 && b > 235;
const dark = (r: number, g: number, b: number) => r < 120 && g < 120 && b < 120;

describe('invite poster', () => {
  it('is a 750×1334 PNG whose QR code reads back as exactly the invite link', async () => {
    const img = await poster();
    expect([img.width, img.height]).toEqual([posterLayout.width, posterLayout.height]);
    expect(scanQr(img)).toBe(base.link);
  });

  it('encodes a long link with query string and non-ASCII characters faithfully', async () => {
    const link = `https://shanglian.example/register?code=ZX9&ref=${'a1b2'.repeat(40)}&n=${encodeURIComponent('张三')}&t=中文`;
    expect(scanQr(await poster({ link }))).toBe(link);
  });

  it('draws the Chinese platform name as real glyphs in the header, not missing-glyph boxes', async () => {
    const band = posterLayout.platformNameBand;
    const shanglian = await poster({ platformName: '商联' });
    const none = await poster({ platformName: '' });
    // White text on the red header: without glyphs there would be no white there.
    expect(countPixels(shanglian, band, white)).toBeGreaterThan(1500);
    expect(countPixels(none, band, white)).toBeLessThan(50);
    expect(differingPixels(shanglian, await poster({ platformName: 'XX' }), band)).toBeGreaterThan(1000);
    // Missing glyphs all draw the same box, so swapping two characters would change nothing.
    expect(differingPixels(shanglian, await poster({ platformName: '联商' }), band)).toBeGreaterThan(1000);
  });

  it("draws the member's Chinese name as real glyphs", async () => {
    const band = posterLayout.memberNameBand;
    const zhang = await poster({ memberName: '张三的小店' });
    expect(countPixels(zhang, band, dark)).toBeGreaterThan(1500);
    expect(differingPixels(zhang, await poster({ memberName: '李四的小店' }), band)).toBeGreaterThan(500);
  });

  it('keeps a very long Chinese name on the card and the QR code readable', async () => {
    const img = await poster({ memberName: '张三的小店'.repeat(12) });
    const { card } = posterLayout;
    const band = posterLayout.memberNameBand;
    expect(countPixels(img, band, dark, { left: card.x + 10, right: card.x + card.width - 10 })).toBeGreaterThan(1500);
    expect(countPixels(img, band, dark, { left: 0, right: card.x + 20 })).toBe(0);
    expect(countPixels(img, band, dark, { left: card.x + card.width - 20, right: img.width })).toBe(0);
    expect(scanQr(img)).toBe(base.link);
  });

  it('drops emoji and control characters instead of printing empty boxes, and escapes markup', async () => {
    const odd = '🎉小王😀👩‍👩‍👧\u0000\u202e <b>&"\'</b>';
    expect(drawableText(odd)).toBe('小王 <b>&"\'</b>');
    const img = await poster({ memberName: odd });
    expect(scanQr(img)).toBe(base.link);
    const clean = await poster({ memberName: '小王 <b>&"\'</b>' });
    expect(differingPixels(img, clean, { top: 0, bottom: img.height })).toBe(0);
  });

  it('still renders when nothing of the name is drawable', async () => {
    const img = await poster({ memberName: '😀😀', inviteCode: '' });
    expect(countPixels(img, posterLayout.memberNameBand, dark)).toBeGreaterThan(500);
    expect(scanQr(img)).toBe(base.link);
  });

  it('refuses an empty link and one too long for a QR code', async () => {
    await expect(renderInvitePoster({ ...base, link: '' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(renderInvitePoster({ ...base, link: 'x'.repeat(5000) })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
