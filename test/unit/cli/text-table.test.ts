import { formatTable } from '../../../lib/cli/text-table';

describe('formatTable', () => {
  it('prints aligned columns under a header, two spaces apart, without an index column', () => {
    expect(
      formatTable([
        { video: 'movie-42', kind: 'purchase', until: '' },
        { video: '*', kind: 'all access', until: '2026-01-01T00:00:00.000Z' },
      ]),
    ).toBe(['video     kind        until', 'movie-42  purchase', '*         all access  2026-01-01T00:00:00.000Z', ''].join('\n'));
  });

  it('adds a column met only in a later row, empty in the rows without it', () => {
    expect(formatTable([{ a: 'x' }, { a: 'yy', streams: 2 }])).toBe('a   streams\nx\nyy  2\n');
  });
});
