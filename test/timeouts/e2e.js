// e2e tests start real servers, processes and syntheses: a unit-test timeout would be too short.
jest.setTimeout(300000);
