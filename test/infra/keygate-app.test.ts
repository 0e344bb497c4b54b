import { App } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildKeygateApp } from '../../lib/infra/keygate-app';
import {
  EXAMPLE_CONTEXT,
  IN_US_EAST_1,
  PROJECT_ROOT,
  WITH_CUSTOM_DOMAIN,
  sharedSynthKeygate,
  type SynthesizedKeygate,
} from '../fixtures/synth-keygate';

const run = promisify(execFile);
const offlineEnv = {
  ...process.env,
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
  // No credentials and no network: synth must not need either.
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: '',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
};

let synth: SynthesizedKeygate;
beforeAll(() => {
  synth = sharedSynthKeygate();
});

function acknowledgements(outdir: string): { rule: string; reason: string }[] {
  return readdirSync(outdir)
    .filter((f) => f.endsWith('.metadata.json'))
    .flatMap((f) =>
      Object.values(JSON.parse(readFileSync(join(outdir, f), 'utf8')) as Record<string, { type: string; data: Record<string, string> }[]>),
    )
    .flat()
    .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
    .flatMap((entry) => Object.entries(entry.data).map(([rule, reason]) => ({ rule, reason })));
}

describe('the Keygate app under cdk-nag', () => {
  it('has no unacknowledged finding', () => {
    const violations = synth.validationReport.pluginReports.flatMap((report) => report.violations);
    expect(violations).toEqual([]);
  });

  it('gives every acknowledgement a reason an auditor can read', () => {
    const acks = acknowledgements(synth.outdir).filter((a) => a.rule.includes('AwsSolutions'));
    expect(acks.map((a) => a.rule.replace(/^Annotation::/, '').replace(/\[.*$/, '')).sort()).toEqual([
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-S1',
    ]);
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(40);
  });

  it('no longer needs the CFR4 and CFR2 exemptions with a custom domain and a web ACL', () => {
    const custom = sharedSynthKeygate(WITH_CUSTOM_DOMAIN);
    const rules = acknowledgements(custom.outdir).map((a) => a.rule);
    expect(rules.some((r) => r.includes('CFR4') || r.includes('CFR2'))).toBe(false);
    expect(custom.validationReport.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'keygate-cdk-'));
    try {
      const app = new App({ outdir, context: EXAMPLE_CONTEXT });
      const { stack } = buildKeygateApp(app, { baseDir: PROJECT_ROOT });
      new s3.Bucket(stack, 'CarelessBucket');
      expect(() => app.synth()).toThrow(/Validation failed|AwsSolutions-S1|violation/i);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('the stack region', () => {
  it('puts the edge function in the stack itself when the stack is in us-east-1', () => {
    const east = sharedSynthKeygate(IN_US_EAST_1);
    expect(east.edgeStackArtifact).toBe('Keygate');
    east.template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Handler: 'index.handler' });
    // The entitlement table and the lease table.
    east.template.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
  });

  it('creates the us-east-1 support stack for the edge function when the stack is elsewhere', () => {
    expect(synth.edgeStackArtifact).toMatch(/^edge-lambda-stack/);
  });
});

describe('npm run synth (the real CDK CLI)', () => {
  it('synthesizes the documented cdk.json with no AWS credentials and no network', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'keygate-cli-'));
    try {
      const { stdout, stderr } = await run('npx', ['cdk', 'synth', '--quiet', '-o', outdir], { cwd: PROJECT_ROOT, env: offlineEnv });
      expect(stdout + stderr).toContain('Successfully synthesized');
      expect(readdirSync(outdir)).toContain('Keygate.template.json');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('prints the warning about a table region no key request can read, and still synthesizes', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'keygate-cli-'));
    try {
      const { stdout, stderr } = await run('npx', ['cdk', 'synth', '--quiet', '-o', outdir, '-c', 'priceClass=PriceClass_100'], {
        cwd: PROJECT_ROOT,
        env: offlineEnv,
      });
      expect(stderr).toContain('WARNING Table region ap-northeast-1 is never read by the key authorizer: with PriceClass_100');
      expect(stdout + stderr).toContain('Successfully synthesized');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('stops with a one-line message naming the bad key', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'keygate-cli-'));
    try {
      const failure = await run('npx', ['cdk', 'synth', '--quiet', '-o', outdir, '-c', 'replicaRegions=eu-west-1'], {
        cwd: PROJECT_ROOT,
        env: offlineEnv,
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).not.toBe(0);
      expect(failure?.stderr).toContain(
        'keygate: cdk.json context "replicaRegions" must be other regions than the stack region "eu-west-1"',
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
