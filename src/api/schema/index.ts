// The schema table and what it drives: fieldValidation (unknown.ts) and the OpenAPI v3 documents
// (apiserver/openapi.ts). See README.md.

export type { Field, ObjectType, TypeGroup } from './types.js';
export { GROUPS, KIND_TYPES, fieldRefs, kindTypeName, lookupType, qualifiedName, reachableTypes, typeNames } from './table.js';
export { unknownFields, type UnknownFieldsOptions } from './unknown.js';
