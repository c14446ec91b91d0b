/** No two component schemas share a `title`: generators name their types by it, and collisions drop types. */
export default function uniqueTitles(schemas, _options, context) {
  if (schemas === null || typeof schemas !== 'object') return [];
  const owners = new Map();
  for (const [name, schema] of Object.entries(schemas)) {
    if (schema && typeof schema.title === 'string') {
      owners.set(schema.title, [...(owners.get(schema.title) ?? []), name]);
    }
  }
  return [...owners.entries()]
    .filter(([, names]) => names.length > 1)
    .flatMap(([title, names]) => names.slice(1).map((name) => ({
      message: `Schema ${name} has the title "${title}", as ${names[0]} does.`,
      path: [...context.path, name, 'title'],
    })));
}
