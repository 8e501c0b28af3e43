// apps/v1: ReplicaSet and Deployment.

import { bool, int32, intOrString, kind, obj, ref, status, str, type TypeGroup } from './types.js';

const SELECTOR = "Label selector for pods. It must match the pod template's labels.";
const TEMPLATE = 'Template describes the pods that will be created.';

export const APPS: TypeGroup = {
  pkg: 'io.k8s.api.apps.v1',
  types: {
    ReplicaSet: kind('ReplicaSet ensures that a specified number of pod replicas are running at any given time.', {
      spec: ref('ReplicaSetSpec', 'Spec defines the specification of the desired behavior of the ReplicaSet.'),
      status: status('ReplicaSet'),
    }),
    ReplicaSetSpec: obj(
      'ReplicaSetSpec is the specification of a ReplicaSet.',
      {
        replicas: int32('Replicas is the number of desired pods. Defaults to 1.'),
        minReadySeconds: int32(
          'Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.',
        ),
        selector: ref('LabelSelector', SELECTOR),
        template: ref('PodTemplateSpec', TEMPLATE),
      },
      ['selector'],
    ),
    Deployment: kind('Deployment enables declarative updates for Pods and ReplicaSets.', {
      spec: ref('DeploymentSpec', 'Specification of the desired behavior of the Deployment.'),
      status: status('Deployment'),
    }),
    DeploymentSpec: obj(
      'DeploymentSpec is the specification of the desired behavior of the Deployment.',
      {
        replicas: int32('Number of desired pods. Defaults to 1.'),
        selector: ref('LabelSelector', `${SELECTOR} Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.`),
        template: ref('PodTemplateSpec', `${TEMPLATE} The only allowed template.spec.restartPolicy value is "Always".`),
        strategy: ref('DeploymentStrategy', 'The deployment strategy to use to replace existing pods with new ones.'),
        minReadySeconds: int32(
          'Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.',
        ),
        revisionHistoryLimit: int32('The number of old ReplicaSets to retain to allow rollback. Defaults to 10.'),
        paused: bool('Indicates that the deployment is paused.'),
        progressDeadlineSeconds: int32('The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s.'),
      },
      ['selector', 'template'],
    ),
    DeploymentStrategy: obj('DeploymentStrategy describes how to replace existing pods with new ones.', {
      type: str('Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.', ['Recreate', 'RollingUpdate']),
      rollingUpdate: ref('RollingUpdateDeployment', 'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.'),
    }),
    RollingUpdateDeployment: obj('Spec to control the desired behavior of rolling update.', {
      maxUnavailable: intOrString(
        'The maximum number of pods that can be unavailable during the update: a number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.',
      ),
      maxSurge: intOrString('The maximum number of pods that can be scheduled above the desired number of pods: a number or a percentage. Defaults to 25%.'),
    }),
  },
};
