// The demo's settings that `npm start` (scripts/start.mjs) sets unless the caller did, shared with
// test/e2e/demo-campaign.e2e.test.ts so the test runs the demo people see, not a copy of it.
export const DEMO_ENV = {
  XUNCHA_SIM_ROOMS: '4',
  // The demo's readiness check runs on first start and finds one camera covered (issue 17).
  XUNCHA_SIM_PICTURE_FAULT: 'demo-r004-rear:covered',
  XUNCHA_DEMO_PROBE: '1',
};
