// `node --import ./test/cli/import-log.mjs …`: appends every bare specifier the program imports to $TROUPE_IMPORT_LOG
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':')) appendFileSync(${JSON.stringify(process.env.TROUPE_IMPORT_LOG ?? '/dev/null')}, specifier + '\\n');
      return next(specifier, context);
    }
  `)}`,
);
