// meta/v1: the types every kind shares (ObjectMeta, OwnerReference, LabelSelector).

import { bool, free, int64, list, obj, ref, str, strList, strMap, type TypeGroup } from './types.js';

export const META: TypeGroup = {
  pkg: 'io.k8s.apimachinery.pkg.apis.meta.v1',
  types: {
    ObjectMeta: obj('ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.', {
      name: str('Name must be unique within a namespace. Cannot be updated.'),
      generateName: str('An optional prefix, used by the server to generate a unique name ONLY IF the Name field has not been provided.'),
      namespace: str('The space within which each name must be unique. Must be a DNS_LABEL. Cannot be updated.'),
      selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
      uid: str('The unique in time and space value for this object. Populated by the system. Read-only.'),
      resourceVersion: str('An opaque value that represents the internal version of this object, used for optimistic concurrency and watch.'),
      generation: int64('A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.'),
      creationTimestamp: str('The server time when this object was created (RFC 3339). Populated by the system. Read-only.'),
      deletionTimestamp: str('RFC 3339 date and time at which this resource will be deleted. Set by the server on a graceful deletion request.'),
      deletionGracePeriodSeconds: int64(
        'Seconds allowed for this object to gracefully terminate before it is removed. Only set when deletionTimestamp is set.',
      ),
      labels: strMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
      annotations: strMap('Unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'),
      ownerReferences: list(ref('OwnerReference'), 'List of objects depended by this object. Used by the garbage collector.'),
      finalizers: strList('Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component.'),
      managedFields: list(free(), 'Maps workflow-id and version to the set of fields that are managed by that workflow. Mostly for internal housekeeping.'),
    }),
    OwnerReference: obj(
      'OwnerReference contains enough information to let you identify an owning object. The owner must be in the same namespace as the dependent, or be cluster-scoped.',
      {
        apiVersion: str('API version of the referent.'),
        kind: str('Kind of the referent.'),
        name: str('Name of the referent.'),
        uid: str('UID of the referent.'),
        controller: bool('If true, this reference points to the managing controller.'),
        blockOwnerDeletion: bool('If true, and the owner has the "foregroundDeletion" finalizer, the owner cannot be deleted until this reference is removed.'),
      },
      ['apiVersion', 'kind', 'name', 'uid'],
    ),
    LabelSelector: obj(
      'A label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty selector matches all objects.',
      {
        matchLabels: strMap('A map of {key,value} pairs. Each pair is equivalent to an element of matchExpressions with operator "In" and the single value.'),
        matchExpressions: list(ref('LabelSelectorRequirement'), 'A list of label selector requirements. The requirements are ANDed.'),
      },
    ),
    LabelSelectorRequirement: obj(
      'A selector that contains values, a key, and an operator that relates the key and values.',
      {
        key: str('The label key that the selector applies to.'),
        operator: str("Represents a key's relationship to a set of values.", ['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: strList('An array of string values. Must be non-empty for In and NotIn, empty for Exists and DoesNotExist.'),
      },
      ['key', 'operator'],
    ),
  },
};
