import { App } from 'aws-cdk-lib';
import { resolve } from 'node:path';
import { InvalidConfigError } from '../lib/config/keygate-config';
import { buildKeygateApp } from '../lib/infra/keygate-app';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const app = new App();
try {
  buildKeygateApp(app, { baseDir: resolve(__dirname, '..'), account: process.env.CDK_DEFAULT_ACCOUNT });
} catch (error) {
  if (!(error instanceof InvalidConfigError)) throw error;
  // One actionable line instead of a stack trace: the message names the key and what it expects.
  process.stderr.write(`keygate: ${error.message}\n`);
  process.exit(1);
}
