// The quick benchmark packages videos, plays them in Chromium and runs load: minutes, not seconds.
jest.setTimeout(600000);
