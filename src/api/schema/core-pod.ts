// core/v1, the pod half: Pod, PodSpec, Container and what they hold (probes, env, volumes).
// Rarely used volume sources, security contexts and pod (anti-)affinity are free-form.

import { bool, free, int32, int64, intOrString, kind, list, map, obj, quantity, ref, status, str, strList, strMap, type ObjectType } from './types.js';

const PROTOCOL = ['TCP', 'UDP', 'SCTP'];

const CONTAINER: ObjectType = obj(
  'A single application container that you want to run within a pod.',
  {
    name: str('Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name. Cannot be updated.'),
    image: str('Container image name.'),
    command: strList("Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided."),
    args: strList("Arguments to the entrypoint. The container image's CMD is used if this is not provided."),
    workingDir: str("Container's working directory. Defaults to the container runtime's default."),
    ports: list(ref('ContainerPort'), 'List of ports to expose from the container. Primarily informational.'),
    envFrom: list(ref('EnvFromSource'), 'List of sources to populate environment variables in the container.'),
    env: list(ref('EnvVar'), 'List of environment variables to set in the container. Cannot be updated.'),
    resources: ref('ResourceRequirements', 'Compute resources required by this container.'),
    resizePolicy: list(free(), 'Resources resize policy for the container.'),
    restartPolicy: str('Restart behavior of an individual (init) container: only "Always" is allowed, for sidecars.'),
    volumeMounts: list(ref('VolumeMount'), "Pod volumes to mount into the container's filesystem. Cannot be updated."),
    volumeDevices: list(free(), 'volumeDevices is the list of block devices to be used by the container.'),
    livenessProbe: ref('Probe', 'Periodic probe of container liveness. The container is restarted if the probe fails.'),
    readinessProbe: ref('Probe', 'Periodic probe of container service readiness. The container is removed from service endpoints if the probe fails.'),
    startupProbe: ref('Probe', 'Indicates that the Pod has successfully initialized. Other probes wait until it succeeds.'),
    lifecycle: ref('Lifecycle', 'Actions that the management system should take in response to container lifecycle events.'),
    terminationMessagePath: str("Path at which the file to which the container's termination message will be written is mounted."),
    terminationMessagePolicy: str('Indicate how the termination message should be populated.', ['File', 'FallbackToLogsOnError']),
    imagePullPolicy: str('Image pull policy. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise.', ['Always', 'Never', 'IfNotPresent']),
    securityContext: free('SecurityContext defines the security options the container should be run with.'),
    stdin: bool('Whether this container should allocate a buffer for stdin in the container runtime.'),
    stdinOnce: bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach.'),
    tty: bool("Whether this container should allocate a TTY for itself; also requires 'stdin' to be true."),
  },
  ['name'],
);

const keySelector = (what: string): ObjectType =>
  obj(
    `Selects a key of a ${what}.`,
    {
      name: str(`Name of the referent ${what}.`),
      key: str(`The key of the ${what} to select from.`),
      optional: bool(`Specify whether the ${what} or its key must be defined.`),
    },
    ['key'],
  );

const envSource = (what: string): ObjectType =>
  obj(`Selects a ${what} to populate the environment variables with.`, {
    name: str(`Name of the referent ${what}.`),
    optional: bool(`Specify whether the ${what} must be defined.`),
  });

