import { VIDEO_ID_PATTERN } from '../../lambda/key-authorizer/contract';
import { KeygateError } from '../keygate-error';

/** Which live channels the key provider hands keys for: any other content id is refused. */
export interface ChannelRegistry {
  isLiveChannel(channel: string): Promise<boolean>;
}

/** A registry of a fixed list (the deployment's configured channels, or `keygate dev --live`'s test channel). */
export function fixedChannelRegistry(channels: Iterable<string>): ChannelRegistry {
  const known = new Set<string>();
  for (const channel of channels) {
    if (!VIDEO_ID_PATTERN.test(channel)) {
      throw new KeygateError(`${JSON.stringify(channel)} is not a channel id: 1 to 128 letters, digits, _ or -`, 'channel');
    }
    known.add(channel);
  }
  return { isLiveChannel: async (channel) => known.has(channel) };
}
