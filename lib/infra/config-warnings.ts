import { Annotations, type Stack } from 'aws-cdk-lib';
import type { RegionAlarms } from '../config/alarm-plan';
import type { KeygateConfig } from '../config/keygate-config';
import { REPLICAS_TRIED_PER_REQUEST, edgeRegionsServing, unreachableTableRegions } from '../config/replica-reach';

/**
 * Configurations that deploy but contradict themselves, as CDK warnings: shown by `cdk synth` and
 * `cdk deploy`, and in the validation report, where a test fails on any warning nobody acknowledged.
 */
export function warnAboutConfig(stack: Stack, config: KeygateConfig, alarmPlan: RegionAlarms[]): void {
  const tableRegions = [config.region, ...config.replicaRegions];
  for (const region of unreachableTableRegions(tableRegions, config.priceClass)) {
    Annotations.of(stack).addWarningV2(
      'keygate:table-region-never-read',
      `Table region ${region} is never read by the key authorizer: with ${config.priceClass} it runs in ` +
        `${edgeRegionsServing(config.priceClass).join(', ')}, and each tries only its ${REPLICAS_TRIED_PER_REQUEST} nearest table regions. ` +
        `Choose a priceClass that serves viewers near ${region}, or remove it from replicaRegions (README: "Removing a replica region").`,
    );
  }
  const unprefixed = config.jwt.issuers.filter((i) => i.uidPrefix === undefined);
  if (config.jwt.issuers.length > 1 && unprefixed.length > 0) {
    Annotations.of(stack).addWarningV2(
      'keygate:issuers-share-viewer-ids',
      `Trusted issuers share one viewer namespace: ${unprefixed.map((i) => i.issuer).join(', ')} ` +
        `${unprefixed.length === 1 ? 'has' : 'have'} no uidPrefix, so a token from one issuer whose uid claim equals a viewer id ` +
        `of another opens that viewer's grants. Give each issuer in trustedIssuers a uidPrefix such as "partner:" ` +
        `(README: "One viewer namespace per issuer").`,
    );
  }
  if (config.alarmTopicArns.length > 0) {
    for (const plan of alarmPlan.filter((p) => !p.topicArn)) {
      Annotations.of(stack).addWarningV2(
        'keygate:alarms-without-topic',
        `The alarms in ${plan.region} notify nobody: alarmTopicArn has no SNS topic in ${plan.region}, and an alarm can only notify a topic in its own region.`,
      );
    }
  }
}
