// All repositories bound to one connection or transaction.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { AuditRepo } from './audit-repo.ts';
import { AuditCheckpointRepo } from './audit-checkpoint-repo.ts';
import { CameraRepo } from './camera-repo.ts';
import { CascadeRepo } from './cascade-repo.ts';
import { CascadeBandwidthRepo } from './cascade-bandwidth-repo.ts';
import { ChecklistRepo } from './checklist-repo.ts';
import { DutyCaseRepo } from './duty-case-repo.ts';
import { ReviewRepo } from './review-repo.ts';
import { DutyRepo } from './duty-repo.ts';
import { DeviceHealthRepo } from './device-health-repo.ts';
import { ExamRepo } from './exam-repo.ts';
import { LedgerRepo } from './ledger-repo.ts';
import { OrgRepo } from './org-repo.ts';
import { ReadinessRepo } from './readiness-repo.ts';
import { RecordingRepo } from './recording-repo.ts';
import { RetentionRepo } from './retention-repo.ts';
import { RoomRepo } from './room-repo.ts';
import { SessionRepo } from './session-repo.ts';
import { SettingRepo } from './setting-repo.ts';
import { TourRepo } from './tour-repo.ts';
import { UplinkRepo } from './uplink-repo.ts';
import { UserRepo } from './user-repo.ts';
import { WallRepo } from './wall-repo.ts';

export interface Repos {
  org: OrgRepo;
  rooms: RoomRepo;
  cameras: CameraRepo;
  users: UserRepo;
  sessions: SessionRepo;
  audit: AuditRepo;
  settings: SettingRepo;
  recordings: RecordingRepo;
  exams: ExamRepo;
  cascade: CascadeRepo;
  retention: RetentionRepo;
  tours: TourRepo;
  uplink: UplinkRepo;
  readiness: ReadinessRepo;
  cascadeBandwidth: CascadeBandwidthRepo;
  checklists: ChecklistRepo;
  ledger: LedgerRepo;
  deviceHealth: DeviceHealthRepo;
  duty: DutyRepo;
  dutyCases: DutyCaseRepo;
  reviews: ReviewRepo;
  wall: WallRepo;
  auditCheckpoints: AuditCheckpointRepo;
}

export function repos(db: Kysely<Database>): Repos {
  return {
    org: new OrgRepo(db),
    rooms: new RoomRepo(db),
    cameras: new CameraRepo(db),
    users: new UserRepo(db),
    sessions: new SessionRepo(db),
    audit: new AuditRepo(db),
    settings: new SettingRepo(db),
    recordings: new RecordingRepo(db),
    exams: new ExamRepo(db),
    cascade: new CascadeRepo(db),
    retention: new RetentionRepo(db),
    tours: new TourRepo(db),
    uplink: new UplinkRepo(db),
    readiness: new ReadinessRepo(db),
    cascadeBandwidth: new CascadeBandwidthRepo(db),
    checklists: new ChecklistRepo(db),
    ledger: new LedgerRepo(db),
    deviceHealth: new DeviceHealthRepo(db),
    duty: new DutyRepo(db),
    dutyCases: new DutyCaseRepo(db),
    reviews: new ReviewRepo(db),
    wall: new WallRepo(db),
    auditCheckpoints: new AuditCheckpointRepo(db),
  };
}
