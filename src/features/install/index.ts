/**
 * Installs and tokens (OAuth mode: many workspaces from one deployment), and what happens when a workspace removes
 * the app. Used by app.ts (the OAuth setup), cli.ts (key rotation) and the tests.
 */

// --- install, tokens (H3) ---
export { authorizationUrlFor, createOAuthSetup, INSTALL_PATH, REDIRECT_PATH, type OAuthSetup, type OAuthSetupOptions, type ReceiverOAuthOptions, type TokenScope } from './oauth.js';
export { CACHE_MS, InstallationTokens, REFRESH_MARGIN_MS, TokenRefreshError, type OpenedInstallation } from './tokens.js';
export { resealInstallationTokens, type TokenResealReport } from './reseal.js';
export { tokenContext, type InstallationKey } from './store.js';

// --- uninstall, retention (H4) ---
export { handleAppUninstalled, handleTokensRevoked, markInstalledOnContact, markUninstalled, registerLifecycle, scopeOfEnvelope, SLACK_ACTOR, type LifecycleOptions, type UninstallCause, type UninstallResult, type UninstallScope } from './lifecycle.js';
export { createRetentionPurgeJob, purgeExpiredWorkspaces, purgeWorkspace, PURGE_HOUR_UTC, PURGE_STEPS, purgeRunKey, RETENTION_PURGE_JOB, type PurgeReport, type RetentionPurgeJob } from './purge.js';