export const CORE_POD_TYPES: Readonly<Record<string, ObjectType>> = {
  Pod: kind('Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.', {
    spec: ref('PodSpec', 'Specification of the desired behavior of the pod.'),
    status: status('pod'),
  }),
  PodTemplateSpec: obj('PodTemplateSpec describes the data a pod should have when created from a template.', {
    metadata: ref('ObjectMeta', "Standard object's metadata."),
    spec: ref('PodSpec', 'Specification of the desired behavior of the pod.'),
  }),
  PodSpec: obj(
    'PodSpec is a description of a pod.',
    {
      volumes: list(ref('Volume'), 'List of volumes that can be mounted by containers belonging to the pod.'),
      initContainers: list(ref('Container'), 'List of initialization containers belonging to the pod, run in order before the app containers start.'),
      containers: list(ref('Container'), 'List of containers belonging to the pod. There must be at least one container in a Pod. Cannot be updated.'),
      ephemeralContainers: list(free(), 'List of ephemeral containers run in this pod for user-initiated activities such as debugging.'),
      restartPolicy: str('Restart policy for all containers within the pod. Default to Always.', ['Always', 'OnFailure', 'Never']),
      terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds.'),
      activeDeadlineSeconds: int64(
        'Optional duration in seconds the pod may be active on the node relative to StartTime before the system actively tries to mark it failed.',
      ),
      dnsPolicy: str("Set DNS policy for the pod. Defaults to 'ClusterFirst'.", ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']),
      dnsConfig: free('Specifies the DNS parameters of a pod, merged into the configuration generated from DNSPolicy.'),
      nodeSelector: strMap("A selector which must be true for the pod to fit on a node: a node's labels must match all of these."),
      serviceAccountName: str('Name of the ServiceAccount to use to run this pod.'),
      serviceAccount: str('Deprecated alias for serviceAccountName.'),
      automountServiceAccountToken: bool('Indicates whether a service account token should be automatically mounted.'),
      nodeName: str('A request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node.'),
      hostNetwork: bool("Host networking requested for this pod. Use the host's network namespace. Default to false."),
      hostPID: bool("Use the host's pid namespace. Default to false."),
      hostIPC: bool("Use the host's ipc namespace. Default to false."),
      hostUsers: bool("Use the host's user namespace. Default to true."),
      shareProcessNamespace: bool('Share a single process namespace between all of the containers in a pod.'),
      securityContext: free('Pod-level security attributes and common container settings.'),
      imagePullSecrets: list(
        ref('LocalObjectReference'),
        'References to secrets in the same namespace to use for pulling any of the images used by this PodSpec.',
      ),
      hostname: str("Specifies the hostname of the Pod. If not specified, the pod's hostname will be set to a system-defined value."),
      subdomain: str('If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>".'),
      setHostnameAsFQDN: bool("If true the pod's hostname will be configured as the pod's FQDN."),
      affinity: ref('Affinity', "If specified, the pod's scheduling constraints."),
      schedulerName: str('If specified, the pod will be dispatched by specified scheduler. Defaults to "default-scheduler".'),
      tolerations: list(ref('Toleration'), "If specified, the pod's tolerations."),
      hostAliases: list(free(), "Optional list of hosts and IPs that will be injected into the pod's hosts file."),
      priorityClassName: str("If specified, indicates the pod's priority, by the name of a PriorityClass."),
      priority: int32('The priority value. The higher the value, the higher the priority.'),
      preemptionPolicy: str('PreemptionPolicy is the Policy for preempting pods with lower priority.', ['Never', 'PreemptLowerPriority']),
      readinessGates: list(free(), 'If specified, all readiness gates will be evaluated for pod readiness.'),
      runtimeClassName: str('Refers to a RuntimeClass object which should be used to run this pod.'),
      enableServiceLinks: bool("Indicates whether information about services should be injected into pod's environment variables."),
      overhead: map(quantity(), 'The resource overhead associated with running a pod for a given RuntimeClass.'),
      topologySpreadConstraints: list(free(), 'Describes how a group of pods ought to spread across topology domains.'),
      os: free('Specifies the OS of the containers in the pod.'),
      schedulingGates: list(free(), 'An opaque list of values that if specified will block scheduling the pod.'),
      resourceClaims: list(free(), 'Defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.'),
      resources: ref('ResourceRequirements', 'The total amount of CPU and memory resources required by all containers in the pod.'),
    },
    ['containers'],
  ),
  Container: CONTAINER,
  ContainerPort: obj(
    'ContainerPort represents a network port in a single container.',
    {
      name: str('If specified, this must be an IANA_SVC_NAME and unique within the pod. Can be referred to by services.'),
      containerPort: int32("Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536."),
      hostPort: int32('Number of port to expose on the host. If specified, this must be a valid port number, 0 < x < 65536.'),
      hostIP: str('What host IP to bind the external port to.'),
      protocol: str('Protocol for port. Defaults to "TCP".', PROTOCOL),
    },
    ['containerPort'],
  ),
  EnvVar: obj(
    'EnvVar represents an environment variable present in a Container.',
    {
      name: str('Name of the environment variable.'),
      value: str('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container.'),
      valueFrom: ref('EnvVarSource', "Source for the environment variable's value. Cannot be used if value is not empty."),
    },
    ['name'],
  ),
  EnvVarSource: obj('EnvVarSource represents a source for the value of an EnvVar.', {
    fieldRef: ref(
      'ObjectFieldSelector',
      'Selects a field of the pod: metadata.name, metadata.namespace, metadata.labels[...], spec.nodeName, status.podIP, ...',
    ),
    resourceFieldRef: ref('ResourceFieldSelector', 'Selects a resource of the container: only resources limits and requests are currently supported.'),
    configMapKeyRef: ref('ConfigMapKeySelector', 'Selects a key of a ConfigMap.'),
    secretKeyRef: ref('SecretKeySelector', "Selects a key of a secret in the pod's namespace."),
  }),
  ObjectFieldSelector: obj(
    'ObjectFieldSelector selects an APIVersioned field of an object.',
    {
      apiVersion: str('Version of the schema the FieldPath is written in terms of, defaults to "v1".'),
      fieldPath: str('Path of the field to select in the specified API version.'),
    },
    ['fieldPath'],
  ),
  ResourceFieldSelector: obj(
    'ResourceFieldSelector represents container resources (cpu, memory) and their output format.',
    {
      containerName: str('Container name: required for volumes, optional for env vars.'),
      resource: str('Required: resource to select.'),
      divisor: quantity('Specifies the output format of the exposed resources, defaults to "1".'),
    },
    ['resource'],
  ),
  ConfigMapKeySelector: keySelector('ConfigMap'),
  SecretKeySelector: keySelector('Secret'),
  EnvFromSource: obj('EnvFromSource represents the source of a set of ConfigMaps or Secrets.', {
    prefix: str('An optional identifier to prepend to each key in the ConfigMap or Secret. Must be a C_IDENTIFIER.'),
    configMapRef: ref('ConfigMapEnvSource', 'The ConfigMap to select from.'),
    secretRef: ref('SecretEnvSource', 'The Secret to select from.'),
  }),
  ConfigMapEnvSource: envSource('ConfigMap'),
  SecretEnvSource: envSource('Secret'),
  ResourceRequirements: obj('ResourceRequirements describes the compute resource requirements.', {
    limits: map(quantity(), 'Limits describes the maximum amount of compute resources allowed.'),
    requests: map(quantity(), 'Requests describes the minimum amount of compute resources required. Defaults to limits if omitted.'),
    claims: list(free(), 'Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.'),
  }),
  VolumeMount: obj(
    'VolumeMount describes a mounting of a Volume within a container.',
    {
      name: str('This must match the Name of a Volume.'),
      mountPath: str("Path within the container at which the volume should be mounted. Must not contain ':'."),
      readOnly: bool('Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to false.'),
      recursiveReadOnly: str('Specifies whether read-only mounts should be handled recursively.'),
      subPath: str('Path within the volume from which the container\'s volume should be mounted. Defaults to "" (volume\'s root).'),
      subPathExpr: str("Expanded path within the volume from which the container's volume should be mounted, with $(VAR_NAME) references."),
      mountPropagation: str('Determines how mounts are propagated from the host to container and the other way around.'),
    },
    ['name', 'mountPath'],
  ),
  Probe: obj('Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.', {
    exec: ref('ExecAction', 'Exec specifies a command to execute in the container.'),
    httpGet: ref('HTTPGetAction', 'HTTPGet specifies an HTTP GET request to perform.'),
    tcpSocket: ref('TCPSocketAction', 'TCPSocket specifies a connection to a TCP port.'),
    grpc: ref('GRPCAction', 'GRPC specifies a GRPC HealthCheckRequest.'),
    initialDelaySeconds: int32('Number of seconds after the container has started before liveness probes are initiated.'),
    timeoutSeconds: int32('Number of seconds after which the probe times out. Defaults to 1 second. Minimum value is 1.'),
    periodSeconds: int32('How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1.'),
    successThreshold: int32('Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1.'),
    failureThreshold: int32('Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3.'),
    terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully upon probe failure.'),
  }),
  ExecAction: obj('ExecAction describes a "run in container" action.', {
    command: strList("Command line to execute inside the container; the working directory is root ('/'). Not run in a shell."),
  }),
  HTTPGetAction: obj(
    'HTTPGetAction describes an action based on HTTP Get requests.',
    {
      path: str('Path to access on the HTTP server.'),
      port: intOrString('Name or number of the port to access on the container. Number must be in the range 1 to 65535.'),
      host: str('Host name to connect to, defaults to the pod IP.'),
      scheme: str('Scheme to use for connecting to the host. Defaults to HTTP.', ['HTTP', 'HTTPS']),
      httpHeaders: list(ref('HTTPHeader'), 'Custom headers to set in the request. HTTP allows repeated headers.'),
    },
    ['port'],
  ),
  HTTPHeader: obj(
    'HTTPHeader describes a custom header to be used in HTTP probes.',
    { name: str('The header field name.'), value: str('The header field value.') },
    ['name', 'value'],
  ),
  TCPSocketAction: obj(
    'TCPSocketAction describes an action based on opening a socket.',
    {
      port: intOrString('Number or name of the port to access on the container. Number must be in the range 1 to 65535.'),
      host: str('Optional: Host name to connect to, defaults to the pod IP.'),
    },
    ['port'],
  ),
  GRPCAction: obj(
    'GRPCAction describes a gRPC health check.',
    { port: int32('Port number of the gRPC service.'), service: str('Service is the name of the service to place in the gRPC HealthCheckRequest.') },
    ['port'],
  ),
  Lifecycle: obj('Lifecycle describes actions that the management system should take in response to container lifecycle events.', {
    postStart: ref('LifecycleHandler', 'PostStart is called immediately after a container is created.'),
    preStop: ref('LifecycleHandler', 'PreStop is called immediately before a container is terminated.'),
    stopSignal: str('StopSignal defines which signal will be sent to a container when it is being stopped.'),
  }),
  LifecycleHandler: obj('LifecycleHandler defines a specific action that should be taken in a lifecycle hook.', {
    exec: ref('ExecAction', 'Exec specifies a command to execute in the container.'),
    httpGet: ref('HTTPGetAction', 'HTTPGet specifies an HTTP GET request to perform.'),
    tcpSocket: ref('TCPSocketAction', 'Deprecated. TCPSocket is not supported as a LifecycleHandler.'),
    sleep: free('Sleep represents a duration that the container should sleep.'),
  }),
  LocalObjectReference: obj('LocalObjectReference contains enough information to locate the referenced object inside the same namespace.', {
    name: str('Name of the referent.'),
  }),
  Toleration: obj('The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect>.', {
    key: str('Taint key that the toleration applies to. Empty means match all taint keys.'),
    operator: str("Represents a key's relationship to the value. Defaults to Equal.", ['Exists', 'Equal']),
    value: str('Taint value the toleration matches to. Should be empty if the operator is Exists.'),
    effect: str('Taint effect to match. Empty means match all taint effects.', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
    tolerationSeconds: int64('The period of time the toleration (which must be of effect NoExecute) tolerates the taint.'),
  }),
  Affinity: obj('Affinity is a group of affinity scheduling rules.', {
    nodeAffinity: ref('NodeAffinity', 'Describes node affinity scheduling rules for the pod.'),
    podAffinity: free('Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other pod(s)).'),
    podAntiAffinity: free('Describes pod anti-affinity scheduling rules (e.g. avoid putting this pod in the same node, zone, etc. as some other pod(s)).'),
  }),
  NodeAffinity: obj('Node affinity is a group of node affinity scheduling rules.', {
    requiredDuringSchedulingIgnoredDuringExecution: free(
      'Hard requirements: the pod will not be scheduled onto a node that does not meet them (a NodeSelector).',
    ),
    preferredDuringSchedulingIgnoredDuringExecution: list(
      free(),
      'Soft preferences: the scheduler prefers nodes that satisfy them (weighted PreferredSchedulingTerms).',
    ),
  }),
  Volume: obj(
    'Volume represents a named volume in a pod that may be accessed by any container in the pod.',
    {
      name: str('Name of the volume. Must be a DNS_LABEL and unique within the pod.'),
      emptyDir: ref('EmptyDirVolumeSource', "A temporary directory that shares a pod's lifetime."),
      hostPath: ref('HostPathVolumeSource', 'A pre-existing file or directory on the host machine that is directly exposed to the container.'),
      configMap: ref('ConfigMapVolumeSource', 'A configMap that should populate this volume.'),
      secret: ref('SecretVolumeSource', 'A secret that should populate this volume.'),
      persistentVolumeClaim: ref('PersistentVolumeClaimVolumeSource', 'A reference to a PersistentVolumeClaim in the same namespace.'),
      ...Object.fromEntries(
        [
          'awsElasticBlockStore',
          'azureDisk',
          'azureFile',
          'cephfs',
          'cinder',
          'csi',
          'downwardAPI',
          'ephemeral',
          'fc',
          'flexVolume',
          'flocker',
          'gcePersistentDisk',
          'gitRepo',
          'glusterfs',
          'image',
          'iscsi',
          'nfs',
          'photonPersistentDisk',
          'portworxVolume',
          'projected',
          'quobyte',
          'rbd',
          'scaleIO',
          'storageos',
          'vsphereVolume',
        ].map((source) => [source, free(`The ${source} volume source (not described here).`)]),
      ),
    },
    ['name'],
  ),
  EmptyDirVolumeSource: obj('Represents an empty directory for a pod.', {
    medium: str('What type of storage medium should back this directory: "" (the node\'s default) or "Memory".'),
    sizeLimit: quantity('Total amount of local storage required for this EmptyDir volume.'),
  }),
  HostPathVolumeSource: obj(
    'Represents a host path mapped into a pod.',
    {
      path: str('Path of the directory on the host. If the path is a symlink, it will follow the link to the real path.'),
      type: str('Type for HostPath Volume. Defaults to "".', [
        '',
        'DirectoryOrCreate',
        'Directory',
        'FileOrCreate',
        'File',
        'Socket',
        'CharDevice',
        'BlockDevice',
      ]),
    },
    ['path'],
  ),
  ConfigMapVolumeSource: obj("Adapts a ConfigMap into a volume: each data key becomes a file in the volume's directory.", {
    name: str('Name of the referent ConfigMap.'),
    items: list(ref('KeyToPath'), 'If unspecified, each key-value pair in the Data field becomes a file; otherwise only the listed keys are projected.'),
    defaultMode: int32('Mode bits used to set permissions on created files by default. Defaults to 0644.'),
    optional: bool('Specify whether the ConfigMap or its keys must be defined.'),
  }),
  SecretVolumeSource: obj("Adapts a Secret into a volume: each data key becomes a file in the volume's directory.", {
    secretName: str("Name of the secret in the pod's namespace to use."),
    items: list(ref('KeyToPath'), 'If unspecified, each key-value pair in the Data field becomes a file; otherwise only the listed keys are projected.'),
    defaultMode: int32('Mode bits used to set permissions on created files by default. Defaults to 0644.'),
    optional: bool('Specify whether the Secret or its keys must be defined.'),
  }),
  KeyToPath: obj(
    'Maps a string key to a path within a volume.',
    {
      key: str('The key to project.'),
      path: str("The relative path of the file to map the key to. May not contain the path element '..'."),
      mode: int32('Optional: mode bits used to set permissions on this file.'),
    },
    ['key', 'path'],
  ),
  PersistentVolumeClaimVolumeSource: obj(
    "References the user's PVC in the same namespace.",
    {
      claimName: str('The name of a PersistentVolumeClaim in the same namespace as the pod using this volume.'),
      readOnly: bool('Will force the ReadOnly setting in VolumeMounts. Default false.'),
    },
    ['claimName'],
  ),
};
