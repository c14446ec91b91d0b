// RFC 9110 (15.3.2): without Location, a 201 identifies what it created by the target URI. That is right for a
// POST whose result has no URL of its own (a consent is read in its candidate's list), and wrong where the
// collection has an item path (POST /v1/jobs creates what GET /v1/jobs/{job_id} reads): that 201 must say where.
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Given the `paths` object: each POST answering 201 whose path has a GET item path declares Location. */
export default function createdItemsDeclareLocation(paths) {
  if (paths === null || typeof paths !== 'object') return [];
  const readable = Object.keys(paths).filter((path) => paths[path]?.get);
  const results = [];
  for (const [path, item] of Object.entries(paths)) {
    const created = item?.post?.responses?.['201'];
    if (!created) continue;
    const itemPath = new RegExp(`^${escape(path)}/\\{[a-z_]+\\}$`);
    if (!readable.some((candidate) => itemPath.test(candidate))) continue;
    const headers = Object.keys(created.headers ?? {}).map((name) => name.toLowerCase());
    if (!headers.includes('location')) {
      results.push({
        message: `POST ${path} creates an item readable at its own path but its 201 declares no Location.`,
        path: ['paths', path, 'post', 'responses', '201'],
      });
    }
  }
  return results;
}
