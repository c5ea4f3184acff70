/**
 * The Slack app manifest (manifest.yml): the one list of the bot's scopes, slash commands and shortcuts. The sandbox
 * reads it to play Slack; OAuth mode asks Slack for its bot scopes. The YAML parser is loaded on first use only
 * (a synchronous require), so a bot that never reads the manifest (one workspace, no sandbox) never loads it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { packagePath } from './package-root.js';

const MANIFEST_PATH = packagePath('manifest.yml');

/** What is read from a Slack app manifest: the bot scopes, slash commands and global shortcuts. */
export interface AppManifest {
  scopes: string[];
  commands: { command: string; description: string; usage_hint?: string; should_escape?: boolean }[];
  shortcuts: { name: string; type: string; callback_id: string; description: string }[];
}

export function readManifest(manifestPath = MANIFEST_PATH): AppManifest {
  const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const manifest = parse(readFileSync(manifestPath, 'utf8')) as {
    oauth_config?: { scopes?: { bot?: string[] } };
    features?: { slash_commands?: AppManifest['commands']; shortcuts?: AppManifest['shortcuts'] };
  };
  return {
    scopes: manifest.oauth_config?.scopes?.bot ?? [],
    commands: manifest.features?.slash_commands ?? [],
    shortcuts: (manifest.features?.shortcuts ?? []).filter((s) => s.type === 'global'),
  };
}

/** Bot scopes declared in a Slack app manifest (`oauth_config.scopes.bot`). */
export function manifestBotScopes(manifestPath = MANIFEST_PATH): string[] {
  return readManifest(manifestPath).scopes;
}
