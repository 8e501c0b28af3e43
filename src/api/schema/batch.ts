// batch/v1: Job.

import { bool, free, int32, int64, kind, obj, ref, status, str, type TypeGroup } from './types.js';

export const BATCH: TypeGroup = {
  pkg: 'io.k8s.api.batch.v1',
  types: {
    Job: kind('Job represents the configuration of a single job.', {
      spec: ref('JobSpec', 'Specification of the desired behavior of a job.'),
      status: status('job'),
    }),
    JobSpec: obj(
      'JobSpec describes how the job execution will look like.',
      {
        parallelism: int32('The maximum desired number of pods the job should run at any given time.'),
        completions: int32('The desired number of successfully finished pods the job should be run with.'),
        activeDeadlineSeconds: int64(
          'The duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it.',
        ),
        podFailurePolicy: free('Specifies the policy of handling failed pods.'),
        successPolicy: free('The policy when the Job can be declared as succeeded.'),
        backoffLimit: int32('The number of retries before marking this job failed. Defaults to 6.'),
        backoffLimitPerIndex: int32('The limit for the number of retries within an index before marking this index as failed (Indexed jobs only).'),
        maxFailedIndexes: int32('The maximal number of failed indexes before marking the Job as failed (Indexed jobs only).'),
        selector: ref('LabelSelector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you.'),
        manualSelector: bool('manualSelector controls generation of pod labels and pod selectors. Leave unset unless you are certain what you are doing.'),
        template: ref(
          'PodTemplateSpec',
          'Describes the pod that will be created when executing a job. The only allowed restartPolicy values are "Never" and "OnFailure".',
        ),
        ttlSecondsAfterFinished: int32('Limits the lifetime of a Job that has finished execution (either Complete or Failed).'),
        completionMode: str('Specifies how Pod completions are tracked. Defaults to NonIndexed.', ['NonIndexed', 'Indexed']),
        suspend: bool('Specifies whether the Job controller should create Pods or not. Defaults to false.'),
        podReplacementPolicy: str('Specifies when to create replacement Pods.', ['TerminatingOrFailed', 'Failed']),
        managedBy: str('The controller which manages the Job. Immutable.'),
      },
      ['template'],
    ),
  },
};
