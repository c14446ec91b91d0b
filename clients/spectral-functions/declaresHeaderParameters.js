const OPERATIONS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

const headerParameters = (parameters) =>
  (Array.isArray(parameters) ? parameters : [])
    .filter((parameter) => parameter && parameter.in === 'header' && typeof parameter.name === 'string')
    .map((parameter) => parameter.name.toLowerCase());

/**
 * Every operation of a path item (limited to `options.methods` when given) declares the header parameter
 * `options.header`, on the operation itself or on its path item.
 */
export default function declaresHeaderParameters(pathItem, options, context) {
  if (pathItem === null || typeof pathItem !== 'object') return [];
  const wanted = options.header.toLowerCase();
  const methods = options.methods ?? OPERATIONS;
  const shared = headerParameters(pathItem.parameters);
  return methods
    .filter((method) => pathItem[method] && typeof pathItem[method] === 'object')
    .filter((method) => ![...shared, ...headerParameters(pathItem[method].parameters)].includes(wanted))
    .map((method) => ({
      message: `${method.toUpperCase()} does not declare the ${options.header} header parameter.`,
      path: [...context.path, method],
    }));
}
