/**
 * Keys of `StateStore` (@covina/core): one Redis string per entry.
 *
 * `namespace` and `key` are percent-encoded by the store (printable ASCII other than
 * `% : { } * ? [ ] \` kept, everything else `%XX` per UTF-8 byte), so any user key fits one
 * segment and a key-prefix search is a SCAN for `…:state:<namespace>:<encoded prefix>*`.
 * No hash tag: a namespace's entries spread over every Redis Cluster master.
 */
export const stateTemplates = {
  /** One entry of a StateStore namespace: `covina:state:sessions:user%3A42`. */
  stateEntry: 'state:{namespace}:{key}',
} as const;
