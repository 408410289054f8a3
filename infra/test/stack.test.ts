import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { APP_METRICS } from '../lib/app-metrics.ts';
import { synthesiseDeployment } from './deployment.ts';

// One synthesis for every assertion: building the stack is the slow part.
const { app, stack } = synthesiseDeployment();
const template = Template.fromStack(stack);

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Container = {
  Command?: string[];
  Environment: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
  HealthCheck?: { Command: string[] };
  PortMappings?: unknown[];
  StopTimeout?: number;
};

/** The one resource of `type` whose logical id starts with `prefix` (construct ids are stable). */
function resource(type: string, prefix: string): [string, Resource] {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>).filter(([id]) =>
    id.startsWith(prefix),
  );
  assert.equal(found.length, 1, `one ${type} named ${prefix}…, found ${found.map(([id]) => id).join(', ')}`);
  return found[0] as [string, Resource];
}

function container(taskPrefix: string): Container {
  const [, task] = resource('AWS::ECS::TaskDefinition', taskPrefix);
  return (task.Properties.ContainerDefinitions as Container[])[0] as Container;
}

function env(of: Container, name: string): string {
  const entry = of.Environment.find((variable) => variable.Name === name);
  assert.ok(entry, `${name} is set`);
  return JSON.stringify(entry.Value);
}

function secretSource(of: Container, name: string): string {
  const entry = of.Secrets?.find((secret) => secret.Name === name);
  assert.ok(entry, `${name} comes from a secret`);
  return JSON.stringify(entry.ValueFrom);
}

const subnets = template.findResources('AWS::EC2::Subnet') as Record<string, Resource>;
function subnetsOfType(type: 'Public' | 'Private' | 'Isolated'): string[] {
  return Object.entries(subnets)
    .filter(([, subnet]) =>
      (subnet.Properties.Tags as { Key: string; Value: string }[]).some(
        (tag) => tag.Key === 'aws-cdk:subnet-type' && tag.Value === type,
      ),
    )
    .map(([id]) => id)
    .sort();
}
const zoneOf = (subnetId: string) => subnets[subnetId]?.Properties.AvailabilityZone;
const refs = (list: unknown) => (list as { Ref: string }[]).map((entry) => entry.Ref).sort();

describe('network', () => {
  it('spans two zones with public, private-with-egress and isolated subnets, without lookups', () => {
    for (const type of ['Public', 'Private', 'Isolated'] as const) {
      const ids = subnetsOfType(type);
      assert.equal(ids.length, 2, `${type} subnets`);
      assert.deepEqual(ids.map(zoneOf).sort(), ['eu-west-1a', 'eu-west-1b']);
    }
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    assert.equal(app.synth().manifest.missing, undefined, 'no context lookups are needed');
  });
});

describe('API service', () => {
  const [apiServiceId, apiService] = resource('AWS::ECS::Service', 'ApiService');
  const api = container('ApiTask');

  it('runs at least two Fargate tasks in private subnets of both zones', () => {
    assert.equal(apiService.Properties.LaunchType, 'FARGATE');
    assert.ok((apiService.Properties.DesiredCount as number) >= 2);
    const network = apiService.Properties.NetworkConfiguration as {
      AwsvpcConfiguration: { Subnets: unknown; AssignPublicIp: string };
    };
    const taskSubnets = refs(network.AwsvpcConfiguration.Subnets);
    assert.deepEqual(taskSubnets, subnetsOfType('Private'));
    assert.equal(new Set(taskSubnets.map(zoneOf)).size, 2);
    assert.equal(network.AwsvpcConfiguration.AssignPublicIp, 'DISABLED');
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ResourceId: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [apiServiceId, 'Name'] }])]),
      }),
      MinCapacity: 2,
    });
  });

  it('serves HTTPS only (HTTP redirects) with an idle timeout between the SSE heartbeat and the app keep-alive', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: Match.stringLikeRegexp('^arn:aws:acm:eu-west-1:') }],
      SslPolicy: Match.stringLikeRegexp('TLS13'),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    const [, loadBalancer] = resource('AWS::ElasticLoadBalancingV2::LoadBalancer', 'LoadBalancer');
    const attributes = loadBalancer.Properties.LoadBalancerAttributes as { Key: string; Value: unknown }[];
    const idleTimeout = Number(attributes.find((attribute) => attribute.Key === 'idle_timeout.timeout_seconds')?.Value);
    const heartbeat = Number(JSON.parse(env(api, 'NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS')));
    const keepAlive = Number(JSON.parse(env(api, 'KEEP_ALIVE_TIMEOUT_MS'))) / 1000;
    // A stream writes at least twice per idle period; the app keeps idle connections open longer
    // than the ALB does, so the ALB closes them first.
    assert.equal(idleTimeout, 120);
    assert.ok(heartbeat * 2 <= idleTimeout, `heartbeat ${heartbeat} s, idle ${idleTimeout} s`);
    assert.ok(keepAlive > idleTimeout, `keep-alive ${keepAlive} s, idle ${idleTimeout} s`);
  });

  it('checks /readyz from the ALB and /livez in the container, and drains for the shutdown deadline', () => {
    const shutdownSeconds = Number(JSON.parse(env(api, 'SHUTDOWN_TIMEOUT_MS'))) / 1000;
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/readyz',
      Port: 8080,
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: String(shutdownSeconds) },
      ]),
    });
    assert.equal(shutdownSeconds, 30);
    assert.ok((api.StopTimeout as number) > shutdownSeconds, 'SIGKILL comes after the app’s own deadline');
    assert.match(api.HealthCheck?.Command.join(' ') ?? '', /127\.0\.0\.1:8080\/livez/);
    assert.deepEqual(api.Command, ['serve', '--no-worker', '--skip-migrations']);
    assert.equal(env(api, 'TRUST_PROXY'), '"1"');
  });
});

