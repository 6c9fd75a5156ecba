#!/usr/bin/env node
// The porta executable: argv to the command line, nothing else.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  // The version alone needs none of the command line or config modules: answer at once.
  const { PACKAGE_VERSION } = await import('./cli/version.js');
  process.stdout.write(`${PACKAGE_VERSION}\n`);
} else {
  const { main } = await import('./cli/index.js');
  await main(argv);
}
