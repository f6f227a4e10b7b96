/** Browsers by the token that names them, most specific first (Edge and Opera also say "Chrome"). */
const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bCriOS\/|\b(Headless)?Chrome\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

/** Systems, most specific first (Android also says "Linux", iOS says "like Mac OS X"). */
const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bLinux\b/, 'Linux'],
];

const find = (table: ReadonlyArray<readonly [RegExp, string]>, text: string) => table.find(([pattern]) => pattern.test(text))?.[1];

/**
 * A session's device as a person would name it ("Firefox on Linux"), from the `User-Agent` it
 * signed in with. Only for display: a user agent is whatever the client chose to send.
 *
 * @example
 * describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) ... Version/18.0 Mobile/15E148 Safari/604.1'); // 'Safari on iPhone'
 */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = find(BROWSERS, userAgent);
  const system = find(SYSTEMS, userAgent);
  if (browser && system) return `${browser} on ${system}`;
  // Not a browser we know (a CLI, a script): its own product token, e.g. "curl/8.5.0".
  return browser ?? system ?? userAgent.split(/[\s(]/, 1)[0]!.slice(0, 40);
}
