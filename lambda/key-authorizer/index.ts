import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTHORIZER_CONFIG_FILE, parseAuthorizerConfig } from './config/authorizer-config';
import { createHandler } from './create-handler';

// Read once per container: Lambda@Edge has no environment variables, so the config ships in the bundle.
const bakedConfig = parseAuthorizerConfig(JSON.parse(readFileSync(join(__dirname, AUTHORIZER_CONFIG_FILE), 'utf8')));

/** The Lambda@Edge viewer-request entry point of the /keys/* behavior. */
export const handler = createHandler(bakedConfig);
