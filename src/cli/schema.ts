// `porta schema`: prints the JSON Schema of porta.yaml, for editors that complete and check the file.
import type { Command } from 'commander';

export function addSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of porta.yaml, for editors (see docs/configuration.md)')
    .action(async () => {
      const { configJsonSchemaText } = await import('../config/json-schema.js');
      process.stdout.write(configJsonSchemaText());
    });
}