describe('worker service', () => {
  const [workerServiceId, workerService] = resource('AWS::ECS::Service', 'WorkerService');
  const worker = container('WorkerTask');

  it('has no load balancer, runs `worker --skip-migrations` and probes its HEALTH_PORT', () => {
    assert.equal(workerService.Properties.LoadBalancers, undefined);
    assert.equal(worker.PortMappings, undefined);
    assert.deepEqual(worker.Command, ['worker', '--skip-migrations']);
    const healthPort = JSON.parse(env(worker, 'HEALTH_PORT')) as string;
    assert.match(worker.HealthCheck?.Command.join(' ') ?? '', new RegExp(`127\\.0\\.0\\.1:${healthPort}/livez`));
  });

  it('prints the app metrics as embedded-metric lines, which the API does not', () => {
    assert.equal(env(worker, 'CLOUDWATCH_METRICS'), '"emf"');
    assert.equal(
      container('ApiTask').Environment.find((variable) => variable.Name === 'CLOUDWATCH_METRICS'),
      undefined,
    );
  });

  it('scales in steps on the job backlog metric', () => {
    const scalingAlarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>,
    ).filter((alarm) => alarm.Properties.MetricName === APP_METRICS.jobBacklog);
    assert.equal(scalingAlarms.length, 2, 'a scale-out and a scale-in alarm');
    for (const alarm of scalingAlarms) {
      assert.equal(alarm.Properties.Namespace, APP_METRICS.namespace);
      const [policyId] = refs(alarm.Properties.AlarmActions);
      const [, policy] = resource('AWS::ApplicationAutoScaling::ScalingPolicy', policyId as string);
      assert.equal(policy.Properties.PolicyType, 'StepScaling');
      const [, target] = resource(
        'AWS::ApplicationAutoScaling::ScalableTarget',
        (policy.Properties.ScalingTargetId as { Ref: string }).Ref,
      );
      assert.match(JSON.stringify(target.Properties.ResourceId), new RegExp(workerServiceId));
    }
  });
});

