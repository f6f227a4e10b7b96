/**
 * Chromium for the consumer apps, as DEVELOPERS.md "Browser tests" runs it: Debian's build
 * (`CHROMIUM_PATH` overrides), driven by playwright-core, headless, with nothing of its own going
 * to the network.
 *
 * @example
 * const browser = await launchChromium();
 */
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
}
