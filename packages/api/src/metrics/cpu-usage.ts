/**
 * Measures the CPU time this process used between two calls, as a percent of
 * one core's time: 150 means one and a half cores were busy on average. The
 * first call measures from the start of the process.
 */
export class CpuUsageSampler {
  private previousUsage: NodeJS.CpuUsage | undefined;
  private previousTime: bigint | undefined;

  sample(): number {
    const now = process.hrtime.bigint();
    const usage = process.cpuUsage(this.previousUsage);
    const elapsedMicros = this.previousTime === undefined ? process.uptime() * 1e6 : Number(now - this.previousTime) / 1e3;

    this.previousUsage = process.cpuUsage();
    this.previousTime = now;

    if (elapsedMicros <= 0) return 0;
    const percent = ((usage.user + usage.system) / elapsedMicros) * 100;
    return Math.round(percent * 10) / 10;
  }
}
