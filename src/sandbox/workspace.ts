/**
 * What the sandbox workspace holds beside the Web API: conversations and their messages (threads and
 * ephemeral ones included), files, each person's Home tab and open modals, and the short-lived ids Slack
 * hands out with a request (trigger ids, response URLs). The Web API methods write it; the page reads it.
 *
 * Kept in memory and, when given a directory, saved to `workspace.json` (and file bytes under `files/`)
 * beside the sandbox's embedded database, so a restart finds the workspace as it was.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Json } from './json-args.js';


export interface StoredFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  size: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  /** The author: the bot's user id or a person's. */
  user: string;
  text: string;
  blocks?: unknown[];
  files?: StoredFile[];
  /** The parent's ts, for a reply in a thread. */
  threadTs?: string;
  /** Shown only to this person ("Only visible to you"). */
  ephemeralTo?: string;
  edited?: boolean;
}

export interface StoredView {
  id: string;
  hash: string;
  /** The view as the app sent it (type modal or home). */
  view: Json;
  userId: string;
  rootViewId: string;
  previousViewId: string | null;
  /** Field errors the app answered a submission with (block_id -> message). */
  errors?: Record<string, string>;
  /** Options the app suggested for its external_selects so far ("block_id/action_id" -> options). */
  suggested?: Record<string, Json[]>;
}

/** Where a response_url's replies go. */
export interface ResponseUrlContext {
  channel: string;
  userId: string;
  /** The message an action came from: replace_original / delete_original act on it. */
  messageTs?: string;
  /** Set for a slash command: its replies go after the command. */
  command?: string;
}

export interface WorkspaceChange {
  kind: 'message' | 'view' | 'home' | 'modal' | 'workspace';
  channel?: string;
  userId?: string;
}

/** At most this many messages are kept per conversation (the oldest go first). */
export const MAX_MESSAGES_PER_CONVERSATION = 1000;
const SAVE_DELAY_MS = 200;
const FILE_VERSION = 1;

export class Workspace {
  /** Conversation id -> messages in ts order. */
  readonly messages = new Map<string, StoredMessage[]>();
  readonly files = new Map<string, StoredFile>();
  readonly homeViews = new Map<string, StoredView>();
  /** Person -> their stack of open modals (last is on top). */
  readonly modals = new Map<string, StoredView[]>();
  /** trigger_id -> the person whose click or command produced it, and when it expires (Date.now() ms). */
  readonly triggers = new Map<string, { userId: string; expiresAt: number }>();
  readonly responseUrls = new Map<string, ResponseUrlContext>();
  private readonly listeners = new Set<(change: WorkspaceChange) => void>();
  private saveTimer: NodeJS.Timeout | undefined;
  version = 0;

  /** `dir`: where to keep workspace.json and files/; none keeps everything in memory (tests). */
  constructor(private readonly dir?: string) {
    if (dir) {
      mkdirSync(path.join(dir, 'files'), { recursive: true });
      this.load();
    }
  }

