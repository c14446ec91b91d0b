/** A media type names a schema, and not the empty schema `{}` that tells a client nothing. */
export default function nonEmptySchema(mediaType, _options, context) {
  if (mediaType === null || typeof mediaType !== 'object') return [];
  const { schema } = mediaType;
  if (schema === undefined) return [{ message: 'The media type declares no schema.', path: context.path }];
  if (schema !== null && typeof schema === 'object' && Object.keys(schema).length === 0) {
    return [{ message: 'The media type\'s schema is empty ({}); declare what it carries.', path: [...context.path, 'schema'] }];
  }
  return [];
}
