import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg, renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import QRCode from 'qrcode';
import { AppError } from '../../lib/errors.js';

/**
 * A member's invite share poster as a PNG: the platform's name in a coloured
 * header, "<name> 邀请您加入<platform>", a QR code of the invite link, the
 * invite code and "长按识别二维码注册".
 *
 * The poster is an SVG rasterised by resvg (a prebuilt binary from npm, no
 * system libraries) with Noto Sans Hans from `@embedpdf/fonts-sc` (OFL-1.1,
 * all 6,763 GB2312 hanzi and far more). System fonts are never loaded: a
 * server without CJK fonts draws the same poster as a developer's laptop.
 */

export interface InvitePosterInput {
  memberName: string;
  platformName: string;
  inviteCode: string;
  /** What the QR code encodes, exactly. */
  link: string;
}

const FONT_FAMILY = 'Noto Sans S Chinese';

/** Where things are on the poster; the tests look for the text in these bands. */
export const posterLayout = {
  width: 750,
  height: 1334,
  headerHeight: 420,
  /** Rows that hold the platform name in the header. */
  platformNameBand: { top: 100, bottom: 200 },
  /** Rows that hold the member's name on the card. */
  memberNameBand: { top: 345, bottom: 410 },
  card: { x: 50, y: 280, width: 650, height: 940, radius: 28 },
  /** The QR code is centred in a `box` px square, framed `pad` px around. */
  qr: { top: 530, box: 400, pad: 24 },
} as const;

const colours = {
  brand: '#D9363E',
  brandLight: '#F4743B',
  page: '#FFF6EF',
  ink: '#1F1F1F',
  muted: '#8C8C8C',
  qr: '#111111',
};

let fontOptions: ResvgRenderOptions['font'] | undefined;

/** The bundled font files, resolved once (resvg itself reads them per render). */
function bundledFonts(): NonNullable<ResvgRenderOptions['font']> {
  if (fontOptions) return fontOptions;
  // The package exports only its metadata module; the .otf files sit beside dist/.
  const entry = createRequire(import.meta.url).resolve('@embedpdf/fonts-sc');
  const dir = join(dirname(dirname(entry)), 'fonts');
  const fontFiles = ['NotoSansHans-Regular.otf', 'NotoSansHans-Bold.otf'].map((f) => join(dir, f));
  const missing = fontFiles.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new AppError('INTERNAL', `invite poster font missing: ${missing.join(', ')} (npm install?)`);
  }
  fontOptions = {
    loadSystemFonts: false,
    fontFiles,
    defaultFontFamily: FONT_FAMILY,
    sansSerifFamily: FONT_FAMILY,
  };
  return fontOptions;
}

/**
 * Characters the bundled font has glyphs for (checked against its cmap);
 * anything else — emoji, joiners, control characters, Hangul — would print
 * as an empty box, so it is dropped.
 */
const DRAWABLE = new RegExp(
  '[\\u0020-\\u007E\\u00A0-\\u00FF'
    + '\\u2010-\\u2016\\u2018-\\u201A\\u201C-\\u201E\\u2020-\\u2022\\u2025-\\u2027\\u2030\\u2032\\u2033\\u2035\\u2039-\\u203C'
    + '\\u3000-\\u303F\\u3041-\\u3096\\u309B-\\u30FF\\u3105-\\u312D'
    + '\\u3400-\\u4DB5\\u4E00-\\u9FD0\\uFF01-\\uFFBE\\uFFE0-\\uFFE6]',
  'u',
);

/** `text` with whitespace collapsed and the characters the poster cannot draw left out. */
export function drawableText(text: string): string {
  return [...text.normalize('NFC').replace(/\s+/gu, ' ')]
    .filter((ch) => DRAWABLE.test(ch))
    .join('')
    .trim();
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Width in em: CJK and full-width forms are square, the rest about 0.6 em in Noto Sans. */
function emWidth(text: string): number {
  let em = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    em += cp >= 0x2e80 ? 1 : 0.6;
  }
  return em;
}

