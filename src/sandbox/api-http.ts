/** HTTP plumbing for the sandbox's Slack endpoints: reading requests as Slack does, and writing answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObject, type Json } from './json-args.js';

/** A request the server cannot read: answered 400 with the message as the error code. */
export class BadRequest extends Error {}

/** Form fields Slack decodes as JSON. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'files', 'unfurled_attachments', 'unfurls', 'options', 'option_groups']);

const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** A request's body, refused past `maxBytes` (with BadRequest 'request_too_large'). */
export async function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BadRequest('request_too_large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface ParsedRequest {
  args: Json;
  /** True when the body was JSON (Slack ignores a `token` field there; the header must carry it). */
  isJson: boolean;
}

function decodeJsonFields(args: Json): Json {
  for (const [key, value] of Object.entries(args)) {
    if (JSON_FIELDS.has(key) && typeof value === 'string') {
      try {
        args[key] = JSON.parse(value);
      } catch {
        // Left as a string: the method's checks refuse it as Slack would.
      }
    }
  }
  return args;
}

/** A Web API request's arguments: the query string, then a JSON, multipart or form body. */
export async function parseRequest(req: IncomingMessage, raw: Buffer, url: URL): Promise<ParsedRequest> {
  const args: Json = Object.fromEntries(url.searchParams);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (raw.length === 0) return { args: decodeJsonFields(args), isJson: false };
  if (contentType === 'application/json') {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new BadRequest('invalid_json');
    }
    if (!isObject(body)) throw new BadRequest('invalid_json');
    return { args: { ...args, ...body }, isJson: true };
  }
  if (contentType === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Request('http://fake.local/', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type']) },
        body: new Uint8Array(raw),
      }).formData();
    } catch {
      throw new BadRequest('invalid_form_data');
    }
    for (const [key, value] of form) {
      args[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    }
    return { args: decodeJsonFields(args), isJson: false };
  }
  // application/x-www-form-urlencoded, and what Slack does with anything else: read it as a form.
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) args[key] = value;
  return { args: decodeJsonFields(args), isJson: false };
}

/** The token in `Authorization: Bearer …`. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

/** The client id and secret of an `Authorization: Basic …` header (how Slack prefers oauth.v2.access to get them). */
export function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Basic\s+(\S+)$/i.exec(header.trim()) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** An answer: text when the body is a string, JSON otherwise. */
export function sendAnswer(res: ServerResponse, answer: Answer): void {
  const isText = typeof answer.body === 'string';
  res.writeHead(answer.status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    ...answer.headers,
  });
  res.end(isText ? answer.body : JSON.stringify(answer.body));
}
