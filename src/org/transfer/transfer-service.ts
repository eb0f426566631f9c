// PLACEHOLDER: being written (import/export of the organisation as CSV and Excel).
import type { AuditService } from '../../audit/audit-service.ts';
import type { Actor } from '../../auth/actor.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Store } from '../../store/db.ts';
import type { Clock } from '../../util/clock.ts';
import { AppError } from '../../util/errors.ts';

export type TransferFormat = 'csv' | 'xlsx';

export class OrgTransferService {
  constructor(
    readonly store: Store,
    readonly audit: AuditService,
    readonly box: SecretBox,
    readonly clock: Clock,
  ) {}

  export(_actor: Actor, _format: TransferFormat): Promise<Buffer> {
    return Promise.reject(new AppError('invalid_input', 'not yet'));
  }

  import(_actor: Actor, _format: TransferFormat, _data: Buffer): Promise<{ created: number; updated: number }> {
    return Promise.reject(new AppError('invalid_input', 'not yet'));
  }
}
