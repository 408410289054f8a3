// Writes the configuration reference (every variable of src/config/config.ts) into the README,
// between its markers; src/config/config.test.ts fails when the committed table is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withConfigReference } from '../src/config/reference.ts';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
writeFileSync(readme, withConfigReference(readFileSync(readme, 'utf8')));
console.log(`wrote the configuration reference into ${readme}`);