describe('migrations', () => {
  const migrate = container('MigrateTask');
  const [triggerId, trigger] = resource('Custom::Trigger', 'RunMigrationTrigger');

  it('has a one-off `migrate` task definition, run by a trigger the services wait for', () => {
    assert.deepEqual(migrate.Command, ['migrate']);
    assert.equal(migrate.HealthCheck, undefined);
    for (const service of ['ApiService', 'WorkerService']) {
      assert.ok(resource('AWS::ECS::Service', service)[1].DependsOn?.includes(triggerId), `${service} after migrate`);
    }
    const dependsOn = trigger.DependsOn ?? [];
    assert.ok(
      dependsOn.some((id) => id.startsWith('DatabaseWriter')),
      'migrate after the database writer',
    );
    assert.ok(
      dependsOn.some((id) => id.startsWith('DatabaseProxy')),
      'and after the proxy',
    );
    assert.equal(trigger.Properties.ExecuteOnHandlerChange, true);
  });

  it('starts the services only after the SMTP_URL and wrapped master key secrets are filled', () => {
    const fillers = Object.entries(
      template.findResources('AWS::CloudFormation::CustomResource') as Record<string, Resource>,
    )
      .filter(([, filler]) => ['SesSmtpUrl', 'WrappedMasterKey'].includes(filler.Properties.Kind as string))
      .map(([id]) => id);
    assert.equal(fillers.length, 2);
    for (const service of ['ApiService', 'WorkerService']) {
      const dependsOn = resource('AWS::ECS::Service', service)[1].DependsOn ?? [];
      for (const filler of fillers) assert.ok(dependsOn.includes(filler), `${service} after ${filler}`);
    }
  });

  it('re-runs for every new image: the tag is part of the trigger function', () => {
    const [, runner] = resource('AWS::Lambda::Function', 'RunMigration');
    const variables = (runner.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    assert.equal(variables.IMAGE_TAG, '0.1.0-test');
    assert.deepEqual(variables.STACK_ID, { Ref: 'AWS::StackId' }, 'to tell a rollback, when it runs nothing');
    assert.deepEqual(variables.TASK_DEFINITION_ARN, { Ref: resource('AWS::ECS::TaskDefinition', 'MigrateTask')[0] });
    const { stack: other } = synthesiseDeployment({ ...app.node.getAllContext(), imageTag: '0.1.1-test' });
    const otherVersion = Object.keys(Template.fromStack(other).findResources('AWS::Lambda::Version')).filter((id) =>
      id.startsWith('RunMigrationCurrentVersion'),
    );
    assert.equal(otherVersion.length, 1);
    assert.notDeepEqual(trigger.Properties.HandlerArn, { Ref: otherVersion[0] }, 'a new version, so the trigger runs');
  });
});

describe('database', () => {
  const [databaseId, database] = resource('AWS::RDS::DBCluster', 'Database');
  const [proxyId] = resource('AWS::RDS::DBProxy', 'DatabaseProxy');
  const writerAddress = JSON.stringify({ 'Fn::GetAtt': [databaseId, 'Endpoint.Address'] });
  const proxyAddress = JSON.stringify({ 'Fn::GetAtt': [proxyId, 'Endpoint'] });

  it('is Aurora PostgreSQL Serverless v2, encrypted, in the isolated subnets', () => {
    assert.equal(database.Properties.Engine, 'aurora-postgresql');
    assert.equal(database.Properties.StorageEncrypted, true);
    assert.equal(database.Properties.DeletionProtection, true);
    assert.deepEqual(database.Properties.ServerlessV2ScalingConfiguration, { MinCapacity: 0.5, MaxCapacity: 8 });
    const instances = Object.values(template.findResources('AWS::RDS::DBInstance') as Record<string, Resource>);
    assert.equal(instances.length, 2);
    for (const instance of instances) assert.equal(instance.Properties.DBInstanceClass, 'db.serverless');
    const [, subnetGroup] = resource('AWS::RDS::DBSubnetGroup', 'DatabaseSubnets');
    assert.deepEqual(refs(subnetGroup.Properties.SubnetIds), subnetsOfType('Isolated'));
    template.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: true, EngineFamily: 'POSTGRESQL' });
  });

  it('takes pooled queries through RDS Proxy, LISTEN and migrations to the writer directly', () => {
    for (const role of ['ApiTask', 'WorkerTask']) {
      const app = container(role);
      assert.ok(env(app, 'DATABASE_URL').includes(proxyAddress), `${role} DATABASE_URL via the proxy`);
      assert.ok(env(app, 'DATABASE_LISTEN_URL').includes(writerAddress), `${role} LISTEN on the writer`);
      assert.ok(!env(app, 'DATABASE_LISTEN_URL').includes(proxyId));
    }
    assert.ok(env(migrate(), 'DATABASE_URL').includes(writerAddress));
    assert.ok(!env(migrate(), 'DATABASE_URL').includes(proxyId));
    for (const role of ['ApiTask', 'WorkerTask', 'MigrateTask']) {
      const app = container(role);
      assert.ok(!env(app, 'DATABASE_URL').includes('password'), 'the password is not in the URL');
      assert.match(secretSource(app, 'PGPASSWORD'), /DatabaseSecretAttachment.*:password::/);
    }
  });

  function migrate() {
    return container('MigrateTask');
  }
});

describe('mail', () => {
  it('sends through SES SMTP with credentials from Secrets Manager', () => {
    const [identityId] = resource('AWS::SES::EmailIdentity', 'MailDomain');
    const [smtpUrlId] = resource('AWS::SecretsManager::Secret', 'SmtpUrl');
    for (const role of ['ApiTask', 'WorkerTask']) {
      assert.equal(secretSource(container(role), 'SMTP_URL'), JSON.stringify({ Ref: smtpUrlId }));
    }
    template.hasResourceProperties('AWS::CloudFormation::CustomResource', {
      Kind: 'SesSmtpUrl',
      TargetSecretArn: { Ref: smtpUrlId },
      SesRegion: 'eu-west-1',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Users: [{ Ref: Match.stringLikeRegexp('^SmtpUser') }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'ses:SendRawEmail',
            Effect: 'Allow',
            Resource: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: identityId }])]) }),
          },
        ],
      },
    });
  });
});