/** Shrinks the font down to `minSize`, then cuts the text with an ellipsis, to fit `maxWidth` px. */
function fitText(text: string, maxWidth: number, size: number, minSize: number): { text: string; size: number } {
  const fitting = Math.floor(maxWidth / Math.max(emWidth(text), 1));
  if (fitting >= minSize) return { text, size: Math.min(size, fitting) };
  const chars = [...text];
  while (chars.length > 1 && emWidth(chars.join('') + '…') * minSize > maxWidth) chars.pop();
  return { text: chars.join('') + '…', size: minSize };
}

/** The QR code's dark modules as one path, a rectangle per horizontal run, in module units. */
function qrPath(link: string): { path: string; size: number } {
  if (link.length === 0) throw new AppError('VALIDATION_FAILED', 'the invite link is empty');
  let qr: QRCode.QRCode;
  try {
    qr = QRCode.create(link, { errorCorrectionLevel: 'M' });
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `the invite link does not fit in a QR code: ${String(err)}`);
  }
  const { size, data } = qr.modules;
  const runs: string[] = [];
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!data[row * size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && data[row * size + col]) col++;
      runs.push(`M${start} ${row}h${col - start}v1h${start - col}z`);
    }
  }
  return { path: runs.join(''), size };
}

/**
 * A soft shadow under the card from a few faint, growing rounded rectangles:
 * an feDropShadow blur over the card's area costs ~140 ms a poster.
 */
function cardShadow(): string {
  const { card } = posterLayout;
  return [14, 10, 6, 3]
    .map((spread) => `<rect x="${card.x - spread}" y="${card.y - spread + 8}" width="${card.width + 2 * spread}" `
      + `height="${card.height + 2 * spread}" rx="${card.radius + spread}" fill="#B4322A" fill-opacity="0.03"/>`)
    .join('');
}

const svgOpen = (extra = '') =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${posterLayout.width}" height="${posterLayout.height}" `
  + `viewBox="0 0 ${posterLayout.width} ${posterLayout.height}" font-family="${FONT_FAMILY}"${extra}>`;

/** Below the QR code's frame: the invite code and the footer hang from here. */
const belowQr = posterLayout.qr.top + posterLayout.qr.box + posterLayout.qr.pad;

/** The text that depends on the platform alone: the same on every poster of a platform. */
function platformTextSvg(platformName: string): string {
  const { width: W, height: H, card } = posterLayout;
  const cx = W / 2;
  const platform = fitText(platformName, 560, 76, 40);
  const join = fitText(`邀请您加入${platformName}`, card.width - 80, 32, 22);
  return `<text x="${cx}" y="178" text-anchor="middle" font-size="${platform.size}" font-weight="700" letter-spacing="6" fill="#FFFFFF">${escapeXml(platform.text)}</text>
<text x="${cx}" y="236" text-anchor="middle" font-size="26" letter-spacing="4" fill="#FFFFFF" fill-opacity="0.85">合作伙伴邀请函</text>
<text x="${cx}" y="458" text-anchor="middle" font-size="${join.size}" fill="${colours.muted}">${escapeXml(join.text)}</text>
<text x="${cx}" y="${belowQr + 56}" text-anchor="middle" font-size="26" letter-spacing="2" fill="${colours.muted}">邀请码</text>
<text x="${cx}" y="${belowQr + 214}" text-anchor="middle" font-size="30" letter-spacing="2" fill="${colours.ink}">长按识别二维码注册</text>
<text x="${cx}" y="${H - 40}" text-anchor="middle" font-size="22" fill="${colours.muted}">${escapeXml(platform.text)}</text>`;
}

/**
 * resvg-js keeps no font database between renders and lays out text at
 * ~5 ms an element plus ~0.7 ms a glyph, so the platform's text is laid out
 * once, kept as outlines (resvg's own text-to-path output) and reused.
 */
const outlinedPlatformText = new Map<string, string>();

