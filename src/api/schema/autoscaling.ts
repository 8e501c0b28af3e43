// autoscaling/v2: HorizontalPodAutoscaler.

import { free, int32, kind, list, obj, quantity, ref, status, str, type Field, type TypeGroup } from './types.js';

const target: Field = ref('MetricTarget', 'The target value for the given metric.');
const metric: Field = ref('MetricIdentifier', 'Identifies the target metric by name and selector.');

export const AUTOSCALING: TypeGroup = {
  pkg: 'io.k8s.api.autoscaling.v2',
  types: {
    HorizontalPodAutoscaler: kind(
      'HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource.',
      {
        spec: ref('HorizontalPodAutoscalerSpec', 'The specification for the behaviour of the autoscaler.'),
        status: status('autoscaler'),
      },
    ),
    HorizontalPodAutoscalerSpec: obj(
      'HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.',
      {
        scaleTargetRef: ref(
          'CrossVersionObjectReference',
          'Points to the target resource to scale, and is used to the pods for which metrics should be collected.',
        ),
        minReplicas: int32('The lower limit for the number of replicas to which the autoscaler can scale down. Defaults to 1 pod.'),
        maxReplicas: int32('The upper limit for the number of replicas to which the autoscaler can scale up. Cannot be less than minReplicas.'),
        metrics: list(
          ref('MetricSpec'),
          'The specifications for which to use to calculate the desired replica count (the maximum across all metrics is used).',
        ),
        behavior: free('Configures the scaling behavior of the target in both Up and Down directions.'),
      },
      ['scaleTargetRef', 'maxReplicas'],
    ),
    CrossVersionObjectReference: obj(
      'CrossVersionObjectReference contains enough information to let you identify the referred resource.',
      {
        apiVersion: str('The API version of the referent.'),
        kind: str('The kind of the referent.'),
        name: str('The name of the referent.'),
      },
      ['kind', 'name'],
    ),
    MetricSpec: obj(
      'MetricSpec specifies how to scale based on a single metric (only one of the source fields should be set).',
      {
        type: str('The type of metric source.', ['ContainerResource', 'External', 'Object', 'Pods', 'Resource']),
        resource: ref('ResourceMetricSource', 'A resource metric (such as CPU or memory) known to Kubernetes, as specified in requests and limits.'),
        containerResource: ref('ContainerResourceMetricSource', 'A resource metric of a single container in each pod of the current scale target.'),
        pods: ref('PodsMetricSource', 'A metric describing each pod in the current scale target, averaged together.'),
        object: ref('ObjectMetricSource', 'A metric describing a single kubernetes object.'),
        external: ref('ExternalMetricSource', 'A global metric that is not associated with any Kubernetes object.'),
      },
      ['type'],
    ),
    ResourceMetricSource: obj(
      'ResourceMetricSource indicates how to scale on a resource metric known to Kubernetes.',
      { name: str('The name of the resource in question.'), target },
      ['name', 'target'],
    ),
    ContainerResourceMetricSource: obj(
      'ContainerResourceMetricSource indicates how to scale on a resource metric of one container.',
      { name: str('The name of the resource in question.'), container: str('The name of the container in the pods of the scaling target.'), target },
      ['name', 'container', 'target'],
    ),
    PodsMetricSource: obj('PodsMetricSource indicates how to scale on a metric describing each pod in the current scale target.', { metric, target }, [
      'metric',
      'target',
    ]),
    ObjectMetricSource: obj(
      'ObjectMetricSource indicates how to scale on a metric describing a kubernetes object.',
      { describedObject: ref('CrossVersionObjectReference', 'The object the metric describes.'), metric, target },
      ['describedObject', 'metric', 'target'],
    ),
    ExternalMetricSource: obj('ExternalMetricSource indicates how to scale on a metric not associated with any Kubernetes object.', { metric, target }, [
      'metric',
      'target',
    ]),
    MetricIdentifier: obj(
      'MetricIdentifier defines the name and optionally selector for a metric.',
      {
        name: str('The name of the given metric.'),
        selector: ref('LabelSelector', 'The label selector for the given metric; when unset, just the metricName is used to gather metrics.'),
      },
      ['name'],
    ),
    MetricTarget: obj(
      'MetricTarget defines the target value, average value, or average utilization of a specific metric.',
      {
        type: str('Whether the metric type is Utilization, Value, or AverageValue.', ['Utilization', 'Value', 'AverageValue']),
        value: quantity('The target value of the metric (as a quantity).'),
        averageValue: quantity('The target value of the average of the metric across all relevant pods (as a quantity).'),
        averageUtilization: int32('The target value of the average of the resource metric across all relevant pods, as a percentage of the requested value.'),
      },
      ['type'],
    ),
  },
};
