import { synthKeygate, type SynthesizedKeygate } from '../fixtures/synth-keygate';

let synth: SynthesizedKeygate;
beforeAll(() => {
  synth = synthKeygate({ region: 'eu-west-1', replicaRegions: ['us-east-1', 'ap-northeast-1'] });
});
afterAll(() => synth.cleanup());

type GlobalTable = { Properties: Record<string, unknown> & { Replicas: Record<string, unknown>[] }; DeletionPolicy: string };

function tables(): Record<string, GlobalTable> {
  return synth.template.findResources('AWS::DynamoDB::GlobalTable') as Record<string, GlobalTable>;
}

const TABLES = [['entitlement', 'keygate-entitlements'] as const, ['lease', 'keygate-entitlements-leases'] as const];

function table(name: string): GlobalTable {
  const found = Object.values(tables()).filter((t) => t.Properties.TableName === name);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('KeygateTable', () => {
  it('makes two global tables: the entitlement table and the lease table', () => {
    expect(
      Object.values(tables())
        .map((t) => t.Properties.TableName)
        .sort(),
    ).toEqual(['keygate-entitlements', 'keygate-entitlements-leases']);
  });

  it('keeps the entitlement table under the logical id it was first deployed with, so no deployment replaces it', () => {
    const [logicalId] = Object.entries(tables()).find(([, t]) => t.Properties.TableName === 'keygate-entitlements') ?? [];
    // The id synthesized before the lease table existed (a changed id would make CloudFormation replace the table).
    expect(logicalId).toBe('KeygateEntitlementsTableCE964E1A');
  });

  describe.each(TABLES)('the %s table', (_kind, name) => {
    it('has the key schema the authorizer reads, on demand, with a TTL attribute, and is retained', () => {
      expect(table(name).Properties).toMatchObject({
        TableName: name,
        KeySchema: [
          { AttributeName: 'uid', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      });
      expect(table(name).DeletionPolicy).toBe('Retain');
    });

    it('has a replica in the stack region and in every configured region', () => {
      expect(
        table(name)
          .Properties.Replicas.map((r) => r.Region)
          .sort(),
      ).toEqual(['ap-northeast-1', 'eu-west-1', 'us-east-1']);
    });

    it('turns on point-in-time recovery and deletion protection on every replica', () => {
      // cdk-nag's DDB3 rule does not inspect global tables, so this is asserted here.
      for (const replica of table(name).Properties.Replicas) {
        expect(replica).toMatchObject({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        });
      }
    });
  });
});
