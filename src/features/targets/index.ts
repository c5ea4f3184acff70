/**
 * Targets and pacing: what the admin commands set (parse, queries), what the Home tab, digests and boards
 * read (progress, pacing). Other features use targets only through this file.
 */
export { describeTargetAmount, EVERYONE, metricLabel, parseTargetCommand, REVENUE, salesTeamIdOfKey, targetForms, teamUserKey, userKeyOf, type TargetWho } from './parse.js';
export { listTargets, removeTarget, resolveEffective, upsertTarget, type TargetInput, type TargetRow } from './queries.js';
export { loadTargetProgress } from './progress.js';
export { localDayNumber, progressBar, prorateOverPieces, spanPieces, type SpanPiece } from './pacing.js';
