import { VIDEO_ID_PATTERN } from '../../lambda/key-authorizer/contract';
import { DEFAULT_LADDER, isLadderRung } from '../media/ladder';
import { InvalidConfigError, safeJson, type Context } from './context-values';

/** One live channel on AWS's live engine (MediaLive → MediaPackage v2), keys from Keygate's provider. */
export interface LiveChannelConfig {
  /** The channel id: MediaPackage's SPEKE resource id, the key folder `keys/<id>/` and the path `/live/<id>/`. */
  id: string;
  /** Who may push RTMP to the MediaLive input (the input security group): IPv4 CIDRs. */
  inputCidrs: string[];
  /** Renditions MediaLive encodes (Keygate's ladder rungs). */
  ladder: string[];
  /** MediaPackage's key rotation interval (a SPEKE request per period). */
  keyRotationSeconds: number;
  segmentSeconds: number;
  /** 1: a single-pipeline channel (half the price); 2: a standard channel with two pipelines and two input URLs. */
  pipelines: 1 | 2;
}

const KEY = 'liveChannels';
const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const FIELDS = ['id', 'inputCidrs', 'ladder', 'keyRotationSeconds', 'segmentSeconds', 'pipelines'];
// MediaPackage v2's limits: a key period of at least 300 s, segments of 1–30 s.
const ROTATION = { min: 300, max: 31_536_000 };

function wholeNumber(value: unknown, field: string, min: number, max: number, fallback: number): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw new InvalidConfigError(`${KEY}[].${field}`, `a whole number from ${min} to ${max}`, value);
  return n;
}

function readChannel(raw: unknown): LiveChannelConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new InvalidConfigError(KEY, 'a list of channels like {"id": "concert", "inputCidrs": ["203.0.113.0/24"]}', raw);
  const entry = raw as Record<string, unknown>;
  const unknown = Object.keys(entry).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) throw new InvalidConfigError(`${KEY}[].${unknown[0]}`, `absent: a channel has only ${FIELDS.join(', ')}`, raw);
  const id = entry.id;
  if (typeof id !== 'string' || !VIDEO_ID_PATTERN.test(id) || id.length > 64)
    throw new InvalidConfigError(`${KEY}[].id`, 'a channel id of 1–64 letters, digits, _ or -', id);
  const cidrs = entry.inputCidrs;
  if (!Array.isArray(cidrs) || cidrs.length === 0 || cidrs.some((c) => typeof c !== 'string' || !CIDR.test(c)))
    throw new InvalidConfigError(
      `${KEY}[${id}].inputCidrs`,
      'a non-empty list of IPv4 CIDRs your encoders push from, like ["203.0.113.0/24"]',
      cidrs,
    );
  const ladder = entry.ladder ?? DEFAULT_LADDER;
  if (!Array.isArray(ladder) || ladder.length === 0 || ladder.some((r) => typeof r !== 'string' || !isLadderRung(r)))
    throw new InvalidConfigError(`${KEY}[${id}].ladder`, 'a non-empty list of ladder rungs like ["720p", "480p"]', ladder);
  const pipelines = entry.pipelines ?? 1;
  if (pipelines !== 1 && pipelines !== 2) throw new InvalidConfigError(`${KEY}[${id}].pipelines`, '1 or 2', pipelines);
  return {
    id,
    inputCidrs: cidrs as string[],
    ladder: [...new Set(ladder as string[])],
    keyRotationSeconds: wholeNumber(entry.keyRotationSeconds, 'keyRotationSeconds', ROTATION.min, ROTATION.max, 300),
    segmentSeconds: wholeNumber(entry.segmentSeconds, 'segmentSeconds', 1, 30, 6),
    pipelines,
  };
}

/** `liveChannels`: off (none) by default; a JSON list in cdk.json or in -c liveChannels='[…]'. */
export function readLiveChannels(context: Context): LiveChannelConfig[] {
  const raw = typeof context[KEY] === 'string' ? safeJson(context[KEY] as string, KEY) : (context[KEY] ?? []);
  if (!Array.isArray(raw)) throw new InvalidConfigError(KEY, 'a list of channels', raw);
  const channels = raw.map(readChannel);
  const ids = channels.map((c) => c.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new InvalidConfigError(KEY, 'channels with distinct ids', repeated);
  return channels;
}
