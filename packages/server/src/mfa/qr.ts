import QRCode from 'qrcode';

/**
 * The `otpauth://` URL as an SVG QR code that a page can show as it is (an `<img>` of a data URL,
 * or inline): error correction M, a quiet zone of 4 modules as the QR standard asks, no script.
 */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}