describe('master key', () => {
  const [keyId, key] = resource('AWS::KMS::Key', 'MasterKeyWrapping');

  it('reaches the API and worker wrapped, with the KMS key to unwrap it', () => {
    const [wrappedId] = resource('AWS::SecretsManager::Secret', 'WrappedMasterKey');
    for (const role of ['ApiTask', 'WorkerTask']) {
      const app = container(role);
      assert.equal(secretSource(app, 'SECUREBASE_MASTER_KEY_WRAPPED'), JSON.stringify({ Ref: wrappedId }));
      assert.equal(env(app, 'SECUREBASE_KMS_KEY_ID'), JSON.stringify({ 'Fn::GetAtt': [keyId, 'Arn'] }));
      assert.ok(!app.Environment.some((variable) => variable.Name === 'SECUREBASE_MASTER_KEY'));
    }
    assert.equal(key.Properties.EnableKeyRotation, true);
    template.hasResourceProperties('AWS::CloudFormation::CustomResource', {
      Kind: 'WrappedMasterKey',
      TargetSecretArn: { Ref: wrappedId },
      KeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  it('lets only the API and worker task roles decrypt', () => {
    const decryptingRoles = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .filter((policy) =>
        (
          policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
        ).Statement.some(
          (statement) =>
            [statement.Action].flat().some((action) => action.startsWith('kms:Decrypt') || action === 'kms:*') &&
            JSON.stringify(statement.Resource).includes(keyId),
        ),
      )
      .flatMap((policy) => refs(policy.Properties.Roles ?? []).concat(refs(policy.Properties.Users ?? [])));
    assert.equal(decryptingRoles.length, 2, decryptingRoles.join(', '));
    assert.match(decryptingRoles[0] as string, /^ApiTaskTaskRole/);
    assert.match(decryptingRoles[1] as string, /^WorkerTaskTaskRole/);
    // The key policy itself grants decryption to nobody but through IAM (the account root statement).
    const keyStatements = (key.Properties.KeyPolicy as { Statement: { Action: unknown; Principal: unknown }[] })
      .Statement;
    assert.equal(keyStatements.length, 1);
    assert.match(JSON.stringify(keyStatements[0]?.Principal), /:root/);
  });
});

describe('logs and alarms', () => {
  it('keeps every log group for a bounded time', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup') as Record<string, Resource>);
    assert.ok(groups.length >= 4);
    for (const group of groups) assert.equal(group.Properties.RetentionInDays, 30);
    template.hasResourceProperties('Custom::LogRetention', { RetentionInDays: 30 });
    for (const role of ['ApiTask', 'WorkerTask', 'MigrateTask']) {
      const [, task] = resource('AWS::ECS::TaskDefinition', role);
      assert.match(JSON.stringify(task.Properties.ContainerDefinitions), /"LogDriver":"awslogs"/);
    }
  });

  it('alarms on the 5xx rate, the job backlog age and the webhook failure rate, to an encrypted topic', () => {
    const [topicId, topic] = resource('AWS::SNS::Topic', 'Alarms');
    assert.ok(topic.Properties.KmsMasterKeyId, 'the topic is encrypted');
    const alarmNamed = (prefix: string) => {
      const [, alarm] = resource('AWS::CloudWatch::Alarm', prefix);
      assert.deepEqual(alarm.Properties.AlarmActions, [{ Ref: topicId }]);
      return JSON.stringify(alarm.Properties);
    };
    const fiveHundreds = alarmNamed('Alb5xxRate');
    assert.match(fiveHundreds, /HTTPCode_ELB_5XX_Count/);
    assert.match(fiveHundreds, /HTTPCode_Target_5XX_Count/);
    assert.match(fiveHundreds, /RequestCount/);
    assert.match(alarmNamed('JobBacklogAge'), new RegExp(`"MetricName":"${APP_METRICS.jobBacklogAgeSeconds}"`));
    const webhooks = alarmNamed('WebhookFailureRate');
    assert.match(webhooks, new RegExp(APP_METRICS.webhookFailures));
    assert.match(webhooks, new RegExp(APP_METRICS.webhookAttempts));
  });
});

describe('cdk-nag AWS Solutions checks', () => {
  it('report nothing that is not acknowledged, and every acknowledgement has its reason', () => {
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations: unknown[];
        suppressedViolations: { ruleName: string; reason: string; acknowledgedAt: string }[];
      }[];
    };
    const nag = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
    assert.ok(nag, 'the AWS Solutions pack ran');
    assert.deepEqual(nag.violations, []);
    assert.equal(nag.conclusion, 'success');
    assert.ok(nag.suppressedViolations.length > 0);
    for (const acknowledged of nag.suppressedViolations) {
      assert.ok(
        acknowledged.reason.length >= 40,
        `${acknowledged.ruleName} at ${acknowledged.acknowledgedAt} says why`,
      );
    }
  });
});
