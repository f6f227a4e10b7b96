/**
 * The bench's SMTP server on 127.0.0.1: `smtp-server` accepting every mail and keeping only its
 * Message-ID (no parsing: the sink must not be what limits the rate it measures).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface BenchSmtpSink {
  url: string;
  /** Message-IDs in the order they arrived (duplicates included: they count as failures). */
  readonly messageIds: string[];
  close(): Promise<void>;
}

const MESSAGE_ID = /^message-id:\s*(<[^>\r\n]+>)/im;

export async function startBenchSmtpSink(): Promise<BenchSmtpSink> {
  const messageIds: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        // The headers come first; the body is read and dropped.
        if (head.length < 8192 && !head.includes('\r\n\r\n')) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        messageIds.push(MESSAGE_ID.exec(head)?.[1] ?? '(none)');
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messageIds,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
