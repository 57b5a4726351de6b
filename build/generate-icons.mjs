// Rasterises the SVG sources in build/icons/ with Chromium (playwright-core) into every image
// the app and the installers need. Run after editing an SVG: node build/generate-icons.mjs
//
//   build/icon.png            1024 px app icon (electron-builder converts it for macOS)
//   build/icon.ico            Windows app icon, 16-256 px
//   build/linux/NxN.png       Linux icon set (linux.icon in electron-builder.yml)
//   build/tray/               tray images per state: tray-<state>Template.png/@2x (macOS),
//                             tray-<state>.ico (Windows), tray-<state>.png/@2x (Linux)
import { chromium } from 'playwright-core';
import { Buffer } from 'node:buffer';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const here = resolve(import.meta.dirname);
const sources = join(here, 'icons');
const STATES = ['ok', 'attention', 'stopped'];
const APP_ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
const TRAY_ICO_SIZES = [16, 20, 24, 32, 40, 48];
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
// Small app icons drop the macOS padding so the key stays legible.
const SMALL_APP_ICON_MAX_PX = 48;

/** An ICO file holding PNG images (supported since Windows Vista). */
function encodeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt8(0, 2); // no palette
    entry.writeUInt8(0, 3);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...images.map((image) => image.png)]);
}

const profile = await mkdtemp(join(tmpdir(), 'tokentray-icons-'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile, XDG_DATA_HOME: profile },
});
const page = await browser.newPage({ deviceScaleFactor: 1 });

async function rasterise(svg, size) {
  const sized = svg.replace(/<svg([^>]*?)\swidth="[^"]*"\sheight="[^"]*"/, `<svg$1 width="${size}" height="${size}"`);
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}

try {
  const app = await readFile(join(sources, 'app.svg'), 'utf8');
  const appSmall = app.replace('viewBox="0 0 1024 1024"', 'viewBox="100 100 824 824"');
  const appAt = (size) => rasterise(size <= SMALL_APP_ICON_MAX_PX ? appSmall : app, size);

  await writeFile(join(here, 'icon.png'), await appAt(1024));
  const appIco = [];
  for (const size of APP_ICO_SIZES) appIco.push({ size, png: await appAt(size) });
  await writeFile(join(here, 'icon.ico'), encodeIco(appIco));
  await mkdir(join(here, 'linux'), { recursive: true });
  for (const size of LINUX_SIZES) await writeFile(join(here, 'linux', `${size}x${size}.png`), await appAt(size));

  const tray = join(here, 'tray');
  await rm(tray, { recursive: true, force: true });
  await mkdir(tray, { recursive: true });
  for (const state of STATES) {
    const colour = await readFile(join(sources, `tray-${state}.svg`), 'utf8');
    const template = await readFile(join(sources, `tray-${state}Template.svg`), 'utf8');
    // macOS menu bar: 16 pt (18 px art is common; 16 keeps the badge crisp), @2x for Retina.
    await writeFile(join(tray, `tray-${state}Template.png`), await rasterise(template, 16));
    await writeFile(join(tray, `tray-${state}Template@2x.png`), await rasterise(template, 32));
    // Linux panels are 22-32 px high; AppIndicator scales down cleanly from 32.
    await writeFile(join(tray, `tray-${state}.png`), await rasterise(colour, 32));
    await writeFile(join(tray, `tray-${state}@2x.png`), await rasterise(colour, 64));
    const ico = [];
    for (const size of TRAY_ICO_SIZES) ico.push({ size, png: await rasterise(colour, size) });
    await writeFile(join(tray, `tray-${state}.ico`), encodeIco(ico));
  }
  console.log('icons written to build/');
} finally {
  await browser.close();
  await rm(profile, { recursive: true, force: true });
}
