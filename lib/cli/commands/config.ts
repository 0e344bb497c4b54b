import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { readDiscovery, trustedIssuerFromDiscovery, type TrustedIssuerEntry } from '../../config/oidc-discovery';
import { printResult, withJsonOption } from '../output';
import { KeygateError } from '../../keygate-error';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds `entry` to cdk.json's trustedIssuers, replacing an entry of the same issuer; keeps the rest of the file. */
function writeEntry(file: string, entry: TrustedIssuerEntry): void {
  let cdkJson: { context?: Record<string, unknown> };
  try {
    cdkJson = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KeygateError(`cannot read ${file} as JSON: ${(error as Error).message}`, 'write');
  }
  const context = (cdkJson.context ??= {});
  const listed = Array.isArray(context.trustedIssuers) ? (context.trustedIssuers as TrustedIssuerEntry[]) : [];
  context.trustedIssuers = [...listed.filter((e) => e.issuer !== entry.issuer), entry];
  writeFileSync(file, `${JSON.stringify(cdkJson, null, 2)}\n`);
}

/** keygate config from-oidc: a trustedIssuers entry from a provider's discovery document, at deploy time. */
export function register(program: Command): void {
  const config = program.command('config').description('help with cdk.json');
  withJsonOption(config.command('from-oidc <issuer-url>'))
    .description('print (or --write) the trustedIssuers entry of an OpenID provider, read from its discovery document')
    .option('--audience <aud>', 'an accepted aud value (repeatable)', collect, [])
    .option('--client-id <id>', 'an accepted client_id value, for access tokens without aud (repeatable)', collect, [])
    .option('--token-use <use>', 'require token_use "id" or "access" (Cognito)')
    .option('--uid-claim <claim>', 'the claim holding the viewer id (default sub)')
    .option('--write <cdk.json>', 'add the entry to this cdk.json (replacing one for the same issuer)')
    .action(
      async (
        issuerUrl: string,
        options: { audience: string[]; clientId: string[]; tokenUse?: string; uidClaim?: string; write?: string; json?: boolean },
      ) => {
        if (options.tokenUse !== undefined && options.tokenUse !== 'id' && options.tokenUse !== 'access') {
          throw new KeygateError(`--token-use must be "id" or "access" (got ${options.tokenUse})`);
        }
        const entry = trustedIssuerFromDiscovery(issuerUrl, await readDiscovery(issuerUrl), {
          audience: options.audience,
          clientIds: options.clientId,
          tokenUse: options.tokenUse as 'id' | 'access' | undefined,
          uidClaim: options.uidClaim,
        });
        if (options.write) {
          writeEntry(options.write, entry);
          process.stderr.write(`added ${entry.issuer} to trustedIssuers in ${options.write}\n`);
        }
        printResult(options, entry, JSON.stringify(entry, null, 2));
      },
    );
}
