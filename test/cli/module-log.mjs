// `node --import ./test/cli/module-log.mjs …`: appends the URL of every module the program loads to $TROUPE_MODULE_LOG
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from 'node:fs';
    export async function load(url, context, next) {
      appendFileSync(${JSON.stringify(process.env.TROUPE_MODULE_LOG ?? '/dev/null')}, url + '\\n');
      return next(url, context);
    }
  `)}`,
);
