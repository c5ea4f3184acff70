/**
 * The organisation: sales teams, roles (admin, manager, rep) and the audit log. A shared layer below the features:
 * every command, button and form checks permissions here, on the server, and every administrative change is
 * recorded through recordAudit. Imports no feature.
 */
export { latestAudit, recordAudit, type AuditEntry, type AuditRow, type DbOrTx } from './audit.js';
export { ADMIN_ONLY_TEXT, isAdmin, loadRole, managesPerson, managesTeam, MANAGER_ONLY_TEXT, NOT_YOUR_TEAM_TEXT, type Role } from './roles.js';
export { findSalesTeamById, findSalesTeamByName, listSalesTeams, salesTeamIdsOf, teamNameKey, type SalesTeam } from './teams.js';
