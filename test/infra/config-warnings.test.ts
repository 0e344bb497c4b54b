import { sharedSynthKeygate, synthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

const warningsOf = (s: SynthesizedKeygate) =>
  s.validationReport.pluginReports.flatMap((r) => r.violations).filter((v) => v.ruleName.startsWith('Annotation::keygate:'));

describe('warnings at synth', () => {
  it('has none for the documented cdk.json', () => {
    const synth = sharedSynthKeygate();
    expect(warningsOf(synth)).toEqual([]);
  });

  it('warns that PriceClass_100 with the 2-deep failover never reads the Tokyo replica', () => {
    const synth = sharedSynthKeygate({ priceClass: 'PriceClass_100' });
    const warnings = warningsOf(synth) as { ruleName: string; severity?: string; description?: string }[];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ ruleName: 'Annotation::keygate:table-region-never-read', severity: 'warning' });
    expect(warnings[0].description).toMatch(/^Table region ap-northeast-1 is never read by the key authorizer: with PriceClass_100/);
  });

  it('warns when alarms of one region have no topic in that region while another region has one', () => {
    const synth = sharedSynthKeygate({ alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' });
    const warnings = warningsOf(synth) as { ruleName: string; description?: string }[];
    expect(warnings.map((w) => w.ruleName)).toEqual(['Annotation::keygate:alarms-without-topic']);
    expect(warnings[0].description).toContain('The alarms in us-east-1 notify nobody');
  });

  const provider = (name: string, uidPrefix?: string) => ({
    issuer: `https://${name}.example.com`,
    audience: ['keygate'],
    jwksUri: `https://${name}.example.com/jwks.json`,
    ...(uidPrefix ? { uidPrefix } : {}),
  });

  it('warns that issuers share one viewer namespace when one of several has no uidPrefix, naming it', () => {
    const synth = synthKeygate({ trustedIssuers: [provider('partner', 'partner:')] });
    try {
      const warnings = warningsOf(synth) as { ruleName: string; description?: string }[];
      expect(warnings.map((w) => w.ruleName)).toEqual(['Annotation::keygate:issuers-share-viewer-ids']);
      expect(warnings[0].description).toMatch(/^Trusted issuers share one viewer namespace: https:\/\/auth\.example\.com has no uidPrefix/);
    } finally {
      synth.cleanup();
    }
  });

  it('has none when every one of several issuers has a uidPrefix', () => {
    const noShorthand = { jwtIssuer: undefined, jwtAudience: undefined, jwks: undefined };
    const synth = synthKeygate({ ...noShorthand, trustedIssuers: [provider('home', 'home:'), provider('partner', 'partner:')] });
    try {
      expect(warningsOf(synth)).toEqual([]);
    } finally {
      synth.cleanup();
    }
  });
});
