// Camera simulator (demo, tests, benchmarks). See simulator.ts.
export { startSimulator, STREAM_NAMES, FAULT_TYPES } from './simulator.ts';
export type {
  Simulator,
  SimulatorOptions,
  SimCameraConfig,
  SimAudio,
  StreamName,
  FaultSpec,
  FaultType,
  CameraStats,
  StreamStats,
} from './simulator.ts';
export { simulateSite } from './site.ts';
export type { SimSiteOptions, SimSiteCamera } from './site.ts';
export { readFrameCode, FRAME_CODE_BITS } from './frame-code.ts';
export { loadClips, DEFAULT_CLIPS_DIR } from './clips.ts';
export type { AuthConfig } from './auth.ts';
export { startOnvifSim } from './onvif.ts';
export type { OnvifSim, OnvifSimOptions } from './onvif.ts';
