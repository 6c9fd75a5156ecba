// `porta schema`: prints the JSON Schema of porta.yaml, for editors that complete and check the file.
import type { Command } from 'commander';
import { configJsonSchemaText } from '../config/json-schema.js';

export function addSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of porta.yaml, for editors (see docs/configuration.md)')
    .action(() => {
      process.stdout.write(configJsonSchemaText());
    });
}
