#!/usr/bin/env node
// `npx keygate`: runs the TypeScript CLI through tsx, so there is no separate build step to forget.
require('tsx/cjs');
require('./keygate.ts');
