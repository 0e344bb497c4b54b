import { createHash } from 'node:crypto';
import { VIDEO_ID_PATTERN } from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';
import { CPIX_NS, PSKC_NS } from './cpix-xml';
import { AES_128_SCHEME, CLEAR_KEY_AES_128, CPIX_2_VERSION } from './speke-profile';

/**
 * The key id a SPEKE client gives a period's key: a UUID (version 8, RFC 9562) hashed from the
 * channel and period, so a retry or a restarted packager asks with the same KID, as SPEKE expects
 * ("the KID stays the same for any given content ID and key period").
 */
export function kidForPeriod(channel: string, period: number): string {
  const hex = createHash('sha256').update(`keygate-live-kid\0${channel}\0${period}`).digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A SPEKE 2.0 live key request for one key period, as MediaPackage v2 sends one for AES-128 TS with a
 * shared key: CPIX 2.3, one content key (cbc1) for all tracks, Clear Key AES-128 asking for both HLS
 * signaling tags, and the period bound to the key by a KeyPeriodFilter.
 */
export function renderCpixKeyRequest(channel: string, period: number, kid = kidForPeriod(channel, period)): string {
  if (!VIDEO_ID_PATTERN.test(channel)) throw new KeygateError(`${JSON.stringify(channel)} is not a channel id`, 'channel');
  if (!Number.isSafeInteger(period) || period < 0) throw new KeygateError(`a key period is a whole number ≥ 0, not ${period}`, 'period');
  const periodId = `keyPeriod_${period}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX contentId="${channel}" version="${CPIX_2_VERSION}" xmlns:cpix="${CPIX_NS}" xmlns:pskc="${PSKC_NS}">
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="${kid}" commonEncryptionScheme="${AES_128_SCHEME}"/>
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="${kid}" systemId="${CLEAR_KEY_AES_128}">
      <cpix:HLSSignalingData playlist="media"/>
      <cpix:HLSSignalingData playlist="master"/>
    </cpix:DRMSystem>
  </cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList>
    <cpix:ContentKeyPeriod id="${periodId}" index="${period}"/>
  </cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="${kid}" intendedTrackType="ALL">
      <cpix:KeyPeriodFilter periodId="${periodId}"/>
      <cpix:AudioFilter/>
      <cpix:VideoFilter/>
    </cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>
`;
}
