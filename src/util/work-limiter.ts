// Bounds on heavy work a user can start (issue 13 item 9, R-SEC-4): how many run at once per user
// and in total. Over either bound the request is refused at once with 429 and a Chinese message
// (no queue: a queue would let one user hold everyone's slots by asking again and again).
import { AppError } from './errors.ts';

export interface WorkLimits {
  maxPerUser: number;
  maxTotal: number;
}

export class WorkLimiter {
  private total = 0;
  private readonly perUser = new Map<string, number>();

  constructor(private readonly limits: WorkLimits, private readonly what = '报告生成') {}

  get running(): number {
    return this.total;
  }

  /** Runs `fn` holding one slot of `userKey`; 429 when a bound is reached. */
  async run<T>(userKey: string, fn: () => Promise<T>): Promise<T> {
    const mine = this.perUser.get(userKey) ?? 0;
    if (mine >= this.limits.maxPerUser) {
      throw new AppError('too_many_requests', `${this.what}任务过多：每个用户最多同时 ${this.limits.maxPerUser} 个，请稍后再试 (too many at once for this user)`);
    }
    if (this.total >= this.limits.maxTotal) {
      throw new AppError('too_many_requests', `服务器繁忙：同时进行的${this.what}任务已达 ${this.limits.maxTotal} 个，请稍后再试 (too many at once)`);
    }
    this.perUser.set(userKey, mine + 1);
    this.total++;
    try {
      return await fn();
    } finally {
      this.total--;
      const left = (this.perUser.get(userKey) ?? 1) - 1;
      if (left <= 0) this.perUser.delete(userKey);
      else this.perUser.set(userKey, left);
    }
  }
}
