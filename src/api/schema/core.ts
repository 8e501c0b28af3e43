// core/v1: Service, Endpoints, ConfigMap, Secret, Namespace, Node, Event, plus the pod types
// (core-pod.ts) under the same OpenAPI package.

import { CORE_POD_TYPES } from './core-pod.js';
import { bool, free, int32, intOrString, kind, list, obj, ref, status, str, strList, strMap, type TypeGroup } from './types.js';

const PROTOCOL = ['TCP', 'UDP', 'SCTP'];

export const CORE: TypeGroup = {
  pkg: 'io.k8s.api.core.v1',
  types: {
    ...CORE_POD_TYPES,
    Service: kind(
      'Service is a named abstraction of software service (for example, mysql) consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
      {
        spec: ref('ServiceSpec', 'Spec defines the behavior of a service.'),
        status: status('service'),
      },
    ),
    ServiceSpec: obj('ServiceSpec describes the attributes that a user creates on a service.', {
      type: str('Determines how the Service is exposed. Defaults to ClusterIP.', ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
      selector: strMap('Route service traffic to pods with label keys and values matching this selector.'),
      ports: list(ref('ServicePort'), 'The list of ports that are exposed by this service.'),
      clusterIP: str('The IP address of the service, usually assigned randomly. "None" makes a headless service.'),
      clusterIPs: strList('IP addresses assigned to this service; clusterIPs[0] must equal clusterIP.'),
      externalIPs: strList('A list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
      externalName: str('The external reference that discovery mechanisms will return as an alias for this service (a CNAME). Requires type ExternalName.'),
      externalTrafficPolicy: str('Describes how nodes distribute service traffic they receive on an externally-facing address.', ['Cluster', 'Local']),
      internalTrafficPolicy: str('Describes how nodes distribute service traffic they receive on the ClusterIP.', ['Cluster', 'Local']),
      sessionAffinity: str('Supports "ClientIP" and "None". Used to maintain session affinity. Defaults to None.', ['ClientIP', 'None']),
      sessionAffinityConfig: free('Contains the configurations of session affinity.'),
      ipFamilies: strList('A list of IP families (e.g. IPv4, IPv6) assigned to this service.'),
      ipFamilyPolicy: str('The dual-stack-ness requested or required by this Service.', ['SingleStack', 'PreferDualStack', 'RequireDualStack']),
      loadBalancerIP: str('Deprecated: only applies to Service Type LoadBalancer.'),
      loadBalancerClass: str('The class of the load balancer implementation this Service belongs to.'),
      loadBalancerSourceRanges: strList('Client IPs allowed through the cloud-provider load balancer.'),
      allocateLoadBalancerNodePorts: bool('Whether NodePorts will be automatically allocated for services with type LoadBalancer.'),
      healthCheckNodePort: int32('The healthcheck nodePort for the service, for type LoadBalancer with externalTrafficPolicy Local.'),
      publishNotReadyAddresses: bool('Whether endpoints for this Service publish addresses of pods that are not ready.'),
      trafficDistribution: str('Offers a way to express preferences for how traffic is distributed to Service endpoints.'),
    }),
    ServicePort: obj(
      "ServicePort contains information on service's port.",
      {
        name: str('The name of this port within the service. Must be a DNS_LABEL; required when there is more than one port.'),
        protocol: str('The IP protocol for this port. Default is TCP.', PROTOCOL),
        appProtocol: str('The application protocol for this port, as a hint to implementations.'),
        port: int32('The port that will be exposed by this service.'),
        targetPort: intOrString("Number or name of the port to access on the pods targeted by the service. Defaults to the value of 'port'."),
        nodePort: int32('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
      },
      ['port'],
    ),
    Endpoints: kind('Endpoints is a collection of endpoints that implement the actual service.', {
      subsets: list(ref('EndpointSubset'), 'The set of all endpoints is the union of all subsets.'),
    }),
    EndpointSubset: obj('EndpointSubset is a group of addresses with a common set of ports.', {
      addresses: list(ref('EndpointAddress'), 'IP addresses which offer the related ports that are marked as ready.'),
      notReadyAddresses: list(ref('EndpointAddress'), 'IP addresses which offer the related ports but are not currently marked as ready.'),
      ports: list(ref('EndpointPort'), 'Port numbers available on the related IP addresses.'),
    }),
    EndpointAddress: obj(
      'EndpointAddress is a tuple that describes single IP address.',
      {
        ip: str('The IP of this endpoint.'),
        hostname: str('The Hostname of this endpoint.'),
        nodeName: str('Optional: Node hosting this endpoint.'),
        targetRef: ref('ObjectReference', 'Reference to object providing the endpoint.'),
      },
      ['ip'],
    ),
    EndpointPort: obj(
      'EndpointPort is a tuple that describes a single port.',
      {
        name: str('The name of this port. Must match the name of the service port.'),
        port: int32('The port number of the endpoint.'),
        protocol: str('The IP protocol for this port. Default is TCP.', PROTOCOL),
        appProtocol: str('The application protocol for this port.'),
      },
      ['port'],
    ),
    ObjectReference: obj('ObjectReference contains enough information to let you inspect or modify the referred object.', {
      apiVersion: str('API version of the referent.'),
      kind: str('Kind of the referent.'),
      namespace: str('Namespace of the referent.'),
      name: str('Name of the referent.'),
      uid: str('UID of the referent.'),
      resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
      fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
    }),
    ConfigMap: kind('ConfigMap holds configuration data for pods to consume.', {
      data: strMap('Data contains the configuration data. Each key must consist of alphanumeric characters, "-", "_" or ".".'),
      binaryData: strMap('BinaryData contains the binary data (base64 on the wire). Keys may not overlap those of data.'),
      immutable: bool('If set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).'),
    }),
    Secret: kind('Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.', {
      data: strMap('Data contains the secret data, base64-encoded.'),
      stringData: strMap('stringData allows specifying non-binary secret data in string form. It is merged into data on write; never output when reading.'),
      type: str('Used to facilitate programmatic handling of secret data. Defaults to Opaque.'),
      immutable: bool('If set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).'),
    }),
    Namespace: kind('Namespace provides a scope for Names. Use of multiple namespaces is optional.', {
      spec: ref('NamespaceSpec', 'Spec defines the behavior of the Namespace.'),
      status: status('namespace'),
    }),
    NamespaceSpec: obj('NamespaceSpec describes the attributes on a Namespace.', {
      finalizers: strList('Finalizers is an opaque list of values that must be empty to permanently remove object from storage.'),
    }),
    Node: kind('Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).', {
      spec: ref('NodeSpec', 'Spec defines the behavior of a node.'),
      status: status('node'),
    }),
    NodeSpec: obj('NodeSpec describes the attributes that a node is created with.', {
      podCIDR: str('PodCIDR represents the pod IP range assigned to the node.'),
      podCIDRs: strList('podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node.'),
      providerID: str('ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>.'),
      unschedulable: bool('Unschedulable controls node schedulability of new pods. By default, node is schedulable.'),
      taints: list(ref('Taint'), "If specified, the node's taints."),
      configSource: free("Deprecated: previously used to specify the source of the node's configuration."),
      externalID: str('Deprecated. Not all kubelets will set this field.'),
    }),
    Taint: obj(
      'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.',
      {
        key: str('The taint key to be applied to a node.'),
        value: str('The taint value corresponding to the taint key.'),
        effect: str('The effect of the taint on pods that do not tolerate the taint.', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
        timeAdded: str('TimeAdded represents the time at which the taint was added. Only written for NoExecute taints.'),
      },
      ['key', 'effect'],
    ),
    Event: kind('Event is a report of an event somewhere in the cluster.', {
      involvedObject: ref('ObjectReference', 'The object that this event is about.'),
      reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
      message: str('A human-readable description of the status of this operation.'),
      source: ref('EventSource', 'The component reporting this event. Should be a short machine understandable string.'),
      firstTimestamp: str('The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
      lastTimestamp: str('The time at which the most recent occurrence of this event was recorded.'),
      count: int32('The number of times this event has occurred.'),
      type: str('Type of this event (Normal, Warning), new types could be added in the future.'),
      eventTime: str('Time when this Event was first observed (MicroTime).'),
      series: ref('EventSeries', "Data about the Event series this event represents or nil if it's a singleton Event."),
      action: str('What action was taken/failed regarding to the Regarding object.'),
      related: ref('ObjectReference', 'Optional secondary object for more complex actions.'),
      reportingComponent: str('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
      reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.'),
    }),
    EventSource: obj('EventSource contains information for an event.', {
      component: str('Component from which the event is generated.'),
      host: str('Node name on which the event is generated.'),
    }),
    EventSeries: obj('EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time.', {
      count: int32('Number of occurrences in this series up to the last heartbeat time.'),
      lastObservedTime: str('Time of the last occurrence observed (MicroTime).'),
    }),
  },
};
