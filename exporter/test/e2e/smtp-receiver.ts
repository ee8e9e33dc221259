/**
 * A minimal SMTP server for the end-to-end notification test: it speaks just enough of RFC 5321 (greeting, EHLO/HELO,
 * MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT) for Alertmanager's Go `net/smtp` client to hand over a message, and
 * keeps every message with its headers decoded. No STARTTLS and no AUTH are advertised, so the client sends in clear
 * (Alertmanager's `require_tls: false`) and without credentials.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** One message as received: envelope, unfolded and decoded headers, and the decoded text parts. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  /** Header names lower-cased; RFC 2047 encoded words decoded. */
  readonly headers: Record<string, string>;
  readonly subject: string;
  /**
   * Decoded bodies of the MIME parts by content type (`text/plain`, `text/html`), with `\n` line ends; a single-part
   * body under its type.
   */
  readonly parts: Record<string, string>;
  /** The raw DATA, dot-unstuffed, for diagnostics. */
  readonly raw: string;
  readonly receivedAt: Date;
}

/** Decodes RFC 2047 encoded words (`=?utf-8?q?...?=` and `=?utf-8?b?...?=`), as Go's `mime.QEncoding` writes them. */
export function decodeEncodedWords(value: string): string {
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(/=\?([^?]+)\?([qQbB])\?([^?]*)\?=/g, (_all, _charset: string, encoding: string, text: string) => {
    if (encoding.toLowerCase() === 'b') return Buffer.from(text, 'base64').toString('utf8');
    return decodeQuotedBytes(text.replace(/_/g, ' '));
  });
}

/** `=XX` escapes to bytes, read as UTF-8 (a multi-byte character spans several escapes). */
function decodeQuotedBytes(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? /^[0-9A-Fa-f]{2}$/.exec(text.slice(i + 1, i + 3)) : null;
    if (hex) {
      bytes.push(parseInt(hex[0], 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Quoted-printable (RFC 2045 §6.7): soft line breaks removed, escapes decoded. */
export function decodeQuotedPrintable(text: string): string {
  return decodeQuotedBytes(text.replace(/=\r?\n/g, ''));
}

/** Splits a header block into lower-cased names and unfolded, decoded values. */
function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = decodeEncodedWords(line.slice(colon + 1).trim());
  }
  return headers;
}

function splitHead(text: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { head: text, body: '' };
  return { head: text.slice(0, match.index), body: text.slice(match.index + match[0].length) };
}

/** A part's text, transfer encoding undone and CRLF line ends (SMTP's) read as `\n`. */
function decodeBody(headers: Record<string, string>, body: string): string {
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  let text = body;
  if (encoding === 'quoted-printable') text = decodeQuotedPrintable(body);
  else if (encoding === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return text.replace(/\r\n/g, '\n');
}

/** The text parts of a message: one level of multipart, which is what Alertmanager writes (multipart/alternative). */
function parseParts(headers: Record<string, string>, body: string): Record<string, string> {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";\s]+)"?/i.exec(type)?.[1];
  if (!type.toLowerCase().startsWith('multipart/') || !boundary) {
    return { [type.split(';')[0]!.trim().toLowerCase()]: decodeBody(headers, body) };
  }
  const parts: Record<string, string> = {};
  for (const chunk of body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const { head, body: partBody } = splitHead(chunk.replace(/^\r?\n/, ''));
    const partHeaders = parseHeaders(head);
    const partType = (partHeaders['content-type'] ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
    parts[partType] = decodeBody(partHeaders, partBody.replace(/\r?\n$/, ''));
  }
  return parts;
}

/** Parses a message as received in DATA. */
export function parseMail(from: string, to: string[], raw: string): ReceivedMail {
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  return { from, to, headers, subject: headers.subject ?? '', parts: parseParts(headers, body), raw, receivedAt: new Date() };
}

/** A running SMTP receiver on 127.0.0.1. */
export interface SmtpReceiver {
  /** `127.0.0.1:<port>`, for Alertmanager's `smarthost`. */
  readonly address: string;
  readonly messages: ReceivedMail[];
  /** Every command line received, in order, for diagnostics. */
  readonly transcript: string[];
  close(): Promise<void>;
}

/** One SMTP session; replies are written per command, DATA lines are collected until the lone dot. */
function serveSession(socket: Socket, receiver: { messages: ReceivedMail[]; transcript: string[] }): void {
  let from = '';
  let to: string[] = [];
  let data: string[] | null = null;
  let partial = '';
  const reply = (line: string) => socket.write(`${line}\r\n`);

  const command = (line: string) => {
    receiver.transcript.push(line);
    const verb = line.split(/[\s:]/, 1)[0]!.toUpperCase();
    if (verb === 'EHLO') return reply('250-127.0.0.1 greets you\r\n250 8BITMIME');
    if (verb === 'HELO') return reply('250 127.0.0.1');
    if (verb === 'MAIL') {
      from = /<([^>]*)>/.exec(line)?.[1] ?? '';
      to = [];
      return reply('250 OK');
    }
    if (verb === 'RCPT') {
      to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
      return reply('250 OK');
    }
    if (verb === 'DATA') {
      if (!from || to.length === 0) return reply('503 need MAIL and RCPT first');
      data = [];
      return reply('354 end with <CRLF>.<CRLF>');
    }
    if (verb === 'RSET') {
      from = '';
      to = [];
      return reply('250 OK');
    }
    if (verb === 'NOOP') return reply('250 OK');
    if (verb === 'QUIT') {
      reply('221 bye');
      return void socket.end();
    }
    return reply('502 command not implemented');
  };

  const dataLine = (line: string) => {
    if (line !== '.') return void data!.push(line.startsWith('..') ? line.slice(1) : line);
    receiver.messages.push(parseMail(from, to, data!.join('\r\n')));
    data = null;
    from = '';
    to = [];
    reply('250 OK: queued');
  };

  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\r\n');
    partial = lines.pop() ?? '';
    for (const line of lines) (data ? dataLine : command)(line);
  });
  reply('220 127.0.0.1 ESMTP schema-drift test receiver');
}

/** Starts the receiver on a free port of 127.0.0.1. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const state = { messages: [] as ReceivedMail[], transcript: [] as string[] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveSession(socket, state);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    ...state,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
