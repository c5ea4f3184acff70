export * from './workspaces.js';
export * from './activities.js';
