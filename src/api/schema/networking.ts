// networking.k8s.io/v1: Ingress.

import { int32, kind, list, obj, ref, status, str, strList, type TypeGroup } from './types.js';

export const NETWORKING: TypeGroup = {
  pkg: 'io.k8s.api.networking.v1',
  types: {
    Ingress: kind('Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.', {
      spec: ref('IngressSpec', 'Spec is the desired state of the Ingress.'),
      status: status('Ingress'),
    }),
    IngressSpec: obj('IngressSpec describes the Ingress the user wishes to exist.', {
      ingressClassName: str('The name of an IngressClass cluster resource: the ingress controller that should implement this resource.'),
      defaultBackend: ref('IngressBackend', 'The backend that should handle requests that match no rule.'),
      tls: list(ref('IngressTLS'), 'TLS configuration. Each entry lists hosts and the secret holding their certificate.'),
      rules: list(ref('IngressRule'), 'A list of host rules used to configure the Ingress. If unspecified, all traffic is sent to the default backend.'),
    }),
    IngressTLS: obj('IngressTLS describes the transport layer security associated with an ingress.', {
      hosts: strList('A list of hosts included in the TLS certificate.'),
      secretName: str('The name of the secret used to terminate TLS traffic on port 443.'),
    }),
    IngressRule: obj('IngressRule represents the rules mapping the paths under a specified host to the related backend services.', {
      host: str('The fully qualified domain name of a network host, as defined by RFC 3986. A wildcard prefix ("*.foo.com") is allowed.'),
      http: ref('HTTPIngressRuleValue', 'A list of http selectors pointing to backends.'),
    }),
    HTTPIngressRuleValue: obj('HTTPIngressRuleValue is a list of http selectors pointing to backends.', {
      paths: list(ref('HTTPIngressPath'), 'A collection of paths that map requests to backends.'),
    }),
    HTTPIngressPath: obj(
      'HTTPIngressPath associates a path with a backend. Incoming urls matching the path are forwarded to the backend.',
      {
        path: str("Matched against the path of an incoming request. Must begin with a '/'."),
        pathType: str('Determines the interpretation of the path matching.', ['Exact', 'Prefix', 'ImplementationSpecific']),
        backend: ref('IngressBackend', 'The referenced service endpoint to which the traffic will be forwarded.'),
      },
      ['pathType', 'backend'],
    ),
    IngressBackend: obj('IngressBackend describes all endpoints for a given service and port.', {
      service: ref('IngressServiceBackend', 'References a service as a backend. Mutually exclusive with resource.'),
      resource: ref('TypedLocalObjectReference', 'An ObjectRef to another Kubernetes resource in the namespace of the Ingress object.'),
    }),
    IngressServiceBackend: obj(
      'IngressServiceBackend references a Kubernetes Service as a Backend.',
      {
        name: str('The referenced service. The service must exist in the same namespace as the Ingress object.'),
        port: ref('ServiceBackendPort', 'Port of the referenced service. A port name or port number is required.'),
      },
      ['name'],
    ),
    ServiceBackendPort: obj('ServiceBackendPort is the service port being referenced.', {
      name: str('The name of the port on the Service. Mutually exclusive with number.'),
      number: int32('The numerical port number (e.g. 80) on the Service. Mutually exclusive with name.'),
    }),
    TypedLocalObjectReference: obj(
      'TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.',
      {
        apiGroup: str('The group for the resource being referenced. If not specified, the kind must be in the core API group.'),
        kind: str('The type of resource being referenced.'),
        name: str('The name of resource being referenced.'),
      },
      ['kind', 'name'],
    ),
  },
};
