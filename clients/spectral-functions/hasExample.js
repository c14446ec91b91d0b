const isExample = (mediaType) =>
  mediaType !== null && typeof mediaType === 'object' && (
    mediaType.example !== undefined
    || (mediaType.examples && Object.keys(mediaType.examples).length > 0)
    || (mediaType.schema && typeof mediaType.schema === 'object' && (
      mediaType.schema.example !== undefined
      || (Array.isArray(mediaType.schema.examples) && mediaType.schema.examples.length > 0))));

// A file's bytes (a PDF, a recording) cannot be shown inline, so a body of files only needs no example.
const isBinary = (mediaType) => {
  const schema = mediaType?.schema;
  return schema !== null && typeof schema === 'object' && (
    schema.format === 'binary' || schema.contentMediaType !== undefined || schema.contentEncoding !== undefined);
};

/**
 * A request body or a response shows at least one example on one of its media types: an `example`, a named
 * `examples` entry, or an example on the media type's schema. A response without content (204) needs none, nor
 * does a body whose media types are all binary files; a request body without content is reported, since a
 * client cannot know what to send.
 */
export default function hasExample(target, options, context) {
  if (target === null || typeof target !== 'object') return [];
  const mediaTypes = Object.values(target.content ?? {});
  if (mediaTypes.length === 0) {
    return options?.requireContent
      ? [{ message: 'The request body declares no media type, so a client cannot know what to send.', path: context.path }]
      : [];
  }
  if (mediaTypes.some(isExample) || mediaTypes.every(isBinary)) return [];
  return [{ message: `${options?.what ?? 'It'} has no example.`, path: [...context.path, 'content'] }];
}