function platformTextOutlines(platformName: string): string {
  const cached = outlinedPlatformText.get(platformName);
  if (cached !== undefined) return cached;
  const svg = `${svgOpen()}${platformTextSvg(platformName)}</svg>`;
  const outlined = new Resvg(svg, { font: bundledFonts(), logLevel: 'off' }).toString();
  const inner = outlined.slice(outlined.indexOf('>') + 1, outlined.lastIndexOf('</svg>'));
  // A handful of platforms at most; the bound only guards against a misuse.
  if (outlinedPlatformText.size >= 32) outlinedPlatformText.clear();
  outlinedPlatformText.set(platformName, inner);
  return inner;
}

function posterSvg(input: InvitePosterInput): string {
  const { width: W, headerHeight, card, qr: qrBox } = posterLayout;
  const cx = W / 2;
  const name = fitText(drawableText(input.memberName) || '您的好友', card.width - 80, 46, 30);
  const code = fitText(drawableText(input.inviteCode), card.width - 120, 52, 28);

  const qr = qrPath(input.link);
  // Whole pixels per module keep the QR code's edges sharp.
  const modulePx = Math.max(1, Math.floor(qrBox.box / qr.size));
  const qrPx = modulePx * qr.size;
  const qrX = Math.floor((W - qrPx) / 2);
  const qrY = qrBox.top + Math.floor((qrBox.box - qrPx) / 2);
  const frame = { x: cx - qrBox.box / 2 - qrBox.pad, y: qrBox.top - qrBox.pad, size: qrBox.box + 2 * qrBox.pad };

  return `${svgOpen()}
<defs>
  <linearGradient id="header" x1="0" y1="0" x2="1" y2="1">
    <stop offset="0" stop-color="${colours.brand}"/><stop offset="1" stop-color="${colours.brandLight}"/>
  </linearGradient>
</defs>
<rect width="${W}" height="${posterLayout.height}" fill="${colours.page}"/>
<path d="M0 0H${W}V${headerHeight - 60}Q${cx} ${headerHeight + 40} 0 ${headerHeight - 60}Z" fill="url(#header)"/>
<circle cx="${W - 40}" cy="40" r="130" fill="#FFFFFF" fill-opacity="0.08"/>
<circle cx="30" cy="${headerHeight - 130}" r="70" fill="#FFFFFF" fill-opacity="0.07"/>
${cardShadow()}
<rect x="${card.x}" y="${card.y}" width="${card.width}" height="${card.height}" rx="${card.radius}" fill="#FFFFFF"/>
<rect x="${frame.x}" y="${frame.y}" width="${frame.size}" height="${frame.size}" rx="16" fill="#FFFFFF" stroke="#F0E2D8" stroke-width="2"/>
<path transform="translate(${qrX} ${qrY}) scale(${modulePx})" d="${qr.path}" fill="${colours.qr}" shape-rendering="crispEdges"/>
<line x1="${card.x + 60}" y1="${belowQr + 158}" x2="${card.x + card.width - 60}" y2="${belowQr + 158}" stroke="#EFE4DC" stroke-width="2" stroke-dasharray="8 8"/>
${platformTextOutlines(drawableText(input.platformName))}
<text x="${cx}" y="396" text-anchor="middle" font-size="${name.size}" font-weight="700" fill="${colours.ink}">${escapeXml(name.text)}</text>
<text x="${cx}" y="${belowQr + 118}" text-anchor="middle" font-size="${code.size}" font-weight="700" letter-spacing="6" fill="${colours.brand}">${escapeXml(code.text)}</text>
</svg>`;
}

/**
 * Renders the poster (750×1334 PNG). Pure: the only file access is resvg
 * reading the bundled font. Rasterising runs on libuv's thread pool, so a
 * request for a poster does not stall the event loop (the first poster of a
 * platform also lays out its text, ~50 ms, on the caller's thread).
 */
export async function renderInvitePoster(input: InvitePosterInput): Promise<Buffer> {
  const svg = posterSvg(input);
  const image = await renderAsync(svg, { font: bundledFonts(), logLevel: 'off' });
  return image.asPng();
}