  onChange(listener: (change: WorkspaceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(change: WorkspaceChange): void {
    this.version += 1;
    for (const listener of this.listeners) listener(change);
    this.scheduleSave(change.kind !== 'modal');
  }

  // -------------------------------------------------------------------------------------------
  // messages

  conversation(channel: string): StoredMessage[] {
    let list = this.messages.get(channel);
    if (!list) {
      list = [];
      this.messages.set(channel, list);
    }
    return list;
  }

  addMessage(message: StoredMessage): StoredMessage {
    const list = this.conversation(message.channel);
    list.push(message);
    list.sort((a, b) => compareTs(a.ts, b.ts));
    if (list.length > MAX_MESSAGES_PER_CONVERSATION) list.splice(0, list.length - MAX_MESSAGES_PER_CONVERSATION);
    this.changed({ kind: 'message', channel: message.channel, userId: message.ephemeralTo });
    return message;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.get(channel)?.find((m) => m.ts === ts);
  }

  /** Replace a message's content in place (chat.update, replace_original). False when there is no such message. */
  updateMessage(channel: string, ts: string, content: Pick<StoredMessage, 'text' | 'blocks'>): boolean {
    const message = this.findMessage(channel, ts);
    if (!message) return false;
    message.text = content.text;
    message.blocks = content.blocks;
    message.edited = message.ephemeralTo === undefined;
    this.changed({ kind: 'message', channel, userId: message.ephemeralTo });
    return true;
  }

  deleteMessage(channel: string, ts: string): boolean {
    const list = this.messages.get(channel);
    const index = list?.findIndex((m) => m.ts === ts) ?? -1;
    if (!list || index < 0) return false;
    const [removed] = list.splice(index, 1);
    this.changed({ kind: 'message', channel, userId: removed!.ephemeralTo });
    return true;
  }

  /** What `userId` sees in a conversation's main view: top-level messages, theirs among the ephemeral ones. */
  visibleMessages(channel: string, userId: string): StoredMessage[] {
    return (this.messages.get(channel) ?? []).filter((m) => !m.threadTs && (m.ephemeralTo === undefined || m.ephemeralTo === userId));
  }

  /** A thread: the parent and its replies, as `userId` sees them. */
  thread(channel: string, threadTs: string, userId: string): StoredMessage[] {
    return (this.messages.get(channel) ?? []).filter(
      (m) => (m.ts === threadTs || m.threadTs === threadTs) && (m.ephemeralTo === undefined || m.ephemeralTo === userId),
    );
  }

  replyCount(channel: string, threadTs: string): number {
    return (this.messages.get(channel) ?? []).filter((m) => m.threadTs === threadTs && m.ephemeralTo === undefined).length;
  }

  // -------------------------------------------------------------------------------------------
  // files

  saveFile(file: StoredFile, data: Buffer): void {
    this.files.set(file.id, file);
    if (this.dir) writeAtomically(this.filePath(file.id), data);
    else this.fileBytes.set(file.id, data);
  }

  readFile(id: string): Buffer | undefined {
    if (!this.files.has(id)) return undefined;
    if (!this.dir) return this.fileBytes.get(id);
    try {
      return readFileSync(this.filePath(id));
    } catch {
      return undefined;
    }
  }

  private readonly fileBytes = new Map<string, Buffer>();

  private filePath(id: string): string {
    if (!/^F[A-Z0-9]+$/.test(id)) throw new Error(`not a file id: ${id}`);
    return path.join(this.dir!, 'files', id);
  }

  // -------------------------------------------------------------------------------------------
  // views

  topModal(userId: string): StoredView | undefined {
    return this.modals.get(userId)?.at(-1);
  }

  findView(viewId: string): StoredView | undefined {
    for (const stack of this.modals.values()) {
      const found = stack.find((v) => v.id === viewId);
      if (found) return found;
    }
    for (const home of this.homeViews.values()) if (home.id === viewId) return home;
    return undefined;
  }

  openModal(view: StoredView, push: boolean): void {
    const stack = push ? (this.modals.get(view.userId) ?? []) : [];
    stack.push(view);
    this.modals.set(view.userId, stack);
    this.changed({ kind: 'modal', userId: view.userId });
  }

  /** Close the top modal (or every modal with `all`), as Slack does when a submission is acked empty or with clear. */
  closeModal(userId: string, all = false): StoredView | undefined {
    const stack = this.modals.get(userId);
    const closed = stack?.at(-1);
    if (!stack || !closed) return undefined;
    if (all) stack.length = 0;
    else stack.pop();
    if (stack.length === 0) this.modals.delete(userId);
    this.changed({ kind: 'modal', userId });
    return closed;
  }

  setHome(view: StoredView): void {
    this.homeViews.set(view.userId, view);
    this.changed({ kind: 'home', userId: view.userId });
  }

  // -------------------------------------------------------------------------------------------
  // persistence

  private scheduleSave(durable: boolean): void {
    if (!this.dir || !durable || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  /** Write workspace.json now (also called on shutdown). */
  save(): void {
    if (!this.dir) return;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    const state = {
      version: FILE_VERSION,
      messages: Object.fromEntries(this.messages),
      files: [...this.files.values()],
      homeViews: [...this.homeViews.values()],
    };
    writeAtomically(path.join(this.dir, 'workspace.json'), JSON.stringify(state));
  }

  private load(): void {
    const file = path.join(this.dir!, 'workspace.json');
    if (!existsSync(file)) return;
    let state: Json;
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as Json;
    } catch (error) {
      throw new Error(`The sandbox's saved workspace (${file}) could not be read: ${String(error)}. Delete it to start afresh.`);
    }
    if (state.version !== FILE_VERSION) return;
    for (const [channel, list] of Object.entries(state.messages ?? {})) this.messages.set(channel, list as StoredMessage[]);
    for (const file of (state.files ?? []) as StoredFile[]) this.files.set(file.id, file);
    for (const view of (state.homeViews ?? []) as StoredView[]) this.homeViews.set(view.userId, view);
  }

  /** The largest message ts stored, so ids issued after a restart keep increasing. */
  latestTs(): string | undefined {
    let latest: string | undefined;
    for (const list of this.messages.values()) {
      const last = list.at(-1)?.ts;
      if (last && (!latest || compareTs(last, latest) > 0)) latest = last;
    }
    return latest;
  }
}

/** Order Slack message timestamps ("1700000000.000100") numerically. */
export function compareTs(a: string, b: string): number {
  const [as, am = '0'] = a.split('.');
  const [bs, bm = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(am) - Number(bm);
}

function writeAtomically(file: string, data: string | Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}
