import { App, type CfnResource } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKeygateApp } from '../../lib/infra/keygate-app';
import { EXAMPLE_CONTEXT, PROJECT_ROOT } from '../fixtures/synth-keygate';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
const outdirs: string[] = [];

/** The us-east-1 companion stack's template, with the distribution under `distributionLogicalId` when given. */
function companionTemplate(distributionLogicalId?: string): Template {
  const outdir = mkdtempSync(join(tmpdir(), 'keygate-xregion-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: EXAMPLE_CONTEXT });
  const { stack } = buildKeygateApp(app, { baseDir: PROJECT_ROOT });
  if (distributionLogicalId) {
    const distribution = stack.keygate.distribution.distribution as cloudfront.Distribution;
    (distribution.node.defaultChild as CfnResource).overrideLogicalId(distributionLogicalId);
  }
  return app.synth().getStackByName(`${stack.stackName}-AccessLogs`).template as Template;
}

const readerImports = (template: Template) =>
  Object.values(template.Resources)
    .filter((r) => r.Type === 'Custom::CrossRegionExportReader')
    .map((r) => Object.keys((r.Properties.ReaderProps as { imports: Record<string, string> }).imports));

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('the us-east-1 companion stack and the distribution it reads from the stack region', () => {
  it('changes its template when the distribution is replaced, so a deploy re-reads the new distribution id', () => {
    const before = companionTemplate();
    const replaced = companionTemplate('KeygateCdnDistributionReplaced');
    expect(readerImports(before)).toEqual([[expect.stringMatching(/RefKeygateCdnDistribution[0-9A-F]{8}/)]]);
    // The export's name carries the distribution's logical id: a new distribution is a new import,
    // so CloudFormation updates the reader (and the alarms and log delivery reading it).
    expect(readerImports(replaced)).toEqual([[expect.stringMatching(/RefKeygateCdnDistributionReplaced/)]]);
    expect(JSON.stringify(replaced)).not.toBe(JSON.stringify(before));
    const alarmDimensions = (template: Template) =>
      Object.values(template.Resources)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace === 'AWS/CloudFront')
        .map((r) => JSON.stringify(r.Properties.Dimensions));
    for (const dimensions of alarmDimensions(replaced)) expect(dimensions).toContain('KeygateCdnDistributionReplaced');
  });

  it('stays the same when nothing about the distribution changes (no needless update)', () => {
    expect(JSON.stringify(companionTemplate())).toBe(JSON.stringify(companionTemplate()));
  });
});
