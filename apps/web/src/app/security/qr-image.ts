/**
 * The auth server's QR code SVG as an `<img>` source. An SVG shown as an image runs no script and
 * loads nothing, whatever it contains, so the server's markup never becomes part of the page's
 * DOM (as `innerHTML` would make it); the app's CSP allows `img-src data:`.
 *
 * @example
 * <img [src]="qrImage(enrolment.qrSvg)" alt="QR code for your authenticator app" />
 */
export function qrImage(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
