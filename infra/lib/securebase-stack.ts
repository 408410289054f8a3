import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CfnOutput,
  CustomResource,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  Validations,
  aws_applicationautoscaling as autoscaling,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  aws_ec2 as ec2,
  aws_ecr as ecr,
  aws_ecs as ecs,
  aws_efs as efs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_rds as rds,
  aws_s3 as s3,
  aws_secretsmanager as secretsmanager,
  aws_ses as ses,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
  custom_resources as cr,
  triggers,
} from 'aws-cdk-lib';
import type { CfnElement, StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { APP_METRICS } from './app-metrics.ts';
import type { Settings } from './settings.ts';

const LAMBDA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'lambda');

/** The app's HTTP port in the image (PORT's default). */
const API_PORT = 8080;
/** The worker's /livez and /readyz port (HEALTH_PORT); the worker serves nothing else. */
const WORKER_HEALTH_PORT = 8081;
/**
 * The app's shutdown deadline (SHUTDOWN_TIMEOUT_MS). The target group's deregistration delay
 * equals it: the load balancer keeps a draining task's open requests and SSE streams for as long
 * as the task keeps serving them. ECS sends SIGKILL `stopTimeout` after SIGTERM, a little later.
 */
const SHUTDOWN_TIMEOUT = Duration.seconds(30);
const STOP_TIMEOUT = Duration.seconds(SHUTDOWN_TIMEOUT.toSeconds() + 5);
/**
 * The load balancer's idle timeout, the app's keep-alive and the SSE heartbeat: the ALB closes a
 * connection idle for 120 s (room for a slow export that sends nothing for a minute); the app's
 * keep-alive (KEEP_ALIVE_TIMEOUT_MS) is 5 s longer, so the ALB, never the app, closes an idle
 * keep-alive connection (otherwise a request racing the app's close gets a 502); and a live stream
 * writes a heartbeat every 15 s (NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS), so it is never idle.
 */
const ALB_IDLE_TIMEOUT = Duration.seconds(120);
const KEEP_ALIVE_TIMEOUT = Duration.seconds(ALB_IDLE_TIMEOUT.toSeconds() + 5);
const SSE_HEARTBEAT = Duration.seconds(15);
/**
 * Amazon's RDS CA bundle inside the image: Aurora's writer endpoint presents a certificate of the
 * RDS CA, which Node does not trust by default (RDS Proxy's is publicly trusted).
 */
const RDS_CA_BUNDLE_PATH = '/etc/ssl/certs/rds-global-bundle.pem';
/** Data directory on the shared file system: attachments and cost-import spools. */
const DATA_DIR = '/data';
/** The image's non-root user, owning the data directory on the file system. */
const APP_UID_GID = '1000';
const POSTGRES_PORT = 5432;
const DATABASE_NAME = 'securebase';
const DATABASE_USER = 'securebase';

export interface SecureBaseStackProps extends StackProps {
  settings: Settings;
}

/**
 * SecureBase on AWS: API and worker services on ECS Fargate sharing one Aurora PostgreSQL, an ALB
 * in front of the API, a `migrate` task run before the services are updated, SES for mail, a KMS
 * key wrapping the master key, and alarms.
 */
