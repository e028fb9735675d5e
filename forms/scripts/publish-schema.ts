// Writes the JSON Schema of definition.json so that editors can check and complete packages.
// Run: npx tsx forms/scripts/publish-schema.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formPackageJsonSchema } from '../src/format.ts';

const outPath = fileURLToPath(new URL('../schema/form-package.schema.json', import.meta.url));
const schema = {
  ...formPackageJsonSchema(),
  $id: 'https://onevisit.invalid/forms/form-package.schema.json',
  title: 'OneVisit form package definition',
};
writeFileSync(outPath, `${JSON.stringify(schema, null, 2)}\n`);
console.log(`wrote ${outPath}`);
