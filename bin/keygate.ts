import { runCli } from '../lib/cli/program';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
void runCli(process.argv);
