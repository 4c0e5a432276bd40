import { CliError, formatBanner, parseCliArgs, USAGE } from './cliArgs';
import { startSimulator } from './startSimulator';
import { generateWebhookSecret } from './webhooks';

async function main(): Promise<void> {
  const { help, newWebhookSecret, ...options } = parseCliArgs(process.argv.slice(2), process.env);
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (newWebhookSecret) {
    process.stdout.write(`${generateWebhookSecret()}\n`);
    return;
  }
  const sim = await startSimulator({ ...options, quiet: true });
  process.stdout.write(`${formatBanner(sim)}\n`);
  const shutdown = () => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `oflink-simulator: ${e instanceof CliError || e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exit(e instanceof CliError ? 2 : 1);
});
