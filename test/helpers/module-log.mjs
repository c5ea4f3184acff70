// `node --import ./test/helpers/module-log.mjs …` appends the URL of every module the program imports to the
// file named by MODULE_LOG, one a line: process.test.ts reads it to see what the bot loads at start.
import { register } from 'node:module';

register('./module-log-hook.mjs', import.meta.url, { data: { file: process.env.MODULE_LOG } });
