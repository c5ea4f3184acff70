export * from './workspaces.js';
export * from './activities.js';
export * from './deals.js';
export * from './schedules.js';
export * from './summaries.js';
