// discovery.k8s.io/v1: EndpointSlice. Short type names must be unique across groups, so the slice's endpoint and
// port types carry a prefix the upstream package does not need.

import { bool, int32, kind, list, obj, ref, str, strList, strMap, type TypeGroup } from './types.js';

export const DISCOVERY: TypeGroup = {
  pkg: 'io.k8s.api.discovery.v1',
  types: {
    EndpointSlice: kind('EndpointSlice represents a subset of the endpoints that implement a service.', {
      addressType: str('The type of address carried by this EndpointSlice.', ['IPv4', 'IPv6', 'FQDN']),
      endpoints: list(ref('SliceEndpoint'), 'A list of unique endpoints in this slice.'),
      ports: list(ref('SlicePort'), 'The network ports exposed by each endpoint in this slice.'),
    }),
    SliceEndpoint: obj(
      'Endpoint represents a single logical "backend" implementing a service.',
      {
        addresses: strList('Addresses of this endpoint; consumers must treat them as fungible.'),
        conditions: ref('SliceEndpointConditions', 'The current state of the endpoint.'),
        hostname: str('Hostname of this endpoint.'),
        targetRef: ref('ObjectReference', 'A reference to a Kubernetes object that represents this endpoint.'),
        deprecatedTopology: strMap('Deprecated topology information.'),
        nodeName: str('The name of the Node hosting this endpoint.'),
        zone: str('The name of the Zone this endpoint exists in.'),
      },
      ['addresses'],
    ),
    SliceEndpointConditions: obj('EndpointConditions represents the current condition of an endpoint.', {
      ready: bool('Whether this endpoint is ready to receive traffic.'),
      serving: bool('Like ready, but also true for terminating endpoints that are still ready.'),
      terminating: bool('Whether this endpoint is terminating.'),
    }),
    SlicePort: obj('EndpointPort represents a Port used by an EndpointSlice.', {
      name: str('The name of this port; matches the Service port name.'),
      protocol: str('The IP protocol for this port.', ['TCP', 'UDP', 'SCTP']),
      port: int32('The port number of the endpoint.'),
      appProtocol: str('The application protocol for this port.'),
    }),
  },
};
