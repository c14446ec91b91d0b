// Header names are case-insensitive (RFC 9110), so "x-request-id" satisfies "X-Request-ID".
const declared = (headers) => new Set(Object.keys(headers ?? {}).map((name) => name.toLowerCase()));

/** A response object declares every header named in `options.headers`; one result lists all it lacks. */
export default function declaresHeaders(response, options, context) {
  if (response === null || typeof response !== 'object') return [];
  const names = declared(response.headers);
  const missing = options.headers.filter((header) => !names.has(header.toLowerCase()));
  return missing.length === 0 ? [] : [{
    message: `The response does not declare the header${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`,
    path: context.path,
  }];
}
