// Creates a target and a CRON schedule on an API Scheduler server, runs the
// schedule once now and prints the run. Run it from the repository root after
// `npm run build`:
//
//   SCHEDULER_URL=http://127.0.0.1:8000 SCHEDULER_API_KEY=sk_… TARGET_URL=http://127.0.0.1:9000/ping \
//     node examples/node-client/dist/main.js
//
// A target on 127.0.0.1 needs a server started with SCHEDULER_ALLOW_PRIVATE_TARGETS=true.
import { createSchedulerClient, createTargetAndSchedule, isSchedulerClientError, waitForNextRun } from '@api-scheduler/client';

const serverUrl = process.env.SCHEDULER_URL ?? 'http://127.0.0.1:8000';
const targetUrl = process.env.TARGET_URL ?? 'http://127.0.0.1:9000/ping';
const client = createSchedulerClient({ url: `${serverUrl}/trpc`, apiKey: process.env.SCHEDULER_API_KEY });

try {
  const { target, schedule } = await createTargetAndSchedule(client, {
    target: { name: 'example ping', url: targetUrl, method: 'POST', body_template: '{"hello": "world"}' },
    schedule: { name: 'example: weekdays at 09:00', schedule_type: 'CRON', schedule_config: { expression: '0 9 * * MON-FRI', timezone: 'Europe/Berlin' } },
  });
  console.log(`Created target ${target.id} and CRON schedule ${schedule.id}; next run at ${schedule.next_run_at?.toISOString()}`);

  // Runs the schedule once now, outside its plan, and waits until that run has finished.
  const run = await waitForNextRun(client, schedule.id, { trigger: true, timeoutMs: 30_000 });
  console.log(`Run ${run.id}: ${run.status}, HTTP ${run.status_code ?? '-'}, ${run.latency_ms ?? '-'} ms, ${run.request.method} ${run.request.url}`);
  if (run.error_message !== null) console.log(`Error: ${run.error_type} ${run.error_message}`);
} catch (error) {
  if (!isSchedulerClientError(error)) throw error;

  console.error(`Failed: ${error.message} (code ${error.code ?? 'none'}, HTTP ${error.status ?? 'none'})`);
  for (const [field, messages] of Object.entries(error.fieldErrors)) console.error(`  ${field}: ${messages.join('; ')}`);
  process.exitCode = 1;
}