export class SecureBaseStack extends Stack {
  constructor(scope: Construct, id: string, props: SecureBaseStackProps) {
    super(scope, id, props);
    const { settings } = props;

    // ---- Network: public (ALB, NAT), private with egress (tasks), isolated (database, files).
    const flowLogs = new logs.LogGroup(this, 'VpcFlowLogs', { retention: logs.RetentionDays.ONE_MONTH });
    const vpc = new ec2.Vpc(this, 'Vpc', {
      availabilityZones: settings.availabilityZones,
      natGateways: settings.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });
    const appSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const dataSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    // ---- Database: Aurora Serverless v2 (writer + a reader in the other zone for fail-over).
    const database = new rds.DatabaseCluster(this, 'Database', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_9 }),
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_USER),
      defaultDatabaseName: DATABASE_NAME,
      port: POSTGRES_PORT,
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      readers: [rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true })],
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 8,
      vpc,
      vpcSubnets: dataSubnets,
      storageEncrypted: true,
      deletionProtection: true,
      backup: { retention: Duration.days(14) },
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    const databaseSecret = database.secret as secretsmanager.ISecret;
    acknowledge(
      database,
      'RDS6',
      'The app authenticates with a password (node-postgres has no IAM token refresh); the password stays in Secrets Manager and reaches only the tasks and RDS Proxy.',
    );
    // database.secret is the secret attached to the cluster; the finding is on the generated secret itself.
    acknowledge(
      database.node.findChild('Secret'),
      'SMG4',
      'Tasks read PGPASSWORD at start and keep writer connections (LISTEN); an automatic rotation would break them until every task restarts. Rotate with a rolling deployment instead (README).',
    );
    // Pooled queries go through RDS Proxy; LISTEN and migrations cannot (a LISTEN pins a proxied
    // session and misses notifications; the migration's advisory lock must stay on one session).
    const proxy = database.addProxy('Proxy', {
      secrets: [databaseSecret],
      vpc,
      vpcSubnets: dataSubnets,
      requireTLS: true,
    });
    const pooledUrl = `postgres://${DATABASE_USER}@${proxy.endpoint}:${POSTGRES_PORT}/${DATABASE_NAME}?sslmode=verify-full`;
    const writerUrl = `postgres://${DATABASE_USER}@${database.clusterEndpoint.hostname}:${POSTGRES_PORT}/${DATABASE_NAME}?sslmode=verify-full`;

    // ---- Shared files: every API task and worker sees the same attachments and import spools.
    const files = new efs.FileSystem(this, 'Files', {
      vpc,
      vpcSubnets: dataSubnets,
      encrypted: true,
      throughputMode: efs.ThroughputMode.ELASTIC,
      lifecyclePolicy: efs.LifecyclePolicy.AFTER_30_DAYS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const dataAccessPoint = files.addAccessPoint('DataDir', {
      path: '/securebase',
      posixUser: { uid: APP_UID_GID, gid: APP_UID_GID },
      createAcl: { ownerUid: APP_UID_GID, ownerGid: APP_UID_GID, permissions: '750' },
    });

    // ---- Master key: a data key wrapped by KMS; the tasks unwrap it once at start.
    const masterKeyWrapping = new kms.Key(this, 'MasterKeyWrapping', {
      description: 'Wraps the SecureBase master key (SECUREBASE_MASTER_KEY_WRAPPED)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const wrappedMasterKey = new secretsmanager.Secret(this, 'WrappedMasterKey', {
      description: 'SecureBase master key, wrapped by the MasterKeyWrapping KMS key (base64 ciphertext)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      wrappedMasterKey,
      'SMG4',
      'Replacing the master key means re-sealing stored secrets (securebase admin rotate-master-key), not a secret rotation; the wrapping KMS key rotates yearly by itself.',
    );

    // ---- Mail: SES domain identity and an SMTP user allowed to send from it only.
    const mailIdentity = new ses.EmailIdentity(this, 'MailDomain', {
      identity: ses.Identity.domain(settings.mailDomain),
    });
    const smtpUser = new iam.User(this, 'SmtpUser');
    smtpUser.addToPolicy(
      new iam.PolicyStatement({ actions: ['ses:SendRawEmail'], resources: [mailIdentity.emailIdentityArn] }),
    );
    const smtpAccessKey = new iam.AccessKey(this, 'SmtpAccessKey', { user: smtpUser });
    const smtpAccessKeySecret = new secretsmanager.Secret(this, 'SmtpAccessKeySecret', {
      description: 'Access key of the SES SMTP user; the SMTP password is derived from it',
      secretObjectValue: {
        accessKeyId: SecretValue.unsafePlainText(smtpAccessKey.accessKeyId),
        secretAccessKey: smtpAccessKey.secretAccessKey,
      },
    });
    const smtpUrl = new secretsmanager.Secret(this, 'SmtpUrl', {
      description: 'SMTP_URL of SecureBase: SES SMTP endpoint with the SMTP user credentials',
    });
    const smtpKeyRotation =
      'SES SMTP credentials are an IAM access key: rotate by replacing the SmtpAccessKey construct and deploying; SMTP_URL is derived again on every deployment.';
    acknowledge(smtpAccessKeySecret, 'SMG4', smtpKeyRotation);
    acknowledge(smtpUrl, 'SMG4', smtpKeyRotation);

    const bootstrapSecrets = this.bootstrapSecrets({
      masterKeyWrapping,
      wrappedMasterKey,
      smtpAccessKeySecret,
      smtpUrl,
    });
    // The services start only once both secrets hold their real values.
    const secretValues = [
      bootstrapSecrets.add('SmtpUrlValue', {
        Kind: 'SesSmtpUrl',
        TargetSecretArn: smtpUrl.secretArn,
        AccessKeySecretArn: smtpAccessKeySecret.secretArn,
        SesRegion: this.region,
      }),
      bootstrapSecrets.add('WrappedMasterKeyValue', {
        Kind: 'WrappedMasterKey',
        TargetSecretArn: wrappedMasterKey.secretArn,
        KeyId: masterKeyWrapping.keyArn,
      }),
    ];

    // ---- Containers: one image, three roles.
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const image = ecs.ContainerImage.fromEcrRepository(
      ecr.Repository.fromRepositoryName(this, 'ImageRepository', settings.imageRepository),
      settings.imageTag,
    );
    const tasksSecurityGroup = new ec2.SecurityGroup(this, 'TasksSecurityGroup', {
      vpc,
      description: 'SecureBase API, worker and migrate tasks',
    });
    proxy.connections.allowFrom(tasksSecurityGroup, ec2.Port.tcp(POSTGRES_PORT), 'pooled queries');
    database.connections.allowDefaultPortFrom(tasksSecurityGroup, 'LISTEN and migrations on the writer');
    files.connections.allowDefaultPortFrom(tasksSecurityGroup, 'data directory');

    const commonEnvironment = {
      LOG_LEVEL: 'info',
      NODE_EXTRA_CA_CERTS: RDS_CA_BUNDLE_PATH,
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT.toMilliseconds()),
    };
    const databasePassword = ecs.Secret.fromSecretsManager(databaseSecret, 'password');
    // The app's services: pooled queries through the proxy, LISTEN on the writer; PGPASSWORD is read
    // by node-postgres for both URLs, so neither URL carries the password.
    const serviceEnvironment = {
      ...commonEnvironment,
      DATABASE_URL: pooledUrl,
      DATABASE_LISTEN_URL: writerUrl,
      SECUREBASE_DATA_DIR: DATA_DIR,
      SECUREBASE_KMS_KEY_ID: masterKeyWrapping.keyArn,
      PUBLIC_URL: `https://${settings.domainName}`,
      MAIL_FROM: `SecureBase <notifications@${settings.mailDomain}>`,
      NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS: String(SSE_HEARTBEAT.toSeconds()),
    };
    const serviceSecrets = {
      PGPASSWORD: databasePassword,
      SMTP_URL: ecs.Secret.fromSecretsManager(smtpUrl),
      SECUREBASE_MASTER_KEY_WRAPPED: ecs.Secret.fromSecretsManager(wrappedMasterKey),
    };

    const roleTask = (role: string, options: RoleTaskOptions): RoleTask => {
      const taskDefinition = new ecs.FargateTaskDefinition(this, `${role}Task`, {
        cpu: options.cpu,
        memoryLimitMiB: options.memoryLimitMiB,
        runtimePlatform: {
          cpuArchitecture: ecs.CpuArchitecture.X86_64,
          operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        },
      });
      const logGroup = new logs.LogGroup(this, `${role}Logs`, {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // A read-only root file system: /tmp is task storage, the data directory the shared files.
      taskDefinition.addVolume({ name: 'tmp' });
      const container = taskDefinition.addContainer('app', {
        image,
        command: options.command,
        environment: options.environment,
        secrets: options.secrets,
        readonlyRootFilesystem: true,
        stopTimeout: STOP_TIMEOUT,
        logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: role.toLowerCase() }),
        ...(options.healthPort === undefined
          ? {}
          : {
              healthCheck: {
                command: ['CMD', 'node', '-e', livezProbe(options.healthPort)],
                interval: Duration.seconds(15),
                timeout: Duration.seconds(5),
                retries: 3,
                startPeriod: Duration.seconds(30),
              },
            }),
        ...(options.servePort === undefined ? {} : { portMappings: [{ containerPort: options.servePort }] }),
      });
      container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
      if (options.mountData) {
        taskDefinition.addVolume({
          name: 'data',
          efsVolumeConfiguration: {
            fileSystemId: files.fileSystemId,
            transitEncryption: 'ENABLED',
            authorizationConfig: { accessPointId: dataAccessPoint.accessPointId, iam: 'ENABLED' },
          },
        });
        container.addMountPoints({ sourceVolume: 'data', containerPath: DATA_DIR, readOnly: false });
        files.grant(taskDefinition.taskRole, 'elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite');
      }
      if (options.unwrapsMasterKey) masterKeyWrapping.grantDecrypt(taskDefinition.taskRole);
      acknowledge(
        taskDefinition,
        'ECS2',
        'The environment holds only non-secret settings (URLs without passwords, ports, timeouts); every secret comes through `secrets` from Secrets Manager.',
      );
      acknowledge(
        taskDefinition.obtainExecutionRole(),
        'IAM5[Resource::*]',
        'ecr:GetAuthorizationToken has no resource-level permissions; image pulls themselves are limited to the one repository.',
      );
      return { taskDefinition, container, logGroup };
    };

    const api = roleTask('Api', {
      command: ['serve', '--no-worker', '--skip-migrations'],
      cpu: 512,
      memoryLimitMiB: 1024,
      // TRUST_PROXY=1: the ALB is the one hop in front, so request.ip is the client's.
      environment: {
        ...serviceEnvironment,
        PORT: String(API_PORT),
        TRUST_PROXY: '1',
        KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT.toMilliseconds()),
      },
      secrets: serviceSecrets,
      healthPort: API_PORT,
      servePort: API_PORT,
      mountData: true,
      unwrapsMasterKey: true,
    });
    const worker = roleTask('Worker', {
      command: ['worker', '--skip-migrations'],
      cpu: 512,
      memoryLimitMiB: 1024,
      // CLOUDWATCH_METRICS=emf: the metrics below travel as embedded-metric lines in the task's log.
      environment: { ...serviceEnvironment, HEALTH_PORT: String(WORKER_HEALTH_PORT), CLOUDWATCH_METRICS: 'emf' },
      secrets: serviceSecrets,
      healthPort: WORKER_HEALTH_PORT,
      mountData: true,
      unwrapsMasterKey: true,
    });
    // The worker publishes the backlog and webhook metrics, and nothing outside its namespace.
    worker.taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': APP_METRICS.namespace } },
      }),
    );
    acknowledge(
      worker.taskDefinition.taskRole,
      'IAM5[Resource::*]',
      'cloudwatch:PutMetricData has no resource-level permissions; the cloudwatch:namespace condition limits it to the app namespace.',
    );
    const migrate = roleTask('Migrate', {
      command: ['migrate'],
      cpu: 256,
      memoryLimitMiB: 512,
      // Migrations hold an advisory lock for their whole run: on the writer, one session, no proxy.
      environment: { ...commonEnvironment, DATABASE_URL: writerUrl },
      secrets: { PGPASSWORD: databasePassword },
      mountData: false,
      unwrapsMasterKey: false,
    });

    // ---- API service behind the ALB, spread over both zones.
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      accessLogs,
      'S1',
      'This bucket holds the ALB access logs; logging the log bucket itself would only log log deliveries.',
    );
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      idleTimeout: ALB_IDLE_TIMEOUT,
      dropInvalidHeaderFields: true,
      deletionProtection: true,
    });
    loadBalancer.logAccessLogs(accessLogs, 'alb');
    acknowledge(loadBalancer, 'EC23', 'The public entry of the API and portal: 443, and 80 only to redirect to 443.');
    loadBalancer.addRedirect({
      sourcePort: 80,
      sourceProtocol: elbv2.ApplicationProtocol.HTTP,
      targetPort: 443,
      targetProtocol: elbv2.ApplicationProtocol.HTTPS,
    });
    const https = loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(settings.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    });
    const apiService = new ecs.FargateService(this, 'ApiService', {
      cluster,
      taskDefinition: api.taskDefinition,
      desiredCount: 2,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      vpcSubnets: appSubnets,
      securityGroups: [tasksSecurityGroup],
      circuitBreaker: { enable: true, rollback: true },
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
    });
    https.addTargets('Api', {
      port: API_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [apiService],
      deregistrationDelay: SHUTDOWN_TIMEOUT,
      // /readyz answers 503 while draining or while the database is away: the ALB stops routing there.
      healthCheck: {
        path: '/readyz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    apiService
      .autoScaleTaskCount({ minCapacity: 2, maxCapacity: 8 })
      .scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });

    // ---- Worker service: no load balancer, scaled on the job backlog.
    const workerService = new ecs.FargateService(this, 'WorkerService', {
      cluster,
      taskDefinition: worker.taskDefinition,
      desiredCount: 1,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      vpcSubnets: appSubnets,
      securityGroups: [tasksSecurityGroup],
      circuitBreaker: { enable: true, rollback: true },
    });
    const appMetric = (metricName: string, statistic: string, period = Duration.minutes(1)) =>
      new cloudwatch.Metric({ namespace: APP_METRICS.namespace, metricName, statistic, period });
    const jobBacklog = appMetric(APP_METRICS.jobBacklog, cloudwatch.Stats.MAXIMUM);
    workerService.autoScaleTaskCount({ minCapacity: 1, maxCapacity: 8 }).scaleOnMetric('JobBacklog', {
      metric: jobBacklog,
      // One worker runs WORKER_CONCURRENCY (64) jobs at once: a backlog of a few hundred is minutes of work.
      scalingSteps: [
        { upper: 10, change: -1 },
        { lower: 500, change: +1 },
        { lower: 5000, change: +3 },
      ],
      adjustmentType: autoscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(3),
    });

    apiService.node.addDependency(...secretValues);
    workerService.node.addDependency(...secretValues);

    // ---- Migrate before every deployment of the services.
    this.migrateBeforeServices({
      cluster,
      migrate,
      subnets: vpc.selectSubnets(appSubnets).subnetIds,
      securityGroup: tasksSecurityGroup,
      imageTag: settings.imageTag,
      after: [database, proxy, vpc],
      before: [apiService, workerService],
    });

    // ---- Alarms to one topic.
    const alarmsKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the SecureBase alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish to the encrypted topic under their own service principal.
    alarmsKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const alarmTopic = new sns.Topic(this, 'Alarms', { masterKey: alarmsKey, enforceSSL: true });
    if (settings.alarmEmail) alarmTopic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));
    const alarmAction = new cloudwatchActions.SnsAction(alarmTopic);
    const alarm = (
      id: string,
      props: cloudwatch.CreateAlarmOptions,
      metric: cloudwatch.Metric | cloudwatch.MathExpression,
    ) => {
      const created = metric.createAlarm(this, id, {
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
      });
      created.addAlarmAction(alarmAction);
      created.addOkAction(alarmAction);
    };
    const minute = Duration.minutes(1);
    alarm(
      'Alb5xxRate',
      {
        alarmDescription: 'More than 5% of API requests answered 5xx (by the ALB or the tasks) for 3 minutes',
        threshold: 5,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      },
      new cloudwatch.MathExpression({
        label: '5xx % of requests',
        expression: 'IF(requests > 0, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)',
        usingMetrics: {
          requests: loadBalancer.metrics.requestCount({ period: minute }),
          elb5xx: loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: minute }),
          target5xx: loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute }),
        },
        period: minute,
      }),
    );
    alarm(
      'JobBacklogAge',
      {
        alarmDescription: 'The oldest job due has waited more than 5 minutes for 3 minutes: workers are behind or down',
        threshold: 300,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // No data means nobody publishes the metric: the workers are down, which is the worst backlog.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
      appMetric(APP_METRICS.jobBacklogAgeSeconds, cloudwatch.Stats.MAXIMUM),
    );
    const fiveMinutes = Duration.minutes(5);
    alarm(
      'WebhookFailureRate',
      {
        alarmDescription: 'More than 20% of webhook delivery attempts failed for 15 minutes',
        threshold: 20,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      },
      new cloudwatch.MathExpression({
        label: 'failed % of webhook attempts',
        expression: 'IF(attempts > 0, 100 * FILL(failures, 0) / attempts, 0)',
        usingMetrics: {
          attempts: appMetric(APP_METRICS.webhookAttempts, cloudwatch.Stats.SUM, fiveMinutes),
          failures: appMetric(APP_METRICS.webhookFailures, cloudwatch.Stats.SUM, fiveMinutes),
        },
        period: fiveMinutes,
      }),
    );

    // Deployment-time functions (migration trigger, secret bootstrap, log retention of the database
    // logs) use AWS's basic execution policy: writing their own logs, nothing else.
    acknowledge(
      this,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'Lambda functions here only write their own logs through this AWS-managed policy.',
    );
    const logRetention = this.node.children.find((child) => child.node.id.startsWith('LogRetention'));
    if (logRetention)
      acknowledge(
        logRetention,
        'IAM5[Resource::*]',
        "CDK's log-retention function sets the retention of the database log group, whose name is only known after creation.",
      );

    new CfnOutput(this, 'LoadBalancerDnsName', {
      description: `Point ${settings.domainName} (CNAME or alias) here`,
      value: loadBalancer.loadBalancerDnsName,
    });
    mailIdentity.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, {
        description: `CNAME to publish in ${settings.mailDomain} for SES DKIM`,
        value: `${record.name} CNAME ${record.value}`,
      });
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn });
  }

  /** A custom resource provider whose resources fill the generated secrets (see its handler). */
  private bootstrapSecrets(grants: {
    masterKeyWrapping: kms.Key;
    wrappedMasterKey: secretsmanager.Secret;
    smtpAccessKeySecret: secretsmanager.Secret;
    smtpUrl: secretsmanager.Secret;
  }) {
    const handler = new lambda.Function(this, 'BootstrapSecretsHandler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(join(LAMBDA_DIR, 'bootstrap-secrets')),
      timeout: Duration.minutes(1),
      description: 'Fills the SMTP_URL and wrapped master key secrets of SecureBase',
    });
    // GenerateDataKeyWithoutPlaintext only: this function can make a wrapped key but never unwrap one.
    grants.masterKeyWrapping.grant(handler, 'kms:GenerateDataKeyWithoutPlaintext');
    grants.smtpAccessKeySecret.grantRead(handler);
    grants.smtpUrl.grantWrite(handler);
    grants.wrappedMasterKey.grantWrite(handler);
    const provider = new cr.Provider(this, 'BootstrapSecretsProvider', { onEventHandler: handler });
    acknowledge(
      provider,
      `IAM5[Resource::<${this.logicalIdOf(handler)}.Arn>:*]`,
      'The provider framework invokes any version of its one handler function.',
    );
    return {
      add: (id: string, properties: Record<string, string>) =>
        new CustomResource(this, id, { serviceToken: provider.serviceToken, properties }),
    };
  }

  /**
   * Runs the `migrate` task through a deployment trigger (aws-cdk-lib/triggers): a Lambda function
   * invoked by CloudFormation after the database and before the services are created or updated,
   * whose failure fails the deployment. The trigger fires whenever its function's version changes;
   * the image tag is part of the function's configuration, so every new image migrates first. It
   * also fires when a failed deployment rolls back; the function then runs nothing (see outcome.mjs).
   */
  private migrateBeforeServices(options: {
    cluster: ecs.Cluster;
    migrate: RoleTask;
    subnets: string[];
    securityGroup: ec2.SecurityGroup;
    imageTag: string;
    after: Construct[];
    before: Construct[];
  }) {
    const { taskDefinition, container } = options.migrate;
    const runner = new triggers.TriggerFunction(this, 'RunMigration', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(join(LAMBDA_DIR, 'run-migration')),
      // Also the trigger's wait for the function: a migration longer than this fails the deployment.
      timeout: Duration.minutes(14),
      description: 'Runs the SecureBase migrate task and waits for it to succeed',
      environment: {
        STACK_ID: this.stackId,
        CLUSTER_ARN: options.cluster.clusterArn,
        TASK_DEFINITION_ARN: taskDefinition.taskDefinitionArn,
        CONTAINER_NAME: container.containerName,
        SUBNET_IDS: options.subnets.join(','),
        SECURITY_GROUP_IDS: options.securityGroup.securityGroupId,
        IMAGE_TAG: options.imageTag,
      },
      executeAfter: options.after,
      executeBefore: options.before,
    });
    runner.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [taskDefinition.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': options.cluster.clusterArn } },
      }),
    );
    acknowledge(
      runner,
      `IAM5[Resource::arn:<AWS::Partition>:ecs:${this.region}:<AWS::AccountId>:task/<${this.logicalIdOf(options.cluster)}>/*]`,
      'Task ids are only known once the task runs; DescribeTasks is limited to tasks of this cluster.',
    );
    runner.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks'],
        resources: [
          this.formatArn({ service: 'ecs', resource: 'task', resourceName: `${options.cluster.clusterName}/*` }),
        ],
      }),
    );
    runner.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [this.stackId] }),
    );
    runner.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [taskDefinition.taskRole.roleArn, taskDefinition.obtainExecutionRole().roleArn],
      }),
    );
    return runner;
  }

  /** The logical id of a construct's CloudFormation resource, as cdk-nag names it in a finding. */
  private logicalIdOf(construct: Construct): string {
    return this.getLogicalId(construct.node.defaultChild as CfnElement);
  }
}

interface RoleTaskOptions {
  command: string[];
  cpu: number;
  memoryLimitMiB: number;
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
  /** Port of /livez for the container health check; none for the one-off migrate task. */
  healthPort?: number;
  /** Port the load balancer sends requests to. */
  servePort?: number;
  mountData: boolean;
  unwrapsMasterKey: boolean;
}

interface RoleTask {
  taskDefinition: ecs.FargateTaskDefinition;
  container: ecs.ContainerDefinition;
  logGroup: logs.LogGroup;
}

/** Acknowledges one cdk-nag AWS Solutions finding on `scope` and everything under it, with the reason. */
function acknowledge(scope: Construct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}

/** A container health check in the image's own Node (the slim image has no curl). */
function livezProbe(port: number): string {
  return `fetch('http://127.0.0.1:${port}/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
}
