import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseKeygateConfig, type KeygateConfig } from '../config/keygate-config';
import { KeygateStack } from './keygate-stack';

/**
 * Populates a CDK app from its context: validated config, the Keygate stack, and cdk-nag on every
 * synth (findings are fixed or acknowledged next to their construct, with a reason).
 * Shared by bin/keygate-app.ts and the infrastructure tests.
 */
export function buildKeygateApp(app: App, options: { baseDir: string; account?: string }): { config: KeygateConfig; stack: KeygateStack } {
  const config = parseKeygateConfig(app.node.getAllContext(), { baseDir: options.baseDir });
  const stack = new KeygateStack(app, config.stackName, { config, env: { account: options.account } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { config, stack };
}
