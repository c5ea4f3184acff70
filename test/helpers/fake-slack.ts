/** The tests' fake Slack is the sandbox's Web API run headless, and its signed-request sender: one implementation, in src/sandbox. */
export * from '../../src/sandbox/index.js';
