// Runs the one-off `migrate` task on the cluster and waits for it to stop; throwing fails the
// deployment trigger, so the API and worker services are not updated on top of a failed migration.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTasksCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { isRollingBack, migrationFailure } from './outcome.mjs';

const cloudformation = new CloudFormationClient({});
const ecs = new ECSClient({});
const POLL_INTERVAL_MS = 5_000;

export async function handler() {
  const { STACK_ID, CLUSTER_ARN, TASK_DEFINITION_ARN, CONTAINER_NAME, SUBNET_IDS, SECURITY_GROUP_IDS } = process.env;
  const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: STACK_ID }));
  const stackStatus = Stacks?.[0]?.StackStatus;
  if (isRollingBack(stackStatus)) {
    console.log(`stack is ${stackStatus}: the schema stays as migrated, no older migrate is run`);
    return { skipped: stackStatus };
  }
  const started = await ecs.send(
    new RunTaskCommand({
      cluster: CLUSTER_ARN,
      taskDefinition: TASK_DEFINITION_ARN,
      launchType: 'FARGATE',
      count: 1,
      startedBy: 'deploy-migrate',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: SUBNET_IDS.split(','),
          securityGroups: SECURITY_GROUP_IDS.split(','),
          assignPublicIp: 'DISABLED',
        },
      },
    }),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if (!taskArn) throw new Error(`migrate task did not start: ${JSON.stringify(started.failures ?? [])}`);
  console.log(`migrate task started: ${taskArn}`);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_ARN, tasks: [taskArn] }));
    const task = tasks?.[0];
    if (task?.lastStatus !== 'STOPPED') continue;
    const failure = migrationFailure(task, CONTAINER_NAME);
    if (failure) throw new Error(failure);
    console.log(`migrate task succeeded: ${taskArn}`);
    return { taskArn };
  }
}
